/**
 * The room's webhook queue, kept in storage so that hibernation, a crash or a
 * receiver that is down loses nothing: events get consecutive `seq`s and wait
 * under `wh:e:<seq>` until delivered. The queue is bounded: past
 * WEBHOOK_QUEUE_MAX the oldest event is dropped and counted. Alongside it,
 * `wh:meta` keeps the counters and the head's retry state, and `wh:log` the
 * latest delivery attempts for the inspector.
 *
 * Writes go through one chain, in the order `push` was called, so a crash
 * can lose only a suffix of what was queued, never leave a hole.
 */
import type { WebhookAttempt, WebhookBody } from "../protocol";
import type { RoomStorage } from "./ports";

/** Most events waiting at once; the oldest is dropped past it. */
export const WEBHOOK_QUEUE_MAX = 1_000;
/** Delivery attempts kept for the inspector. */
export const WEBHOOK_LOG_MAX = 50;

const META_KEY = "wh:meta";
const LOG_KEY = "wh:log";
const EVENT_PREFIX = "wh:e:";

/** Counters and the head's retry state. */
export type QueueMeta = {
  /** The seq the next event gets. */
  next: number;
  /** The oldest event not yet delivered (== next when the queue is empty). */
  head: number;
  dropped: number;
  delivered: number;
  failedAttempts: number;
  /** Failed attempts at the head event so far. */
  attempt: number;
  nextAttemptAt: number | null;
};

const eventKey = (seq: number) => EVENT_PREFIX + String(seq).padStart(12, "0");

export class WebhookQueue {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly storage: RoomStorage,
    readonly meta: QueueMeta,
    readonly log: WebhookAttempt[],
  ) {}

  /** The queue as the room left it. */
  static async load(storage: RoomStorage): Promise<WebhookQueue> {
    const meta = (await storage.get<QueueMeta>(META_KEY)) ?? { next: 1, head: 1, dropped: 0, delivered: 0, failedAttempts: 0, attempt: 0, nextAttemptAt: null };
    return new WebhookQueue(storage, meta, (await storage.get<WebhookAttempt[]>(LOG_KEY)) ?? []);
  }

  /** Events waiting. */
  get size(): number {
    return this.meta.next - this.meta.head;
  }

  /** Gives the next seq to `make` and queues its result, dropping the oldest event when full. */
  push(make: (seq: number) => WebhookBody): WebhookBody {
    const body = make(this.meta.next++);
    const writes: Record<string, unknown> = { [eventKey(body.seq)]: JSON.stringify(body) };
    const drop: string[] = [];
    while (this.size > WEBHOOK_QUEUE_MAX) {
      drop.push(eventKey(this.meta.head++));
      this.meta.dropped++;
      this.meta.attempt = 0;
    }
    writes[META_KEY] = { ...this.meta };
    this.write(async () => {
      await this.storage.put(writes);
      if (drop.length) await this.storage.delete(drop);
    });
    return body;
  }

  /** The oldest undelivered event as stored (the exact body that is signed and sent), or null when empty. */
  async head(): Promise<{ seq: number; body: string } | null> {
    await this.chain;
    while (this.meta.head < this.meta.next) {
      const seq = this.meta.head;
      const body = await this.storage.get<string>(eventKey(seq));
      if (body !== undefined) return { seq, body };
      // Lost in a crash between its seq and its write: skip it rather than wait forever.
      this.meta.head++;
    }
    return null;
  }

  /** `seq` was delivered: it leaves the queue. */
  delivered(seq: number, attempt: WebhookAttempt): Promise<void> {
    if (this.meta.head === seq) this.meta.head = seq + 1;
    this.meta.delivered++;
    this.meta.attempt = 0;
    this.meta.nextAttemptAt = null;
    this.record(attempt);
    const meta = { ...this.meta };
    const log = [...this.log];
    return this.write(async () => {
      await this.storage.put({ [META_KEY]: meta, [LOG_KEY]: log });
      await this.storage.delete(eventKey(seq));
    });
  }

  /** An attempt at the head failed; it is tried again at `retryAt`. */
  failed(attempt: WebhookAttempt, retryAt: number): Promise<void> {
    this.meta.attempt++;
    this.meta.failedAttempts++;
    this.meta.nextAttemptAt = retryAt;
    this.record(attempt);
    const meta = { ...this.meta };
    const log = [...this.log];
    return this.write(() => this.storage.put({ [META_KEY]: meta, [LOG_KEY]: log }));
  }

  private record(attempt: WebhookAttempt): void {
    this.log.push(attempt);
    if (this.log.length > WEBHOOK_LOG_MAX) this.log.splice(0, this.log.length - WEBHOOK_LOG_MAX);
  }

  private write(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
