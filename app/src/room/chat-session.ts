/**
 * The chat half of the app protocol for one room client: turns server frames
 * into the ordered log (chat-log) and the pending queue (pending), and decides
 * what to send: queued messages after every welcome, `sync` when a hole is
 * known, `history` on request, retries after rate limits. It never touches a
 * socket: `send` returns false when nothing can be sent, and the next welcome
 * makes up for it (everything unacked goes out again under its original id).
 *
 * Order: messages go out in the order written, and the server numbers one
 * socket's messages in arrival order. The one way to break that would be the
 * server refusing a message (rate limit) while accepting a later one, so
 * chat is paced below the server's per-socket budget (RATE_LIMIT) and a
 * refused message holds back everything not yet sent until it is resent.
 */
import { TokenBucket } from "../../../party/core/rate";
import { assertNever, type ClientMessage, LIMITS, RATE_LIMIT, type ServerMessage } from "../../../party/protocol";
import { backoffDelay, type BackoffOptions, type Random } from "./backoff";
import { ChatTimeline } from "./chat-log";
import { randomId } from "./identity";
import type { PendingQueue } from "./pending";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;
type ChatFrame = Extract<ServerMessage, { type: "chat" | "ack" | "messages" | "error" }>;

/** Waits for chat the server refused for now (rate_limited, internal). */
const CHAT_RETRY: BackoffOptions = { baseMs: 1_000, capMs: 10_000, floorMs: 250 };
/**
 * This client's chat budget per socket: two thirds of the server's, leaving
 * room for heartbeats, presence, sync and history frames on the same bucket.
 */
const CHAT_BUDGET = { burst: Math.floor((RATE_LIMIT.burst * 2) / 3), perSecond: Math.floor((RATE_LIMIT.perSecond * 2) / 3) };
/** Error codes after which a chat message is worth sending again unchanged. */
const RETRYABLE = new Set(["rate_limited", "internal"]);
/**
 * `sync` requests per socket, from what chat leaves of the room's frame rate
 * (heartbeats and presence keep the rest). A resume after a long absence may
 * take many pages (each at most LIMITS.pageBytes): asked for as fast as they
 * come back, they would hit the room's rate limit and strike out the socket.
 */
const SYNC_BUDGET = { burst: 5, perSecond: 3 };
/** A refused `sync` or `history` request is asked again after this long. */
const REQUEST_RETRY_MS = 1_000;

/** Chat state and rules for one client across all of its sockets. */
export class ChatSession {
  readonly log = new ChatTimeline();
  private socket: number | null = null;
  private syncInFlight = false;
  /** A sync reply made no progress: stop asking until something new arrives. */
  private syncStalled = false;
  private loading = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private budget = new TokenBucket(CHAT_BUDGET.burst, CHAT_BUDGET.perSecond, Date.now());
  private syncBudget = new TokenBucket(SYNC_BUDGET.burst, SYNC_BUDGET.perSecond, Date.now());

  constructor(
    readonly pending: PendingQueue,
    private readonly clientId: string,
    private readonly send: (msg: ClientMessage) => boolean,
    /** Called when a held message's wait is over and it went out (state may have changed). */
    private readonly onChange: () => void,
    private readonly random: Random = Math.random,
  ) {}

  /** True while a history request is out. */
  get loadingOlder(): boolean {
    return this.loading;
  }

  /** `lastSeq` for a hello on a new socket, or undefined for a first join (latest page wanted). */
  helloLastSeq(): number | undefined {
    return this.log.isBased ? this.log.lastSeq : undefined;
  }

  /** A welcome arrived on socket `generation`; `resumed` says whether its hello carried lastSeq. */
  welcome(msg: Welcome, generation: number, resumed: boolean): void {
    this.socket = generation;
    this.budget = new TokenBucket(CHAT_BUDGET.burst, CHAT_BUDGET.perSecond, Date.now());
    this.syncBudget = new TokenBucket(SYNC_BUDGET.burst, SYNC_BUDGET.perSecond, Date.now());
    this.syncInFlight = false;
    this.syncStalled = false;
    this.log.welcome(msg, resumed);
    this.settleSeen(msg.messages);
    // A new socket has a fresh rate-limit budget, and whatever was in flight may be lost.
    this.pending.releaseHolds();
    this.flush();
    this.requestMissing();
    // An empty log with older messages (a wiped-and-refilled room): show its latest page.
    if (this.log.messages.length === 0 && this.log.hasOlder) this.loadOlder();
  }

  /** The socket closed: nothing is in flight any more. */
  disconnected(): void {
    this.socket = null;
    this.syncInFlight = false;
    this.loading = false;
    clearTimeout(this.retryTimer);
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
  }

  /** Handles a chat-related server frame. */
  receive(msg: ChatFrame): void {
    switch (msg.type) {
      case "chat":
        this.log.live(msg.message);
        this.settleSeen([msg.message]);
        this.syncStalled = false;
        break;
      case "ack":
        this.pending.settle(msg.id);
        this.log.noteSeq(msg.seq);
        this.syncStalled = false;
        break;
      case "messages":
        this.settleSeen(msg.messages);
        if (msg.for === "sync") {
          this.syncInFlight = false;
          this.syncStalled = !this.log.syncPage(msg);
        } else {
          this.loading = false;
          this.log.historyPage(msg);
        }
        break;
      case "error":
        this.refused(msg);
        break;
      default:
        assertNever(msg);
    }
    this.requestMissing();
  }

  /** Queues a message and sends it if a socket is welcomed. Blank text is ignored. */
  write(text: string): void {
    if (text.trim() === "") return;
    const tooLong = text.length > LIMITS.chatTextMax ? `messages are limited to ${LIMITS.chatTextMax} characters` : undefined;
    this.pending.add(randomId(), text, Date.now(), tooLong);
    this.flush();
  }

  /** Puts a failed message back in line with its original id. */
  retry(id: string): boolean {
    if (!this.pending.retry(id)) return false;
    this.flush();
    return true;
  }

  /** Asks for the page before the oldest message held. Returns whether a request went out. */
  loadOlder(): boolean {
    if (this.socket === null || this.loading || !this.log.hasOlder) return false;
    this.loading = this.send({ type: "history", before: this.log.oldestSeq });
    return this.loading;
  }

  /** Stops the retry timer. */
  destroy(): void {
    this.disconnected();
  }

  private refused(msg: Extract<ServerMessage, { type: "error" }>): void {
    if (msg.ref === "sync" && this.syncInFlight) {
      // Asked again later (requestMissing runs after every frame, but must wait for the timer).
      this.syncInFlight = false;
      this.syncStalled = !RETRYABLE.has(msg.code);
      if (!this.syncStalled) this.armSync(REQUEST_RETRY_MS);
      return;
    }
    if (msg.ref === "history" && this.loading) {
      this.loading = false;
      return;
    }
    if (msg.ref === undefined || !this.pending.has(msg.ref)) {
      console.warn(`partyroom: server error ${msg.code}: ${msg.message}`);
      return;
    }
    if (!RETRYABLE.has(msg.code)) {
      this.pending.fail(msg.ref, msg.message);
      return;
    }
    this.pending.defer(msg.ref, Date.now(), (held) => backoffDelay(held, this.random, CHAT_RETRY));
    this.flush();
  }

  /** Sends due pending messages in order within the budget, and arms a timer for the rest. */
  private flush(): void {
    clearTimeout(this.retryTimer);
    if (this.socket === null) return;
    const now = Date.now();
    let overBudget = false;
    const admit = () => {
      if (this.budget.take(now)) return true;
      overBudget = true;
      return false;
    };
    for (const item of this.pending.takeDue(this.socket, now, admit)) this.send({ type: "chat", id: item.id, text: item.text });
    const held = this.pending.nextRetryAt();
    const budgetAt = overBudget ? now + this.budget.retryAfterMs(now) : null;
    const next = held === null ? budgetAt : budgetAt === null ? held : Math.min(held, budgetAt);
    if (next === null) return;
    this.retryTimer = setTimeout(() => {
      this.flush();
      this.onChange();
    }, Math.max(0, next - now));
  }

  /** Asks for messages after lastSeq when a hole is known, one request at a time, within SYNC_BUDGET. */
  private requestMissing(): void {
    if (this.socket === null || this.syncInFlight || this.syncStalled || this.syncTimer !== undefined || !this.log.hasGap()) return;
    const now = Date.now();
    if (!this.syncBudget.take(now)) return this.armSync(this.syncBudget.retryAfterMs(now));
    this.syncInFlight = this.send({ type: "sync", after: this.log.lastSeq });
  }

  /** Runs requestMissing again after `ms`. */
  private armSync(ms: number): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.requestMissing();
      this.onChange();
    }, ms);
  }

  /** Own messages seen in the log were stored: they are no longer pending. */
  private settleSeen(messages: readonly { clientId: string; id: string }[]): void {
    for (const m of messages) if (m.clientId === this.clientId) this.pending.settle(m.id);
  }
}
