/**
 * When presence deltas go out, as a pure function of time: at once when
 * presence is quiet; in a burst (a crowd joining) merged and sent at most once
 * per window, so 1,000 joins in a few seconds cost each client tens of
 * frames, not a thousand. Deltas carry whole person states and final leaves,
 * so a merged one that reaches a connection after its welcome changes nothing.
 */
import type { PresenceDelta } from "../protocol";
import { mergeDeltas } from "./presence";
import type { Transport } from "./session";

/**
 * In quiet, up to QUIET_FRAMES frames go out at once within any
 * QUIET_WINDOW_MS; what comes past them is merged and sent when the window
 * allows. A few things happening together (a sweep closing four ghosts within
 * a few ms) all go out at once: with one frame per window, as this was, three
 * of them waited up to 20 ms past their TTL. A crowd arriving together (thirty
 * hellos at once) still costs each client a few frames, not thirty.
 */
export const QUIET_WINDOW_MS = 20;
export const QUIET_FRAMES = 5;
/** In a burst, while more than BURST_PER_SECOND deltas arrive in a second (or did in the second before), one frame every BURST_WINDOW_MS. */
export const BURST_WINDOW_MS = 100;
export const BURST_PER_SECOND = 40;
/**
 * What a delta costs is one send per link: a burst is also more than
 * SENDS_PER_SECOND sends in a second, and in one the window widens so the
 * room sends at most about that many presence frames a second. In a room of
 * 5,000, forty joins a second stayed "quiet" and went out one by one, 200,000
 * sends a second; the room fell behind its hellos, which came slower still,
 * and it never left the quiet mode (hellos timed out, 4408). Now the third
 * delta in a second is a burst there, and frames go every 500 ms.
 */
export const SENDS_PER_SECOND = 10_000;

/**
 * A send, counted in WebSocket sends, by the link's transport: a frame to an
 * HTTP session is a stream write (SSE) or a whole answer and the next request
 * (long polling), several times a socket's send on the server. The weights
 * are the medians of `npm run bench:send-cost` (docs/bench/send-cost.json,
 * `overWebsocket`), rounded; tests/unit/presence.test.ts keeps them so. A
 * room of pollers gets presence seldom in a crowd: each frame to each of them
 * is a request the server answers, and polls carry what waited. Counted as one, a
 * thousand SSE sessions opening in one room had presence every burst window, each
 * frame a thousand stream writes: the server's core saturated, the opens
 * slowed, more windows passed while they came, and workerd reset requests it
 * had not read by its idle close (`npm run bench:sse-open`).
 */
export const SEND_COST: Readonly<Record<Transport, number>> = { websocket: 1, sse: 5, poll: 47 };

export class PresenceBatcher {
  private pending: PresenceDelta | null = null;
  /** When the last QUIET_FRAMES frames went out, oldest first. */
  private recent: number[] = [];
  private flushAt: number | null = null;
  /** Deltas seen since `second` began, to tell a burst from the usual trickle. */
  private count = 0;
  private second = Number.NEGATIVE_INFINITY;
  /**
   * Deltas in the second before `second`, when it ran right up to it: a storm
   * stays batched across the boundary instead of being let through
   * BURST_PER_SECOND deltas at a time at the start of every second.
   */
  private previous = 0;

  /**
   * Adds a delta. `send` is what goes out now (null while a window is open);
   * `flushAt`, when set, is when the caller must call `flush` (a new window opened).
   * `sends` is what one frame to every link costs: SEND_COST summed over the links.
   */
  add(delta: PresenceDelta | null, now: number, sends = 1): { send: PresenceDelta | null; flushAt: number | null } {
    if (!delta) return { send: null, flushAt: null };
    if (now - this.second >= 1000) {
      this.previous = now - this.second < 2000 ? this.count : 0;
      this.second = now;
      this.count = 0;
    }
    this.count++;
    this.pending = mergeDeltas(this.pending, delta);
    if (this.flushAt !== null) return { send: null, flushAt: null };
    const busiest = Math.max(this.count, this.previous);
    const burst = busiest > BURST_PER_SECOND || busiest * sends > SENDS_PER_SECOND;
    const due = burst ? this.lastSent() + Math.max(BURST_WINDOW_MS, (sends * 1000) / SENDS_PER_SECOND) : this.quietDue();
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

  private lastSent(): number {
    return this.recent.at(-1) ?? Number.NEGATIVE_INFINITY;
  }

  /** When the next quiet frame may go: now, unless QUIET_FRAMES went out within the last window. */
  private quietDue(): number {
    return this.recent.length < QUIET_FRAMES ? Number.NEGATIVE_INFINITY : this.recent[0]! + QUIET_WINDOW_MS;
  }

  private take(now: number): PresenceDelta | null {
    const out = this.pending;
    this.pending = null;
    this.flushAt = null;
    if (out) {
      this.recent.push(now);
      if (this.recent.length > QUIET_FRAMES) this.recent.shift();
    }
    return out;
  }
}
