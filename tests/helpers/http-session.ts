/**
 * Test clients for the HTTP transports: an SSE session (the `eventsource`
 * package, the browser EventSource API in Node) and a long-polling session.
 * Both collect every event with its id; sends go by POST as in PROTOCOL.md.
 */
import { EventSource } from "eventsource";
import type { ServerMessage } from "../../party/protocol";
import { PROTOCOL_VERSION } from "../../party/protocol";
import { clientFetch } from "./http-agent";
import { type RoomRef, roomUrl } from "./room-url";
import { until, withTimeout } from "./wait";

export type Received = { id: number; message?: ServerMessage; yjs?: Uint8Array };

type Opened = { session: string; send: string; events: string; poll: string; heartbeatMs: number; ttlMs: number };

/** `&token=…` for a room that needs one. */
const tokenParam = (token?: string) => (token ? `token=${encodeURIComponent(token)}` : "");
const withQuery = (url: string, query: string) => (query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url);

/** POSTs a hello and returns the new session's URLs. */
export async function openSession(http: string, room: RoomRef, hello: Record<string, unknown> = {}, transport = "sse", token?: string): Promise<Opened> {
  const res = await withTimeout(
    clientFetch(withQuery(`${roomUrl(http, room)}/sessions?transport=${transport}`, tokenParam(token)), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: `h${Math.random().toString(36).slice(2, 10)}`, name: "Http", color: "#884400", ...hello }),
    }),
    10_000,
    "POST /sessions",
  );
  if (res.status !== 201) throw new Error(`open session answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Opened;
}

abstract class HttpClient {
  readonly received: Received[] = [];
  /** Called with every event as it arrives (after it is added to `received`). */
  readonly listeners = new Set<(r: Received) => void>();
  closed: { code: number; reason: string } | null = null;

  constructor(
    readonly http: string,
    readonly opened: Opened,
    /** The room token every request carries (rooms with access control). */
    readonly token?: string,
  ) {}

  /** A URL on the room's host, with the token. */
  protected url(path: string): string {
    return withQuery(`${this.http}${path}`, tokenParam(this.token));
  }

  messages(): ServerMessage[] {
    return this.received.flatMap((r) => (r.message ? [r.message] : []));
  }

  /** Waits for a message of `type` matching `where` among everything received so far. */
  async next<T extends ServerMessage["type"]>(type: T, where: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 10_000) {
    type M = Extract<ServerMessage, { type: T }>;
    return (await until(() => this.messages().find((m) => m.type === type && where(m as M)) as M | undefined, `a "${type}" event`, timeoutMs, 20)) as M;
  }

  /** POSTs one JSON frame or one binary Yjs frame. */
  async send(frame: unknown): Promise<Response> {
    const binary = frame instanceof Uint8Array;
    const res = await withTimeout(
      clientFetch(this.url(this.opened.send), {
        method: "POST",
        headers: { "content-type": binary ? "application/octet-stream" : "application/json" },
        body: binary ? (frame as Uint8Array<ArrayBuffer>) : typeof frame === "string" ? frame : JSON.stringify(frame),
      }),
      10_000,
      "POST frame",
    );
    if (res.status !== 202) throw new Error(`send answered ${res.status}: ${await res.text()}`);
    return res;
  }

  protected take(id: number, kind: "message" | "yjs", data: string): void {
    this.add(kind === "message" ? { id, message: JSON.parse(data) as ServerMessage } : { id, yjs: new Uint8Array(Buffer.from(data, "base64")) });
  }

  protected add(r: Received): void {
    this.received.push(r);
    for (const listener of this.listeners) listener(r);
  }
}

/** An SSE session: EventSource reconnects by itself and resumes with Last-Event-ID. */
export class SseClient extends HttpClient {
  private source: EventSource | null = null;

  static async open(http: string, room: RoomRef, hello: Record<string, unknown> = {}, token?: string): Promise<SseClient> {
    const client = new SseClient(http, await openSession(http, room, hello, "sse", token), token);
    client.connect();
    await client.next("welcome");
    return client;
  }

  /** (Re)opens the stream; with `lastEventId` it resumes after that event. */
  connect(lastEventId?: number): void {
    const url = withQuery(this.url(this.opened.events), lastEventId !== undefined ? `lastEventId=${lastEventId}` : "");
    const source = new EventSource(url, { fetch: clientFetch });
    source.addEventListener("message", (e) => this.take(Number(e.lastEventId), "message", e.data));
    source.addEventListener("yjs", (e) => this.take(Number(e.lastEventId), "yjs", e.data));
    source.addEventListener("close", (e) => {
      this.closed = JSON.parse(e.data) as { code: number; reason: string };
      source.close();
    });
    this.source = source;
  }

  /** Drops the stream without telling the server, as a network cut would. */
  disconnect(): void {
    this.source?.close();
    this.source = null;
  }

  lastId(): number {
    return this.received.at(-1)?.id ?? 0;
  }

  close(): void {
    this.disconnect();
  }
}

/** A long-polling session, polling in a loop until stopped. */
export class PollClient extends HttpClient {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  after = 0;
  /** Wall-clock duration of every poll request, for latency assertions. */
  readonly pollTimes: number[] = [];

  static async open(http: string, room: RoomRef, hello: Record<string, unknown> = {}, waitS = 20, token?: string): Promise<PollClient> {
    const client = new PollClient(http, await openSession(http, room, hello, "poll", token), token);
    client.start(waitS);
    await client.next("welcome");
    return client;
  }

  /** One poll; returns its parsed body. */
  async pollOnce(waitS: number): Promise<{ events: Array<{ id: number; message?: unknown; yjs?: string }>; last: number; closed?: { code: number; reason: string } }> {
    const started = Date.now();
    const res = await withTimeout(clientFetch(withQuery(this.url(this.opened.poll), `after=${this.after}&wait=${waitS}`)), waitS * 1000 + 10_000, "a poll");
    if (res.status === 404) {
      // The session ended (deleted or expired) between polls.
      await res.body?.cancel();
      this.closed ??= { code: 4000, reason: "session gone" };
      return { events: [], last: this.after, closed: this.closed };
    }
    const body = (await res.json()) as Awaited<ReturnType<PollClient["pollOnce"]>>;
    this.pollTimes.push(Date.now() - started);
    for (const e of body.events) {
      if (e.message) this.add({ id: e.id, message: e.message as ServerMessage });
      else if (e.yjs) this.take(e.id, "yjs", e.yjs);
    }
    this.after = body.last;
    if (body.closed) this.closed = body.closed;
    return body;
  }

  /** Polls that failed at the network level (each is retried after a short pause). */
  errors = 0;

  start(waitS = 20): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running && !this.closed) {
        try {
          await this.pollOnce(waitS);
        } catch {
          // A reset or refused poll is retried, as the app's HTTP socket reconnects.
          this.errors++;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  /** Stops after the poll in flight returns. */
  async stop(): Promise<void> {
    this.running = false;
    await withTimeout(this.loop, 30_000, "the poll loop to stop");
  }
}
