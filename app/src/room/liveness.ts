/**
 * Heartbeats and the application-level watchdog for one open socket.
 *
 * TCP can stay "open" for minutes on a dead link (a sleeping laptop, a NAT
 * that forgot us), and the browser only notices when a write fails. The server
 * answers every heartbeat with `pong`, so silence while beats go unanswered
 * means the link is gone: then `onSilent` forces a reconnect.
 */

/** Silence longer than this many heartbeats (with beats unanswered) means the socket is dead. */
export const WATCHDOG_HEARTBEATS = 2.5;
/** Beats that must go unanswered first: a throttled background tab may simply not have asked. */
const UNANSWERED_BEATS = 2;

/** Heartbeat + watchdog timers; `frame()` on every frame received. */
export class Liveness {
  private lastFrameAt = 0;
  private unanswered = 0;
  private beat: ReturnType<typeof setInterval> | undefined;
  private check: ReturnType<typeof setInterval> | undefined;

  constructor(
    /** Sends one heartbeat; false if the socket cannot send. */
    private readonly sendHeartbeat: () => boolean,
    /** The link is silent: reconnect. */
    private readonly onSilent: () => void,
  ) {}

  /** (Re)starts both timers for a socket that just opened or got a new heartbeat interval. */
  start(heartbeatMs: number): void {
    this.stop();
    this.frame();
    this.beat = setInterval(() => this.probe(), heartbeatMs);
    this.check = setInterval(() => {
      if (Date.now() - this.lastFrameAt > WATCHDOG_HEARTBEATS * heartbeatMs && this.unanswered >= UNANSWERED_BEATS) this.onSilent();
    }, heartbeatMs / 2);
  }

  /** Any frame from the server proves the link works. */
  frame(): void {
    this.lastFrameAt = Date.now();
    this.unanswered = 0;
  }

  /** Sends a heartbeat now (also used to test a link that may have gone stale). */
  probe(): void {
    if (this.sendHeartbeat()) this.unanswered++;
  }

  stop(): void {
    clearInterval(this.beat);
    clearInterval(this.check);
  }
}
