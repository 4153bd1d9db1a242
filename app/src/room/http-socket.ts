/**
 * A WebSocket look-alike over the room's HTTP sessions (PROTOCOL.md, "HTTP
 * sessions"), for networks that block WebSocket upgrades. It speaks exactly
 * what a socket speaks: text frames are JSON, binary frames are Yjs; it opens
 * with `POST .../sessions`, receives over SSE (EventSource, resuming with
 * Last-Event-ID by itself) or long polling, and sends each frame as a POST.
 *
 * Because it has the WebSocket shape (readyState, send, close, open / message /
 * close / error events), partysocket drives it like any socket: the same
 * jittered reconnect, the same hello / resume / Yjs sync in the room client.
 */
import { fromBase64 as decodeBase64 } from "lib0/buffer";
import { ClientCloseCode, CloseCode, type PollReply } from "../../../party/protocol";

export type HttpTransport = "sse" | "poll";

/** What the HTTP socket needs from its environment (injectable for Node). */
export type HttpSocketDeps = {
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
};

type Opened = { session: string; send: string; events: string; poll: string };

/** Longest a poll is held by the server (s); shorter than common proxy timeouts. */
const POLL_WAIT_S = 20;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Returns a WebSocket-compatible class for `transport`, to hand to partysocket. */
export function httpSocketClass(transport: HttpTransport, deps: HttpSocketDeps = {}) {
  return class extends HttpSocket {
    constructor(url: string) {
      super(url, transport, deps);
    }
  };
}

export class HttpSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  readyState: number = CONNECTING;
  binaryType: BinaryType = "arraybuffer";
  readonly protocol = "";
  readonly extensions = "";
  bufferedAmount = 0;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  private readonly origin: string;
  private readonly roomPath: string;
  /** The socket URL's query (token, _pk): every request carries it. */
  private readonly search: URLSearchParams;
  private readonly fetchFn: typeof fetch;
  private opened: Opened | null = null;
  private source: EventSource | null = null;
  private outgoing: Promise<void> = Promise.resolve();
  private readonly aborter = new AbortController();

  constructor(
    readonly url: string,
    readonly transport: HttpTransport,
    private readonly deps: HttpSocketDeps,
  ) {
    super();
    const u = new URL(url);
    this.origin = `${u.protocol === "wss:" ? "https:" : "http:"}//${u.host}`;
    this.roomPath = u.pathname.replace(/\/$/, "");
    this.search = u.searchParams;
    this.fetchFn = deps.fetch ?? fetch.bind(globalThis);
    void this.start();
  }

  /** Sends one frame as a POST; frames go out one at a time, in order. */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.readyState !== OPEN || !this.opened) throw new Error("HttpSocket is not open");
    const body = typeof data === "string" ? data : data instanceof Blob ? data : toBytes(data);
    const binary = typeof data !== "string";
    this.bufferedAmount++;
    this.outgoing = this.outgoing.then(async () => {
      if (this.readyState !== OPEN) return;
      try {
        const res = await this.request(this.opened!.send, {
          method: "POST",
          headers: { "content-type": binary ? "application/octet-stream" : "application/json" },
          body: body as BodyInit,
        });
        if (res.status === 404) this.finish(ClientCloseCode.SessionGone.code, ClientCloseCode.SessionGone.reason);
        else if (!res.ok && res.status !== 413) this.finish(ClientCloseCode.HttpFailed.code, `send failed: HTTP ${res.status}`);
      } catch {
        this.finish(ClientCloseCode.Lost.code, "send failed: network error");
      } finally {
        this.bufferedAmount--;
      }
    });
  }

  close(code: number = ClientCloseCode.Leaving.code, reason = ""): void {
    if (this.readyState >= CLOSING) return;
    const opened = this.opened;
    this.readyState = CLOSING;
    // Not through request(): finish() aborts those, and the server should hear this one.
    if (opened) void this.fetchFn(this.url_(opened.send), { method: "DELETE" }).catch(() => undefined);
    this.finish(code, reason);
  }

  private async start(): Promise<void> {
    try {
      const res = await this.request(`${this.roomPath}/sessions`, { method: "POST", body: "" }, { transport: this.transport });
      if (!res.ok) {
        const err = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        // The edge's refusals keep their meaning: 401/403 become the terminal close codes.
        const code = res.status === 401 ? CloseCode.Unauthorized.code : res.status === 403 ? CloseCode.Forbidden.code : res.status === 400 ? CloseCode.BadRoom.code : ClientCloseCode.HttpFailed.code;
        this.fail(code, err?.error?.message ?? `HTTP ${res.status}`);
        return;
      }
      this.opened = (await res.json()) as Opened;
    } catch {
      this.fail(ClientCloseCode.Lost.code, "could not reach the room over HTTP");
      return;
    }
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.emit(new Event("open"));
    if (this.transport === "sse") this.stream();
    else void this.pollLoop();
  }

  private stream(): void {
    const ES = this.deps.EventSource ?? globalThis.EventSource;
    if (typeof ES !== "function") {
      this.finish(ClientCloseCode.HttpFailed.code, "this runtime has no EventSource");
      return;
    }
    const source = new ES(this.url_(this.opened!.events));
    this.source = source;
    source.addEventListener("message", (e) => this.deliver((e as MessageEvent<string>).data));
    source.addEventListener("yjs", (e) => this.deliver(fromBase64((e as MessageEvent<string>).data)));
    source.addEventListener("close", (e) => {
      const { code, reason } = JSON.parse((e as MessageEvent<string>).data) as { code: number; reason: string };
      this.finish(code, reason);
    });
    // EventSource retries by itself (resuming by Last-Event-ID); once it gives up, so do we.
    source.addEventListener("error", () => {
      if (source.readyState === 2) this.finish(ClientCloseCode.Lost.code, "event stream lost");
    });
  }

  private async pollLoop(): Promise<void> {
    let after = 0;
    while (this.readyState === OPEN) {
      let body: PollReply;
      try {
        const res = await this.request(this.opened!.poll, { method: "GET" }, { after: String(after), wait: String(POLL_WAIT_S) });
        if (res.status === 404) return this.finish(ClientCloseCode.SessionGone.code, ClientCloseCode.SessionGone.reason);
        if (!res.ok) return this.finish(ClientCloseCode.HttpFailed.code, `poll failed: HTTP ${res.status}`);
        body = (await res.json()) as PollReply;
      } catch {
        // A network error, or the body cut off (also when close() aborts the request).
        if (this.readyState === OPEN) this.finish(ClientCloseCode.Lost.code, "poll failed: network error");
        return;
      }
      for (const e of body.events) {
        if (this.readyState !== OPEN) return;
        this.deliver("yjs" in e ? fromBase64(e.yjs) : JSON.stringify(e.message));
      }
      after = body.last;
      if (body.closed) return this.finish(body.closed.code, body.closed.reason);
    }
  }

  private deliver(data: string | ArrayBuffer): void {
    if (this.readyState !== OPEN) return;
    this.emit(new MessageEvent("message", { data }));
  }

  /** Failing before open: an error, then a close, as a refused WebSocket does. */
  private fail(code: number, reason: string): void {
    this.emit(new Event("error"));
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.source?.close();
    this.aborter.abort();
    this.emit(Object.assign(new Event("close"), { code, reason, wasClean: code === ClientCloseCode.Leaving.code }));
  }

  private emit(event: Event): void {
    const handler = { open: this.onopen, message: this.onmessage, close: this.onclose, error: this.onerror }[event.type as "open"];
    handler?.call(this, event as MessageEvent);
    this.dispatchEvent(event);
  }

  private url_(path: string, extra: Record<string, string> = {}): string {
    const q = new URLSearchParams(this.search);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `${this.origin}${path}?${q}`;
  }

  private request(path: string, init: RequestInit, extra: Record<string, string> = {}): Promise<Response> {
    return this.fetchFn(this.url_(path, extra), { ...init, signal: this.aborter.signal, cache: "no-store" });
  }
}

function toBytes(data: ArrayBufferLike | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** A Yjs frame from its base64 event data (lib0: atob in browsers, Buffer in Node). */
function fromBase64(b64: string): ArrayBuffer {
  return decodeBase64(b64).buffer;
}
