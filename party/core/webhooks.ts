/**
 * Webhooks: the room POSTs what happened (room started and emptied, people
 * joining and leaving, chat messages, document changes) to the embedder's
 * backend, signed as Standard Webhooks specifies (webhook-signing.ts).
 *
 * Delivery is at-least-once and in order per room: events wait in a bounded
 * queue in storage (webhook-queue.ts) and are sent one at a time, oldest
 * first, from the room's alarm (the `webhooks` job), never on a message's
 * path, so a slow or dead receiver never slows the room. An event is only
 * removed once the receiver answered 2xx; a failure is retried with
 * exponential backoff and full jitter, the next event waiting behind it.
 * Every event keeps its id across attempts (`webhook-id`), so a receiver
 * that deduplicates on it sees each event exactly once, in `seq` order.
 *
 * Document changes are debounced (`webhook-doc` job): one event per quiet
 * DOC_DEBOUNCE_MS, not one per keystroke.
 */
import type { WebhookAttempt, WebhookBody, WebhookEventType, WebhookStatus } from "../protocol";
import type { RoomCore } from "./room";
import type { RoomEvent } from "./room-events";
import { WebhookQueue } from "./webhook-queue";
import type { WebhookSigner } from "./webhook-signing";

/** One POST: the status the receiver answered, or why there was none. */
export type Post = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<{ status: number } | { error: string }>;

export type WebhookConfig = { url: string; signer: WebhookSigner; post: Post };

export const WEBHOOK_JOB = "webhooks";
export const WEBHOOK_DOC_JOB = "webhook-doc";
/** A document change is reported once edits pause this long (or at most this late). */
export const DOC_DEBOUNCE_MS = 2_000;
/** Longest wait for a receiver's answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Retry delays: the n-th retry waits up to base * 2^(n-1), at most the cap, with full jitter over the upper half. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 5 * 60_000;
/** Events one alarm delivers before handing over to the next (keeps one alarm short). */
const PER_RUN = 100;

/** The delay before retry number `attempt` (1-based): backoff with jitter, `random` in [0, 1). */
export function retryDelay(attempt: number, random: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export class Webhooks {
  private running = false;
  private again = false;

  private constructor(
    private readonly core: RoomCore,
    private readonly config: WebhookConfig,
    private readonly queue: WebhookQueue,
  ) {}

  /** Attaches webhooks to a room: loads its queue, listens to its events, and resumes delivery. */
  static async attach(core: RoomCore, config: WebhookConfig): Promise<Webhooks> {
    const hooks = new Webhooks(core, config, await WebhookQueue.load(core.deps.storage));
    core.jobs.register(WEBHOOK_JOB, () => hooks.deliver());
    core.jobs.register(WEBHOOK_DOC_JOB, (now) => hooks.pushDoc(now));
    core.events.on((event, now) => hooks.onEvent(event, now));
    // Alarms are lost when the dev server restarts: re-arm for whatever still waits.
    if (hooks.queue.size > 0 && core.jobs.dueAt(WEBHOOK_JOB) === undefined) core.schedule(WEBHOOK_JOB, hooks.queue.meta.nextAttemptAt ?? core.now());
    return hooks;
  }

  /** What the inspector and the metrics show. */
  status(): WebhookStatus {
    const m = this.queue.meta;
    return { configured: true, queued: this.queue.size, dropped: m.dropped, delivered: m.delivered, failedAttempts: m.failedAttempts, nextAttemptAt: m.nextAttemptAt, log: [...this.queue.log] };
  }

  private onEvent(event: RoomEvent, now: number): void {
    switch (event.type) {
      case "started":
        return this.push("room.started", {}, now);
      case "emptied":
        // A document change still in its debounce window happened before the room emptied: report it first.
        if (this.core.jobs.dueAt(WEBHOOK_DOC_JOB) !== undefined) {
          void this.core.jobs.cancel(WEBHOOK_DOC_JOB);
          this.pushDoc(now);
        }
        return this.push("room.emptied", {}, now);
      case "joined":
        return this.push("user.joined", { clientId: event.person.clientId, name: event.person.name, color: event.person.color }, now);
      case "left":
        return this.push("user.left", { clientId: event.clientId }, now);
      case "chat":
        return this.push("chat.message.created", { message: event.message }, now);
      case "doc":
        if (this.core.jobs.dueAt(WEBHOOK_DOC_JOB) === undefined) this.core.schedule(WEBHOOK_DOC_JOB, now + DOC_DEBOUNCE_MS);
        return;
      case "size":
        return;
    }
  }

  private pushDoc(now: number): void {
    this.push("document.changed", { bytes: this.core.doc?.store.size ?? null }, now);
  }

  /** Queues an event and, unless a retry is already waiting, asks the alarm to deliver now. */
  private push(type: WebhookEventType, data: Record<string, unknown>, now: number): void {
    const room = this.core.deps.roomId;
    this.queue.push((seq) => ({ id: `evt_${crypto.randomUUID().replaceAll("-", "")}`, type, room, seq, timestamp: new Date(now).toISOString(), data }) satisfies WebhookBody);
    if (this.queue.meta.nextAttemptAt === null && this.core.jobs.dueAt(WEBHOOK_JOB) === undefined) this.core.schedule(WEBHOOK_JOB, now);
  }

  /** The `webhooks` job: sends waiting events oldest first until one fails or the run's share is done. */
  async deliver(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.run();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async run(): Promise<void> {
    for (let sent = 0; sent < PER_RUN; sent++) {
      const head = await this.queue.head();
      if (!head) return;
      const { id, type } = JSON.parse(head.body) as WebhookBody;
      const started = this.core.now();
      const headers = await this.config.signer.headers(id, Math.floor(started / 1000), head.body);
      const result = await this.config.post(this.config.url, headers, head.body, DELIVERY_TIMEOUT_MS);
      const now = this.core.now();
      const attempt: WebhookAttempt = { at: started, event: id, type, attempt: this.queue.meta.attempt + 1, status: "status" in result ? result.status : null, ms: now - started };
      if ("status" in result && result.status >= 200 && result.status < 300) {
        await this.queue.delivered(head.seq, attempt);
        continue;
      }
      if ("error" in result) attempt.error = result.error;
      const retryAt = now + retryDelay(this.queue.meta.attempt + 1, Math.random());
      await this.queue.failed(attempt, retryAt);
      this.core.schedule(WEBHOOK_JOB, retryAt);
      return;
    }
    // More waiting than one run sends: the next alarm carries on.
    this.core.schedule(WEBHOOK_JOB, this.core.now());
  }
}
