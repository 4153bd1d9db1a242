/**
 * The outgoing side of an HTTP session (SSE or long polling), as a plain
 * module: every frame the room sends to the session is appended here with an
 * id that only grows, and stays until the client shows it has it (the
 * `Last-Event-ID` of a reconnecting EventSource, the `after` of the next poll,
 * or an SSE write the runtime took). So a message published while no request
 * is open is simply picked up by the next one: nothing waits for a timeout and
 * nothing is lost.
 *
 * What it holds is counted in bytes (`bytes`): the session's unread backlog,
 * which flow control (flow.ts) keeps within the link budget. A client resuming
 * from before what is held (dropped by `clear`, or a room that woke up with an
 * empty outbox) is told it has a gap and gets a fresh snapshot instead.
 */
import { utf8Length } from "../protocol";

/** One outgoing frame: JSON text (the app protocol) or a binary Yjs frame, and its size in bytes. */
export type OutboxEvent = { id: number; data: string | Uint8Array; bytes: number };

export class Outbox {
  private events: OutboxEvent[] = [];
  private nextId: number;
  private heldBytes = 0;
  private waiters = new Set<() => void>();
  /** Set once the room has closed the session; readers see it after the last event. */
  closed: { code: number; reason: string } | null = null;

  /** `firstId`: where numbering starts (a woken room continues past what the client may hold). */
  constructor(firstId = 1) {
    this.nextId = firstId;
  }

  /** Id of the newest event (firstId - 1 before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Events held. */
  get size(): number {
    return this.events.length;
  }

  /** Bytes held: frames the client has not yet shown it has. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Readers waiting for the next event (open SSE streams, held polls). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Appends a frame and wakes every waiting reader; returns its size as counted. */
  push(data: string | Uint8Array, size?: number): number {
    if (this.closed) return 0;
    const bytes = size ?? (typeof data === "string" ? utf8Length(data) : data.byteLength);
    this.events.push({ id: this.nextId++, data, bytes });
    this.heldBytes += bytes;
    this.wake();
    return bytes;
  }

  /** Marks the session closed; readers get the close after the remaining events. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.wake();
  }

  /** The client has every event up to `upTo`: forget them. */
  ack(upTo: number): void {
    let drop = 0;
    while (drop < this.events.length && this.events[drop]!.id <= upTo) this.heldBytes -= this.events[drop++]!.bytes;
    if (drop > 0) this.events.splice(0, drop);
  }

  /**
   * Events up to `upTo` were written to a stream the runtime took them from:
   * the client has them unless the connection drops. The newest `keepBytes`
   * of them stay for a resume by Last-Event-ID; older ones are dropped (a
   * resume from before them is a gap and gets a fresh welcome).
   */
  written(upTo: number, keepBytes: number): void {
    let written = this.heldBytes;
    for (let i = this.events.length - 1; i >= 0 && this.events[i]!.id > upTo; i--) written -= this.events[i]!.bytes;
    let drop = 0;
    while (written > keepBytes) written -= this.events[drop++]!.bytes;
    if (drop > 0) this.ack(this.events[drop - 1]!.id);
  }

  /**
   * Events after `after`. `gap` is true when some of them are no longer held
   * (or `after` is from the future, another instance's numbering): the client
   * must then resynchronise.
   */
  read(after: number): { events: OutboxEvent[]; gap: boolean } {
    const first = this.events[0];
    const gap = after > this.lastId || (after < this.lastId && (first === undefined || first.id > after + 1));
    // Held ids are consecutive (push numbers them, ack and clear drop from the front), so the first newer one is found by index.
    return { events: first === undefined ? [] : this.events.slice(Math.max(0, after + 1 - first.id)), gap };
  }

  /** Drops every held event (after a resynchronising snapshot the old ones are moot). */
  clear(): void {
    this.events = [];
    this.heldBytes = 0;
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
