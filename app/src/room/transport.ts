/**
 * Which transport the room client uses, and when it changes: WebSocket first;
 * after FALLBACK_AFTER attempts in a row that never opened, SSE; then long
 * polling. Only if the room still answers plain HTTP, though: when nothing
 * answers, the server is down (or we are offline), not blocking upgrades, and
 * stepping down would only make the return slower. Without an EventSource
 * (old runtimes, Node) SSE is skipped. Off WebSocket, a probe tries a plain WebSocket every PROBE_EVERY_MS
 * and, once one opens, the client moves back up. `?transport=` (or the
 * `transport` option) forces one and turns all of this off.
 *
 * The selector hands partysocket one constructor whose instances are the
 * current transport's socket, so partysocket's reconnect (with our jitter)
 * drives every transport the same way.
 */
import { ClientCloseCode } from "../../../party/protocol";
import { type HttpSocketDeps, httpSocketClass } from "./http-socket";

export type TransportName = "websocket" | "sse" | "poll";
export const TRANSPORTS: readonly TransportName[] = ["websocket", "sse", "poll"];

/** Attempts in a row that never reached `open` before stepping down a transport. */
export const FALLBACK_AFTER = 2;
/** How often to try WebSocket again while on SSE or polling. */
export const PROBE_EVERY_MS = 15_000;
/** A probe that has not opened by then has failed. */
const PROBE_TIMEOUT_MS = 5_000;

type SocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

export type SelectorOptions = HttpSocketDeps & {
  /** The WebSocket class (the browser's, or `ws` in Node). */
  WebSocket?: unknown;
  forced?: TransportName;
  /** How often to probe WebSocket while on SSE or polling (default PROBE_EVERY_MS). */
  probeEveryMs?: number;
  /** The transport changed: reconnect on it now (`upgrade`: back to WebSocket after a probe). */
  onChange(next: TransportName, why: "fallback" | "upgrade"): void;
};

export class TransportSelector {
  current: TransportName;
  private failures = 0;
  private checking = false;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private lastUrl: string | null = null;
  private stopped = false;
  /** The constructor partysocket calls for each attempt. */
  readonly socketClass: SocketCtor;

  constructor(private readonly options: SelectorOptions) {
    this.current = options.forced ?? "websocket";
    const selector = this;
    const WS = (options.WebSocket ?? globalThis.WebSocket) as SocketCtor;
    const sse = httpSocketClass("sse", options);
    const poll = httpSocketClass("poll", options);
    // Returning an object from a constructor makes `new` yield it: each attempt gets the current transport.
    this.socketClass = function TransportSocket(url: string, protocols?: string | string[]) {
      selector.lastUrl = url;
      const Ctor = selector.current === "websocket" ? WS : selector.current === "sse" ? (sse as unknown as SocketCtor) : (poll as unknown as SocketCtor);
      const socket = protocols ? new Ctor(url, protocols) : new Ctor(url);
      let opened = false;
      socket.addEventListener("open", () => {
        opened = true;
        selector.failures = 0;
      });
      socket.addEventListener("close", () => {
        if (!opened) selector.noteFailure();
      });
      return socket;
    } as unknown as SocketCtor;
  }

  get forced(): boolean {
    return this.options.forced !== undefined;
  }

  /** Stops probing (the client is being destroyed). */
  stop(): void {
    this.stopped = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private noteFailure(): void {
    if (this.forced || this.stopped || this.checking) return;
    this.failures++;
    const i = TRANSPORTS.indexOf(this.current);
    if (this.failures < FALLBACK_AFTER || i === TRANSPORTS.length - 1) return;
    this.checking = true;
    void this.httpAnswers().then((answers) => {
      this.checking = false;
      this.failures = 0;
      if (!answers || this.stopped || this.current !== TRANSPORTS[i]) return;
      let next = TRANSPORTS[i + 1]!;
      if (next === "sse" && !(this.options.EventSource ?? globalThis.EventSource)) next = "poll";
      this.current = next;
      this.scheduleProbe();
      this.options.onChange(next, "fallback");
    });
  }

  /** Whether the room answers plain HTTP (any status counts: it is there). */
  private async httpAnswers(): Promise<boolean> {
    if (!this.lastUrl) return false;
    const u = new URL(this.lastUrl);
    u.protocol = u.protocol === "wss:" ? "https:" : "http:";
    u.pathname = `${u.pathname.replace(/\/$/, "")}/state`;
    const fetchFn = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    try {
      const res = await fetchFn(u.toString(), { cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.stopped || this.current === "websocket") return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.probe().then((works) => {
        if (this.stopped || this.current === "websocket") return;
        if (works) {
          this.current = "websocket";
          this.failures = 0;
          this.options.onChange("websocket", "upgrade");
        } else this.scheduleProbe();
      });
    }, this.options.probeEveryMs ?? PROBE_EVERY_MS);
  }

  /** Opens a bare WebSocket to the room and closes it: true if the upgrade went through. */
  private probe(): Promise<boolean> {
    const url = this.lastUrl;
    if (!url) return Promise.resolve(false);
    const WS = (this.options.WebSocket ?? globalThis.WebSocket) as SocketCtor;
    return new Promise((resolve) => {
      let settled = false;
      let socket: WebSocket;
      const done = (works: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          socket.close(ClientCloseCode.Probe.code, ClientCloseCode.Probe.reason);
        } catch {
          // Never opened.
        }
        resolve(works);
      };
      const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
      try {
        socket = new WS(url);
      } catch {
        done(false);
        return;
      }
      socket.addEventListener("open", () => done(true));
      socket.addEventListener("error", () => done(false));
      socket.addEventListener("close", () => done(false));
    });
  }
}

/** Reads `?transport=websocket|ws|sse|poll` from a query string. */
export function forcedTransport(search: string): TransportName | undefined {
  const t = new URLSearchParams(search).get("transport");
  if (t === "ws" || t === "websocket") return "websocket";
  if (t === "sse" || t === "poll") return t;
  return undefined;
}
