/**
 * This client's chat messages that the server has not acknowledged yet.
 *
 * Invariants:
 * - An item keeps its client message id for life, so every resend is the
 *   same message to the server (it dedupes on clientId + id): a message is
 *   delivered at most once however many times it is sent.
 * - Items stay in the order they were written and are sent in that order;
 *   one waiting out a rate limit holds back those after it.
 * - The list is saved to storage (localStorage in a browser) on every change,
 *   so a reload resends what was never acknowledged. Only durable fields are
 *   saved; which socket an item went out on is per-process bookkeeping.
 */
import { z } from "zod";

/** The slice of the Web Storage API the queue needs; localStorage fits. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** One unacknowledged message as the UI shows it. */
export type PendingItem = {
  id: string;
  text: string;
  createdAt: number;
  state: "sending" | "failed";
  error?: string;
};

const savedSchema = z.object({
  v: z.literal(1),
  items: z.array(
    z.object({
      id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
      text: z.string(),
      createdAt: z.number(),
      state: z.enum(["sending", "failed"]),
      error: z.string().optional(),
    }),
  ),
});

/** Per-item bookkeeping that is not saved. */
type Transient = { sentOn?: number; retryAt?: number; deferrals: number };

/** The storage key for one room and client: two tabs of one person share it on purpose. */
export function pendingKey(roomId: string, clientId: string): string {
  return `partyroom:pending:${roomId}:${clientId}`;
}

/** Ordered queue of unacknowledged chat messages (see the module comment). */
export class PendingQueue {
  private list: PendingItem[] = [];
  private readonly transient = new Map<string, Transient>();

  constructor(
    private readonly store: KeyValueStore | null,
    private readonly key: string,
  ) {
    this.list = this.load();
  }

  /** Every item, oldest first. */
  get items(): readonly PendingItem[] {
    return this.list;
  }

  /** Adds a message to send; with `error` it starts out failed (refused before sending). */
  add(id: string, text: string, now: number, error?: string): PendingItem {
    const item: PendingItem = error === undefined ? { id, text, createdAt: now, state: "sending" } : { id, text, createdAt: now, state: "failed", error };
    this.list = [...this.list, item];
    this.save();
    return item;
  }

  /** True if `id` is still waiting. */
  has(id: string): boolean {
    return this.list.some((i) => i.id === id);
  }

  /** Removes an item the server has stored (acked, or seen in the log). Returns whether it was here. */
  settle(id: string): boolean {
    if (!this.has(id)) return false;
    this.list = this.list.filter((i) => i.id !== id);
    this.transient.delete(id);
    this.save();
    return true;
  }

  /** Marks an item failed for good (the server refused its content); only `retry` sends it again. */
  fail(id: string, error: string): void {
    this.replace(id, (i) => ({ ...i, state: "failed", error }));
    this.transient.delete(id);
  }

  /**
   * Holds an item (rate limited, or the server could not store it) for
   * `delay(n)` ms, n being how many times it has been held: the wait grows.
   * Returns when it may go out again.
   */
  defer(id: string, now: number, delay: (held: number) => number): number {
    const t = this.meta(id);
    t.deferrals++;
    t.retryAt = now + delay(t.deferrals);
    t.sentOn = undefined;
    return t.retryAt;
  }

  /** Lifts every hold: a new socket starts with a fresh rate-limit budget. */
  releaseHolds(): void {
    for (const t of this.transient.values()) t.retryAt = undefined;
  }

  /** Puts a failed item back in line, keeping its id. Returns false if unknown. */
  retry(id: string): boolean {
    if (!this.has(id)) return false;
    this.replace(id, ({ error: _error, ...rest }) => ({ ...rest, state: "sending" }));
    this.transient.delete(id);
    return true;
  }

  /**
   * Items to send now on socket `generation`, in order: those not yet sent on
   * it and not held. Stops at the first held item, or the first one `admit`
   * refuses (a send budget), so nothing overtakes it. Marks the returned items
   * as sent on `generation`.
   */
  takeDue(generation: number, now: number, admit: () => boolean = () => true): PendingItem[] {
    const due: PendingItem[] = [];
    for (const item of this.list) {
      if (item.state !== "sending") continue;
      const t = this.meta(item.id);
      if (t.retryAt !== undefined && t.retryAt > now) break;
      t.retryAt = undefined;
      if (t.sentOn === generation) continue;
      if (!admit()) break;
      t.sentOn = generation;
      due.push(item);
    }
    return due;
  }

  /** Earliest time a held item may go out again (null if none is held). */
  nextRetryAt(): number | null {
    let next: number | null = null;
    for (const t of this.transient.values()) if (t.retryAt !== undefined && (next === null || t.retryAt < next)) next = t.retryAt;
    return next;
  }

  private meta(id: string): Transient {
    let t = this.transient.get(id);
    if (!t) this.transient.set(id, (t = { deferrals: 0 }));
    return t;
  }

  private replace(id: string, change: (item: PendingItem) => PendingItem): void {
    this.list = this.list.map((i) => (i.id === id ? change(i) : i));
    this.save();
  }

  private load(): PendingItem[] {
    try {
      const raw = this.store?.getItem(this.key);
      if (!raw) return [];
      const parsed = savedSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data.items : [];
    } catch {
      // Unreadable storage (blocked, corrupt): start empty rather than fail to join.
      return [];
    }
  }

  private save(): void {
    if (!this.store) return;
    try {
      if (this.list.length === 0) this.store.removeItem(this.key);
      else this.store.setItem(this.key, JSON.stringify({ v: 1, items: this.list }));
    } catch {
      // Quota or privacy mode: the queue still works in memory for this page.
    }
  }
}
