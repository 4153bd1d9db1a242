/**
 * Room storage kept in a worker thread, for heap measurements of the room
 * core (tests/bench/heap.ts): in workerd a room's storage lives outside its
 * JavaScript heap (SQLite and the runtime's own cache), so storage kept in
 * the measured heap (tests/helpers/memory-storage.ts) would be counted as the
 * room's growth. A worker has its own V8 heap; values cross by structured
 * clone, as Durable Object storage serialises them.
 */
import { Worker } from "node:worker_threads";
import type { ListOptions, RoomStorage } from "../../../party/core/ports";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const data = new Map();
const ops = {
  get: ([key]) => data.get(key),
  put: ([entries]) => { for (const [k, v] of Object.entries(entries)) data.set(k, v); },
  delete: ([keys]) => (typeof keys === "string" ? data.delete(keys) : keys.filter((k) => data.delete(k)).length),
  list: ([o]) => {
    let keys = [...data.keys()].sort().filter((k) => (!o.prefix || k.startsWith(o.prefix)) && (!o.start || k >= o.start) && (!o.end || k < o.end));
    if (o.reverse) keys.reverse();
    if (o.limit) keys = keys.slice(0, o.limit);
    return keys.map((k) => [k, data.get(k)]);
  },
  size: () => data.size,
};
parentPort.on("message", ({ id, op, args }) => {
  try { parentPort.postMessage({ id, result: ops[op](args) }); }
  catch (err) { parentPort.postMessage({ id, error: String(err) }); }
});
`;

/** DO-like storage whose keys and values live in another isolate's heap. */
export class OffHeapStorage implements RoomStorage {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** The alarm stays here: the driver fires it. */
  alarm: number | null = null;

  constructor() {
    this.worker.on("message", ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (error !== undefined) w?.reject(new Error(error));
      else w?.resolve(result);
    });
  }

  private call<T>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.call<T | undefined>("get", key);
  }

  put(entries: Record<string, unknown>): Promise<void>;
  put<T>(key: string, value: T): Promise<void>;
  put(a: string | Record<string, unknown>, value?: unknown): Promise<void> {
    return this.call<void>("put", typeof a === "string" ? { [a]: value } : a);
  }

  delete(keys: string | string[]): Promise<boolean | number> {
    return this.call<boolean | number>("delete", keys);
  }

  async list<T>(options: ListOptions = {}): Promise<Map<string, T>> {
    return new Map(await this.call<[string, T][]>("list", options));
  }

  /** Keys stored (what the room wrote, for the report). */
  size(): Promise<number> {
    return this.call<number>("size");
  }

  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }

  async setAlarm(at: number): Promise<void> {
    this.alarm = at;
  }

  transaction<T>(fn: (txn: RoomStorage) => Promise<T>): Promise<T> {
    return fn(this);
  }

  /** Stops the worker. */
  close(): Promise<number> {
    return this.worker.terminate();
  }
}
