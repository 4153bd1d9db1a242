/**
 * The client's view of a room's chat: an ordered, gap-free, duplicate-free run
 * of messages, fed from four sources that can overlap and arrive in any order
 * (welcome, live `chat` broadcasts, `sync` replies, `history` replies).
 *
 * Invariants:
 * - `messages` is ascending and contiguous: seqs `oldestSeq .. lastSeq`, each once.
 * - `lastSeq` is the highest contiguous seq; anything above `lastSeq + 1`
 *   waits in a buffer until the hole is filled (by a `sync` the client sends
 *   when `hasGap()` says so).
 * - A seq at or below `lastSeq` is never shown again, whatever the source.
 *
 * No sockets, no clocks: the room client feeds it and asks `hasGap()`.
 */
import type { ChatMessage } from "../../../party/protocol";

/** The part of a `welcome` the log needs. */
export type WelcomeChat = { seq: number; messages: readonly ChatMessage[] };
/** The part of a `messages` reply the log needs. */
export type ChatPage = { messages: readonly ChatMessage[]; hasMore: boolean; seq: number };

/** Ordered, deduplicated chat with gap detection (see the module comment). */
export class ChatTimeline {
  private shown: ChatMessage[] = [];
  /** Messages above lastSeq + 1, or every message seen before the first welcome. */
  private readonly ahead = new Map<number, ChatMessage>();
  private based = false;
  private last = 0;
  private oldest = 1;
  private older = false;
  /** Highest seq the server is known to have (welcome.seq, acks, replies, broadcasts). */
  private known = 0;

  /** Messages in seq order, contiguous, no duplicates. */
  get messages(): readonly ChatMessage[] {
    return this.shown;
  }

  /** Highest contiguous seq held (0 before the first welcome or in an empty room). */
  get lastSeq(): number {
    return this.last;
  }

  /** The seq to pass as `history.before` to load older messages. */
  get oldestSeq(): number {
    return this.oldest;
  }

  /** True while the server has messages older than the oldest held. */
  get hasOlder(): boolean {
    return this.older;
  }

  /** True once a welcome fixed where this log starts; from then on hello carries `lastSeq`. */
  get isBased(): boolean {
    return this.based;
  }

  /**
   * Applies a welcome. `resumed` says whether the hello carried `lastSeq`
   * (then the welcome holds what came after it; otherwise the latest page).
   * If the room's seq went backwards (its log was wiped), the log restarts empty.
   */
  welcome(welcome: WelcomeChat, resumed: boolean): void {
    if (resumed && this.based && welcome.seq < this.last) this.reset();
    if (!resumed || !this.based) {
      this.base(welcome.messages, welcome.seq);
    } else {
      for (const m of welcome.messages) this.insert(m);
    }
    this.noteSeq(welcome.seq);
  }

  /** Adds one live message (a `chat` broadcast). Duplicates and old seqs are ignored. */
  live(message: ChatMessage): void {
    this.insert(message);
  }

  /** Records that the server has at least `seq` (from an ack or a reply), so a hole shows up. */
  noteSeq(seq: number): void {
    if (seq > this.known) this.known = seq;
  }

  /** Applies a `sync` reply. Returns true if it moved `lastSeq` (so asking again can help). */
  syncPage(page: ChatPage): boolean {
    const before = this.last;
    for (const m of page.messages) this.insert(m);
    this.noteSeq(page.seq);
    return this.last > before;
  }

  /**
   * Applies a `history` reply (older messages, ascending). Only the run that
   * ends right below `oldestSeq` is taken, so the log stays contiguous.
   */
  historyPage(page: ChatPage): void {
    this.noteSeq(page.seq);
    const run: ChatMessage[] = [];
    let want = this.oldest - 1;
    for (let i = page.messages.length - 1; i >= 0; i--) {
      const m = page.messages[i]!;
      if (m.seq > want) continue;
      if (m.seq < want) break;
      run.push(m);
      want--;
    }
    if (run.length === 0) {
      // An empty page settles the question; a page that does not fit (stale) changes nothing.
      if (page.messages.length === 0) this.older = page.hasMore;
      return;
    }
    run.reverse();
    this.shown = [...run, ...this.shown];
    this.oldest = run[0]!.seq;
    this.older = this.oldest > 1 && (page.hasMore || run.length < page.messages.length);
  }

  /** True when messages are known to exist after `lastSeq`: time to send `sync`. */
  hasGap(): boolean {
    return this.based && (this.ahead.size > 0 || this.known > this.last);
  }

  private base(messages: readonly ChatMessage[], seq: number): void {
    const sorted = [...messages].sort((a, b) => a.seq - b.seq);
    this.shown = [];
    for (const m of sorted) {
      // Keep the contiguous run that ends at the newest message.
      const prev = this.shown[this.shown.length - 1];
      if (prev && m.seq === prev.seq) continue;
      if (prev && m.seq !== prev.seq + 1) this.shown = [];
      this.shown.push(m);
    }
    const first = this.shown[0];
    const lastMsg = this.shown[this.shown.length - 1];
    this.last = lastMsg ? lastMsg.seq : seq;
    this.oldest = first ? first.seq : seq + 1;
    this.older = this.oldest > 1;
    this.based = true;
    // Broadcasts that raced ahead of the welcome: keep the new ones, drop the rest.
    const early = [...this.ahead.values()];
    this.ahead.clear();
    for (const m of early) this.insert(m);
  }

  private insert(m: ChatMessage): void {
    this.noteSeq(m.seq);
    if (!this.based) {
      this.ahead.set(m.seq, m);
      return;
    }
    if (m.seq <= this.last) return;
    if (m.seq > this.last + 1) {
      this.ahead.set(m.seq, m);
      return;
    }
    this.shown.push(m);
    this.last = m.seq;
    for (let next = this.ahead.get(this.last + 1); next; next = this.ahead.get(this.last + 1)) {
      this.ahead.delete(next.seq);
      this.shown.push(next);
      this.last = next.seq;
    }
    // Anything left at or below lastSeq in the buffer is a duplicate.
    for (const seq of this.ahead.keys()) if (seq <= this.last) this.ahead.delete(seq);
  }

  private reset(): void {
    this.shown = [];
    this.ahead.clear();
    this.based = false;
    this.last = 0;
    this.oldest = 1;
    this.older = false;
    this.known = 0;
  }
}
