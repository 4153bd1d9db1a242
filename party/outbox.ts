/**
 * The outgoing side of an HTTP session (SSE or long polling), as a plain
 * module: every frame the room sends to the session is appended here with an
 * id that only grows, and stays until the client shows it has it (the
 * `Last-Event-ID` of a reconnecting EventSource, the `after` of the next poll).
 * So a message published while no request is open is simply picked up by the
 * next one: nothing waits for a timeout and nothing is lost.
 *
 * Memory is bounded: past `maxEvents` the oldest are dropped, and a client
 * resuming from before them is told it has a gap (it then gets a fresh
 * snapshot instead of a partial replay).
 */

/** One outgoing frame: JSON text (the app protocol) or a binary Yjs frame. */
export type OutboxEvent = { id: number; data: string | Uint8Array };

export const OUTBOX_MAX_EVENTS = 2_000;

export class Outbox {
  private events: OutboxEvent[] = [];
  private nextId = 1;
  private waiters = new Set<() => void>();
  /** Set once the room has closed the session; readers see it after the last event. */
  closed: { code: number; reason: string } | null = null;

  constructor(private readonly maxEvents = OUTBOX_MAX_EVENTS) {}

  /** Id of the newest event (0 before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Events held in memory. */
  get size(): number {
    return this.events.length;
  }

  /** Readers waiting for the next event (open SSE streams, held polls). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Appends a frame and wakes every waiting reader. */
  push(data: string | Uint8Array): void {
    if (this.closed) return;
    this.events.push({ id: this.nextId++, data });
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    this.wake();
  }

  /** Marks the session closed; readers get the close after the remaining events. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.wake();
  }

  /** The client has every event up to `upTo` (Last-Event-ID, a poll's `after`): forget them. */
  ack(upTo: number): void {
    if (this.events[0] && this.events[0].id <= upTo) this.events = this.events.filter((e) => e.id > upTo);
  }

  /**
   * Events after `after`. `gap` is true when some of them were already
   * dropped for space: the client must then resynchronise.
   */
  read(after: number): { events: OutboxEvent[]; gap: boolean } {
    const first = this.events[0];
    // An id from the future (another server instance's) is a gap too: the client must start over.
    const gap = after > this.lastId || (after < this.lastId && (first === undefined || first.id > after + 1));
    return { events: this.events.filter((e) => e.id > after), gap };
  }

  /** Drops every held event (after a resynchronising snapshot the old ones are moot). */
  clear(): void {
    this.events = [];
  }

  /**
   * Resolves when an event arrives after `after`, the outbox closes, or
   * `timeoutMs` passes (then false). Readers must re-check with `read`.
   */
  waitFor(after: number, timeoutMs: number): Promise<boolean> {
    if (this.lastId > after || this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (arrived: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(arrived);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** Wakes every waiting reader (a stream ending, the room shutting a session). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
