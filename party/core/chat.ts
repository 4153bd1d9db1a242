/**
 * The room's ordered chat log, as a plain module over a small storage interface.
 *
 * Invariants:
 * - `seq` only grows, never repeats and survives restarts: it is written in the
 *   same atomic put as the message it numbers, and seqs are contiguous.
 * - Persist before ack: `post` resolves only after the put has completed, and
 *   the caller acks and broadcasts only after that.
 * - Idempotency: a message is keyed by (clientId, client message id); posting
 *   the same pair again returns the original message with `duplicate: true`.
 *   Posts run one at a time, so a double click racing itself is still one message.
 * - Memory is bounded (the newest `recentMax` messages, and the ids of the
 *   newest MEMORY.chatIdsCached posts); older pages and ids come from storage.
 *   The recent page is read on first use, not on load, so a room woken by a
 *   heartbeat reads one key, not two hundred.
 */
import { type ChatMessage, LIMITS, MEMORY, utf8Length } from "../protocol";
import type { RoomStorage } from "./ports";

/** The slice of Durable Object storage the log needs. */
export type LogStorage = Pick<RoomStorage, "get" | "put" | "list">;

export type NewMessage = Omit<ChatMessage, "seq" | "ts">;
export type Page = { messages: ChatMessage[]; hasMore: boolean };

const SEQ_KEY = "chat:seq";
const MSG_PREFIX = "chat:msg:";
const msgKey = (seq: number) => `${MSG_PREFIX}${String(seq).padStart(12, "0")}`;
const idKey = (clientId: string, id: string) => `chat:id:${clientId}:${id}`;

export class ChatLog {
  /** The newest messages, oldest first; null until first read. */
  private recent: ChatMessage[] | null = null;
  private recentLoad: Promise<ChatMessage[]> | null = null;
  private readonly ids = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly storage: LogStorage,
    private seqValue: number,
    private readonly recentMax: number,
    private readonly awaitWrites: boolean,
  ) {}

  /**
   * Loads the sequence number (the newest messages follow on first read).
   * `awaitWrites: false` is for a runtime with an output gate (RoomDeps.outputGate): a post resolves once its write is
   * issued, and the runtime holds the ack and the broadcast until it is durable.
   */
  static async load(storage: LogStorage, { recentMax = 200, awaitWrites = true }: { recentMax?: number; awaitWrites?: boolean } = {}): Promise<ChatLog> {
    const seq = (await storage.get<number>(SEQ_KEY)) ?? 0;
    return new ChatLog(storage, seq, recentMax, awaitWrites);
  }

  /** The latest seq (0 before the first message). */
  get seq(): number {
    return this.seqValue;
  }

  /** Messages held in memory (for the inspector). */
  get inMemory(): number {
    return this.recent?.length ?? 0;
  }

  /** (clientId, id) pairs held in memory to answer retries (for the inspector and tests/bench/heap.ts). */
  get idsInMemory(): number {
    return this.ids.size;
  }

  /** Appends a message, or returns the one already stored under the same ids. */
  post(input: NewMessage, now: number): Promise<{ message: ChatMessage; duplicate: boolean }> {
    const run = this.queue.then(() => this.postNow(input, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async postNow(input: NewMessage, now: number): Promise<{ message: ChatMessage; duplicate: boolean }> {
    const key = idKey(input.clientId, input.id);
    const known = this.ids.get(key) ?? (await this.storage.get<number>(key));
    if (known !== undefined) {
      // Not this.get(): it may wait for the recent page, which waits for this post.
      const first = this.recent?.[0];
      const original = first && known >= first.seq ? this.recent![known - first.seq] : await this.storage.get<ChatMessage>(msgKey(known));
      if (original) return { message: original, duplicate: true };
    }
    const seq = this.seqValue + 1;
    const message: ChatMessage = { ...input, seq, ts: now };
    // One put: the message, its idempotency key and the new seq land together or not at all.
    const write = this.storage.put({ [msgKey(seq)]: message, [key]: seq, [SEQ_KEY]: seq });
    // A failed write behind an output gate resets the whole room (nothing gated goes out), so nothing is acked that is lost.
    if (this.awaitWrites) await write;
    else write.catch((err: unknown) => console.error("partyroom: storing a chat message failed", err));
    this.seqValue = seq;
    if (this.recent) {
      this.recent.push(message);
      if (this.recent.length > this.recentMax) this.recent.splice(0, this.recent.length - this.recentMax);
    }
    this.ids.set(key, seq);
    if (this.ids.size > MEMORY.chatIdsCached) this.ids.delete(this.ids.keys().next().value!);
    return { message, duplicate: false };
  }

  /** One message by seq. */
  async get(seq: number): Promise<ChatMessage | undefined> {
    const recent = await this.newest();
    const first = recent[0];
    if (first && seq >= first.seq) return recent[seq - first.seq];
    return this.storage.get<ChatMessage>(msgKey(seq));
  }

  /** Messages with seq > `after`, oldest first, at most `limit` and (past the first) `maxBytes` of JSON. */
  async after(after: number, limit: number, maxBytes: number = LIMITS.pageBytes): Promise<Page> {
    const from = Math.max(1, after + 1);
    const to = Math.min(this.seqValue, from + limit - 1);
    const messages = await this.range(from, to);
    const kept = fitting(messages, maxBytes);
    return { messages: messages.slice(0, kept), hasMore: kept < messages.length || to < this.seqValue };
  }

  /** Messages with seq < `before`, oldest first, the newest `limit` of them and (past the first) `maxBytes` of JSON. */
  async before(before: number, limit: number, maxBytes: number = LIMITS.pageBytes): Promise<Page> {
    const to = Math.min(before - 1, this.seqValue);
    const from = Math.max(1, to - limit + 1);
    const messages = await this.range(from, to);
    const kept = fitting([...messages].reverse(), maxBytes);
    return { messages: messages.slice(messages.length - kept), hasMore: kept < messages.length || from > 1 };
  }

  /** The newest `limit` messages. */
  latest(limit: number): Promise<Page> {
    return this.before(this.seqValue + 1, limit);
  }

  /**
   * The recent page, read from storage once. The read runs in the post queue,
   * so no post can land between the read and `recent` taking over.
   */
  private newest(): Promise<ChatMessage[]> {
    if (this.recent) return Promise.resolve(this.recent);
    if (!this.recentLoad) {
      this.recentLoad = this.queue.then(async () => {
        const newest = await this.storage.list<ChatMessage>({ prefix: MSG_PREFIX, reverse: true, limit: this.recentMax });
        this.recent = [...newest.values()].reverse();
        return this.recent;
      });
      this.queue = this.recentLoad.catch(() => {
        this.recentLoad = null;
      });
    }
    return this.recentLoad;
  }

  private async range(from: number, to: number): Promise<ChatMessage[]> {
    if (to < from) return [];
    const recent = await this.newest();
    const first = recent[0];
    if (first && from >= first.seq) return recent.slice(from - first.seq, to - first.seq + 1);
    const stored = await this.storage.list<ChatMessage>({ start: msgKey(from), end: msgKey(to + 1) });
    return [...stored.values()];
  }
}

/** How many of `messages`, from the first, fit in `maxBytes` of JSON (at least one, so a page always moves on). */
function fitting(messages: readonly ChatMessage[], maxBytes: number): number {
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    bytes += utf8Length(JSON.stringify(messages[i])) + 1;
    if (bytes > maxBytes && i > 0) return i;
  }
  return messages.length;
}
