/**
 * partysocket with our own reconnect schedule.
 *
 * partysocket computes its delay in `_getNextDelay` (deterministic, no
 * jitter) and sleeps in `_wait`, an un-cancellable setTimeout. Both are
 * private in its typings, so a subclass cannot override them type-safely;
 * instead this class replaces `_wait` on the instance (checked to exist, the
 * version is pinned) with a wait that
 * - takes its length from `delayFor(attempt)` (jittered backoff),
 * - reports the attempt and the time of the retry (for ConnectionState),
 * - can be cut short by `skipWait()` (reconnectNow, `online`, tab visible),
 *   which partysocket's own `reconnect()` cannot do while a wait is running.
 * Everything else (timeouts, the retry counter and its reset after `minUptime`
 * of stable connection, `shouldReconnectOnClose`) stays partysocket's.
 */
import PartySocket, { type PartySocketOptions } from "partysocket";

/** What the socket tells its owner about its retry schedule. */
export type RetryHooks = {
  /** Delay before attempt `attempt` (0 = first try or a forced reconnect). */
  delayFor(attempt: number): number;
  /** A wait started: attempt `attempt` will start at `at` (epoch ms). */
  onWait(attempt: number, at: number): void;
  /** The wait ended (timer or skip): attempt `attempt` is starting now. */
  onAttempt(attempt: number): void;
};

type Internals = { _wait?: () => Promise<void>; _ws?: { readyState: number; terminate?: () => void } };

/**
 * How long a socket we closed gets to finish the close handshake. In Node, `ws`
 * otherwise waits 30 s (and keeps the process alive) for a reply that
 * `partykit dev` never sends, or that a dead link cannot carry.
 */
const CLOSE_GRACE_MS = 1_000;

/** A PartySocket whose retry waits come from `hooks` and can be skipped. */
export class JitteredPartySocket extends PartySocket {
  private waiting: { timer: ReturnType<typeof setTimeout>; finish: () => void } | null = null;

  constructor(
    options: PartySocketOptions,
    private readonly hooks: RetryHooks,
  ) {
    // Start closed so partysocket does not connect before `_wait` is replaced.
    super({ ...options, startClosed: true });
    const internals = this as unknown as Internals;
    if (typeof internals._wait !== "function") {
      throw new Error("partysocket internals changed: `_wait` is gone; update app/src/room/socket.ts");
    }
    internals._wait = () => this.wait();
    this.reconnect();
  }

  /** True while a retry wait is running. */
  get isWaiting(): boolean {
    return this.waiting !== null;
  }

  /** Ends a running retry wait now. Returns false if none was running. */
  skipWait(): boolean {
    const w = this.waiting;
    if (!w) return false;
    clearTimeout(w.timer);
    w.finish();
    return true;
  }

  override close(code?: number, reason?: string): void {
    // A pending wait would otherwise keep a Node process alive until it fires.
    this.skipWait();
    const old = this.current();
    super.close(code, reason);
    retire(old);
  }

  override reconnect(code?: number, reason?: string): void {
    const old = this.current();
    super.reconnect(code, reason);
    if (old !== this.current()) retire(old);
  }

  private current(): Internals["_ws"] {
    return (this as unknown as Internals)._ws;
  }

  private wait(): Promise<void> {
    // partysocket has already counted this attempt; its counter resets after minUptime.
    const attempt = this.retryCount;
    const delay = Math.max(0, this.hooks.delayFor(attempt));
    this.hooks.onWait(attempt, Date.now() + delay);
    return new Promise<void>((resolve) => {
      const finish = () => {
        this.waiting = null;
        this.hooks.onAttempt(attempt);
        resolve();
      };
      this.waiting = { timer: setTimeout(finish, delay), finish };
    });
  }
}

/** Ends a closing socket after the grace period if it has `terminate` (the `ws` package). */
function retire(ws: Internals["_ws"]): void {
  if (!ws || typeof ws.terminate !== "function") return;
  const timer = setTimeout(() => ws.terminate?.(), CLOSE_GRACE_MS);
  // Never the reason a process stays up.
  (timer as { unref?: () => void }).unref?.();
}
