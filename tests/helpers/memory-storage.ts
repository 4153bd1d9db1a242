/**
 * An in-memory stand-in for Durable Object storage, for unit tests of the
 * room core: sorted keys, values cloned on the way in and out (as the real
 * storage serialises them), atomic multi-put, an alarm, and a switch to make
 * the next write fail.
 */
import type { ListOptions, RoomStorage } from "../../party/core/ports";

export class MemoryStorage implements RoomStorage {
  readonly data = new Map<string, unknown>();
  alarm: number | null = null;
  puts = 0;
  /** The next put throws (a full disk, a lost write). */
  failNext = false;

  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.data.get(key)) as T | undefined;
  }

  put(entries: Record<string, unknown>): Promise<void>;
  put<T>(key: string, value: T): Promise<void>;
  async put(a: string | Record<string, unknown>, value?: unknown): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk full");
    }
    this.puts++;
    const entries = typeof a === "string" ? { [a]: value } : a;
    for (const [k, v] of Object.entries(entries)) this.data.set(k, structuredClone(v));
  }

  async delete(keys: string | string[]): Promise<boolean | number> {
    if (typeof keys === "string") return this.data.delete(keys);
    return keys.filter((k) => this.data.delete(k)).length;
  }

  async list<T>(o: ListOptions = {}): Promise<Map<string, T>> {
    let keys = [...this.data.keys()].sort().filter((k) => (!o.prefix || k.startsWith(o.prefix)) && (!o.start || k >= o.start) && (!o.end || k < o.end));
    if (o.reverse) keys.reverse();
    if (o.limit) keys = keys.slice(0, o.limit);
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }

  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }

  async setAlarm(at: number): Promise<void> {
    this.alarm = at;
  }

  async transaction<T>(fn: (txn: RoomStorage) => Promise<T>): Promise<T> {
    return fn(this);
  }
}
