/**
 * partysocket on our own retry schedule, through its public API only.
 *
 * partysocket's built-in retries are off (`maxRetries: 0`: it connects once
 * per `reconnect()` call and never again by itself) and it starts closed.
 * This class decides when to call `reconnect()`: after a close, it waits
 * `delayFor(attempt)` (jittered backoff), a wait that `retryNow()` can cut
 * short (Retry now, `online`, tab visible). A connection that stayed open for
 * `stableAfterMs` starts the next outage over at attempt 1. Terminal close
 * codes stop it. Where it is is one union, `SocketPhase`.
 */
import PartySocket, { type PartySocketOptions } from "partysocket";
import { TERMINAL_CLOSE_CODES } from "../../../party/protocol";

/** Why a socket closed. */
export type Close = { code: number; reason: string };

/** What the socket tells its owner. */
export type SocketHooks = {
  /** Delay before attempt `attempt` (1 = first retry). */
  delayFor(attempt: number): number;
  /** A connection attempt starts now (0 = first try or a forced reconnect). */
  onAttempt(attempt: number): void;
  onOpen(): void;
  onMessage(data: unknown): void;
  /** The socket closed; `retry` is when the next attempt starts, or null when none will (terminal code, or closed by us). */
  onClose(close: Close, retry: { attempt: number; at: number } | null): void;
};

/** Where the socket is: one state, no flags. */
export type SocketPhase =
  | { kind: "idle" }
  | { kind: "opening"; attempt: number }
  | { kind: "open"; attempt: number; since: number }
  | { kind: "waiting"; attempt: number; at: number; timer: ReturnType<typeof setTimeout> }
  /** Inside restart(): the old socket's close is being reported; the new attempt follows at once. */
  | { kind: "replacing" }
  | { kind: "stopped" };

/** partysocket's options, minus the retry ones this class owns, plus the stability window. */
export type RoomSocketOptions = Omit<PartySocketOptions, "maxRetries" | "startClosed" | "minUptime" | "WebSocket"> & {
  /** The WebSocket class (or a look-alike such as the HTTP transports' constructor). */
  WebSocket: new (url: string, protocols?: string | string[]) => WebSocket;
  /** A connection open this long counts as stable: the next outage starts the backoff over. */
  stableAfterMs: number;
};

/**
 * How long a socket we closed gets to finish the close handshake. In Node, `ws`
 * otherwise waits 30 s (and keeps the process alive) for a reply that
 * `partykit dev` never sends, or that a dead link cannot carry.
 */
const CLOSE_GRACE_MS = 1_000;

type Terminable = WebSocket & { terminate?: () => void };

/** One room socket with a jittered, skippable retry schedule (see the module comment). */
export class RoomSocket {
  private phase: SocketPhase = { kind: "idle" };
  private readonly ws: PartySocket;
  private readonly stableAfterMs: number;
  /** The transport socket partysocket created last (we construct them, so we know them). */
  private latest: Terminable | null = null;

  constructor(
    options: RoomSocketOptions,
    private readonly hooks: SocketHooks,
  ) {
    const { WebSocket: Base, stableAfterMs, ...rest } = options;
    this.stableAfterMs = stableAfterMs;
    const track = (socket: Terminable) => (this.latest = socket);
    // Returning an object from a constructor makes `new` yield it.
    const Tracked = function (url: string, protocols?: string | string[]) {
      return track(protocols ? new Base(url, protocols) : new Base(url));
    };
    this.ws = new PartySocket({ ...rest, WebSocket: Tracked, maxRetries: 0, startClosed: true });
    this.ws.binaryType = "arraybuffer";
    this.ws.addEventListener("open", this.handleOpen);
    this.ws.addEventListener("message", (e: MessageEvent) => this.hooks.onMessage(e.data));
    this.ws.addEventListener("close", this.handleClose);
  }

  /** The current phase (read-only view for the owner and tests). */
  get state(): Readonly<SocketPhase> {
    return this.phase;
  }

  /** Makes the first connection attempt. */
  start(): void {
    if (this.phase.kind === "idle") this.attempt(0);
  }

  /** Sends a frame on the open socket; false if none is open (nothing is queued). */
  send(data: string | Uint8Array<ArrayBuffer>): boolean {
    return this.phase.kind === "open" && this.ws.send(data);
  }

  /** Ends a running retry wait now. Returns false if none was running. */
  retryNow(): boolean {
    const p = this.phase;
    if (p.kind !== "waiting") return false;
    clearTimeout(p.timer);
    this.attempt(p.attempt);
    return true;
  }

  /** Drops the current socket (if any) and connects again at once, attempt 0 (watchdog, transport switch, Retry now). */
  restart(code?: number, reason?: string): void {
    const p = this.phase;
    if (p.kind === "waiting") {
      clearTimeout(p.timer);
      this.attempt(0);
      return;
    }
    if (p.kind !== "opening" && p.kind !== "open") return;
    const old = this.latest;
    this.phase = { kind: "replacing" };
    // partysocket reports the old socket's close synchronously, then connects.
    this.ws.reconnect(code, reason);
    retire(old);
    this.phase = { kind: "opening", attempt: 0 };
    this.hooks.onAttempt(0);
  }

  /**
   * The room said it is closing this connection with `close` (its own close
   * frame may never arrive): the socket is dropped and handled exactly as if
   * it had closed with that code (terminal codes stop, others retry on the schedule).
   */
  closedByRoom(close: Close): void {
    const p = this.phase;
    if (p.kind !== "open" && p.kind !== "opening") return;
    const old = this.latest;
    // partysocket reports the close with our code synchronously (handleClose); its retries stay ours.
    this.ws.close(close.code, close.reason);
    retire(old);
  }

  /** Closes for good: no more attempts. */
  close(code: number, reason: string): void {
    const p = this.phase;
    if (p.kind === "waiting") clearTimeout(p.timer);
    this.phase = { kind: "stopped" };
    const old = this.latest;
    this.ws.close(code, reason);
    retire(old);
  }

  private attempt(attempt: number): void {
    this.phase = { kind: "opening", attempt };
    this.hooks.onAttempt(attempt);
    this.ws.reconnect();
  }

  private readonly handleOpen = (): void => {
    const p = this.phase;
    if (p.kind !== "opening") return;
    this.phase = { kind: "open", attempt: p.attempt, since: Date.now() };
    this.hooks.onOpen();
  };

  private readonly handleClose = (event: { code: number; reason?: string }): void => {
    const close = { code: event.code, reason: event.reason ?? "" };
    const p = this.phase;
    const now = Date.now();
    switch (p.kind) {
      case "replacing":
        this.hooks.onClose(close, { attempt: 0, at: now });
        return;
      case "opening":
      case "open": {
        if (TERMINAL_CLOSE_CODES.has(close.code)) {
          this.phase = { kind: "stopped" };
          this.hooks.onClose(close, null);
          return;
        }
        const stable = p.kind === "open" && now - p.since >= this.stableAfterMs;
        const attempt = stable ? 1 : p.attempt + 1;
        const at = now + Math.max(0, this.hooks.delayFor(attempt));
        this.phase = { kind: "waiting", attempt, at, timer: setTimeout(() => this.retryNow(), at - now) };
        this.hooks.onClose(close, { attempt, at });
        return;
      }
      case "stopped":
        this.hooks.onClose(close, null);
        return;
      case "idle":
      case "waiting":
        // No socket of ours is live in these phases: a late event from a replaced one.
        return;
    }
  };
}

/** Ends a closing socket after the grace period if it has `terminate` (the `ws` package). */
function retire(socket: Terminable | null): void {
  if (!socket || typeof socket.terminate !== "function") return;
  const timer = setTimeout(() => socket.terminate?.(), CLOSE_GRACE_MS);
  // Never the reason a process stays up.
  (timer as { unref?: () => void }).unref?.();
}
