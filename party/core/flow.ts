/**
 * Flow control for one link, without `bufferedAmount` (workerd has none and
 * queues outgoing frames without bound): the room counts the bytes it has sent
 * to the link and the bytes the link has proven it read, and decides per frame
 * what to do. Pure: no clock, no sockets; the room feeds it sizes and times.
 *
 * How a link proves it read (PROTOCOL.md §11):
 * - app clients report the total bytes they have received (`read` frames,
 *   `heartbeat.read`);
 * - stock Yjs providers answer every sync step 1 with a step 2, in order: the
 *   room sends a step 1 as a probe once `probeAfterBytes` are unread, and each
 *   step 2 that comes back proves everything sent before its probe;
 * - HTTP sessions acknowledge outbox events (their outbox is the count).
 *
 * The policy, with FLOW's named limits: below `lowBytes` everything goes out;
 * above `highBytes` frames that only need their latest value (presence,
 * awareness) are held, newest per key, until the link is back under
 * `lowBytes`; past `budgetBytes` (plus the link's own unread greeting: a joiner
 * downloading a large document is not slow) or after `stallMs` above
 * `lowBytes` without progress, the link is closed 1013 and resumes losslessly.
 * A link attached to an account (unread.ts) is also closed when its address
 * or the room is past its shared budget and the link is past its share; its
 * `latest` frames are held then instead.
 */
import { FLOW } from "../protocol";
import type { UnreadAccount } from "./unread";

/** What a frame is, for the policy: `latest` frames may be held and replaced. */
export type FrameClass = "event" | "latest" | "greeting";

/** What to do with one frame. */
export type FlowDecision = "send" | "hold" | "close";

export type FlowLimits = { lowBytes: number; highBytes: number; budgetBytes: number; stallMs: number; probeAfterBytes: number };

export class LinkFlow {
  /** Bytes sent to the link, ever. */
  sent = 0;
  /** Bytes the link has proven it read. */
  read = 0;
  /** The last greeting: it counts against the budget only while it is unread. */
  private greetingBytes = 0;
  private greetingEnd = 0;
  /** Sent offsets at which probes went out, oldest first (Yjs links). */
  private probes: number[] = [];
  /** When the link last proved progress (or was last at rest). */
  private progressAt: number;
  /** Whether frames are being held (set above highBytes, cleared below lowBytes). */
  holding = false;
  /** Where this link's unread bytes are summed with others' (unread.ts). */
  private account: UnreadAccount | null = null;

  constructor(
    now: number,
    private readonly limits: FlowLimits = FLOW,
  ) {
    this.progressAt = now;
  }

  /** Bytes sent and not yet proven read. */
  get unread(): number {
    return this.sent - this.read;
  }

  /** What to do with a frame of `bytes` and class `cls` at `now`. */
  decide(bytes: number, cls: FrameClass): FlowDecision {
    const unread = this.unread;
    // The greeting while unread is a joiner's download, not lag: it counts toward neither the link's budget nor its share of a shared one.
    if (cls === "greeting") return "send";
    const pastShare = this.account?.over(bytes, unread - this.unreadGreeting() + bytes) ?? false;
    // A frame that only needs its latest value waits rather than costing the link its connection: past its share of a shared
    // budget too, since in a join storm those frames are most of what a crowd's links have in flight.
    if (cls === "latest" && (this.holding || unread > this.limits.highBytes || pastShare)) {
      this.holding = true;
      return "hold";
    }
    if (unread + bytes > this.allowance() || pastShare) return "close";
    return "send";
  }

  /** Sums this link's unread bytes into `account` from now on (what is unread already included). */
  attach(account: UnreadAccount): void {
    this.account = account;
    account.add(this.unread);
  }

  /** The link ended: its unread bytes leave the account. */
  detach(): void {
    this.account?.add(-this.unread);
    this.account?.close();
    this.account = null;
  }

  /** Records a frame sent. */
  onSent(bytes: number, cls: FrameClass, now: number): void {
    if (this.unread === 0) this.progressAt = now;
    this.sent += bytes;
    this.account?.add(bytes);
    if (cls === "greeting") {
      // A greeting is several frames (step 2, awareness states): they add up until the link has read them.
      if (this.greetingEnd <= this.read) this.greetingBytes = 0;
      this.greetingBytes += bytes;
      this.greetingEnd = this.sent;
    }
  }

  /**
   * The link proved it has read `total` bytes (an app client's report).
   * Returns true when held frames may go out now.
   */
  onRead(total: number, now: number): boolean {
    // Never beyond what was sent: a client cannot report its way out of the budget.
    const read = Math.min(total, this.sent);
    if (read > this.read) {
      this.account?.add(this.read - read);
      this.read = read;
      this.progressAt = now;
    }
    return this.release();
  }

  /** A probe (sync step 1) of `bytes` is about to go out: its answer will prove everything up to and including it. */
  onProbeSent(bytes: number): void {
    this.probes.push(this.sent + bytes);
  }

  /** A probe was answered (a sync step 2 arrived). Returns true when held frames may go out now. */
  onProbeAnswered(now: number): boolean {
    const upTo = this.probes.shift();
    return upTo === undefined ? false : this.onRead(upTo, now);
  }

  /** Whether a probe should go out now: enough unread since the last proof, and none in flight. */
  wantsProbe(): boolean {
    return this.probes.length === 0 && this.unread >= this.limits.probeAfterBytes;
  }

  /** When the link must have proven progress by, or null while it is under lowBytes. */
  stallDeadline(): number | null {
    return this.unread > this.limits.lowBytes ? this.progressAt + this.limits.stallMs : null;
  }

  /**
   * Counters kept in the link's record, so a woken room carries on from them.
   * A record is saved at most a second behind, so `sent` may be a little low:
   * a report past it is clamped to it (unread 0), and counting starts again
   * from there. Probes in flight are forgotten: the next one is sent as needed.
   */
  snapshot(): [sent: number, read: number] {
    return [this.sent, this.read];
  }

  restore([sent, read]: [number, number]): void {
    this.sent = sent;
    this.read = Math.min(read, sent);
  }

  /** The part of the last greeting not yet proven read. */
  private unreadGreeting(): number {
    return Math.max(0, Math.min(this.greetingBytes, this.greetingEnd - this.read));
  }

  /** The budget, plus the link's greeting while it is unread. */
  private allowance(): number {
    return this.limits.budgetBytes + (this.greetingEnd > this.read ? this.greetingBytes : 0);
  }

  private release(): boolean {
    if (this.holding && this.unread <= this.limits.lowBytes) {
      this.holding = false;
      return true;
    }
    return false;
  }
}
