/**
 * When presence deltas go out, as a pure function of time: at once when
 * presence is quiet; in a burst (a crowd joining) merged and sent at most once
 * per window, so 1,000 joins in a few seconds cost each client tens of
 * frames, not a thousand. Deltas carry whole person states and final leaves,
 * so a merged one that reaches a connection after its welcome changes nothing.
 */
import type { PresenceDelta } from "../protocol";
import { mergeDeltas } from "./presence";

/** Deltas are merged and sent at most every QUIET_WINDOW_MS ... */
export const QUIET_WINDOW_MS = 20;
/** ... or every BURST_WINDOW_MS while more than BURST_PER_SECOND arrive in a second. */
export const BURST_WINDOW_MS = 100;
export const BURST_PER_SECOND = 40;

export class PresenceBatcher {
  private pending: PresenceDelta | null = null;
  private sentAt = Number.NEGATIVE_INFINITY;
  private flushAt: number | null = null;
  /** Deltas seen since `second` began, to tell a burst from the usual trickle. */
  private count = 0;
  private second = Number.NEGATIVE_INFINITY;

  /**
   * Adds a delta. `send` is what goes out now (null while a window is open);
   * `flushAt`, when set, is when the caller must call `flush` (a new window opened).
   */
  add(delta: PresenceDelta | null, now: number): { send: PresenceDelta | null; flushAt: number | null } {
    if (!delta) return { send: null, flushAt: null };
    if (now - this.second >= 1000) {
      this.second = now;
      this.count = 0;
    }
    this.count++;
    this.pending = mergeDeltas(this.pending, delta);
    if (this.flushAt !== null) return { send: null, flushAt: null };
    const window = this.count > BURST_PER_SECOND ? BURST_WINDOW_MS : QUIET_WINDOW_MS;
    const due = this.sentAt + window;
    if (due <= now) return { send: this.take(now), flushAt: null };
    this.flushAt = due;
    return { send: null, flushAt: due };
  }

  /**
   * The window's timer fired: the merged delta goes out. No check of `now`
   * against the window: in workerd the clock only moves with I/O, so a timer
   * may run while Date.now() still reads a little before its due time.
   */
  flush(now: number): PresenceDelta | null {
    if (this.flushAt === null) return null;
    return this.take(Math.max(now, this.flushAt));
  }

  private take(now: number): PresenceDelta | null {
    const out = this.pending;
    this.pending = null;
    this.flushAt = null;
    this.sentAt = now;
    return out;
  }
}
