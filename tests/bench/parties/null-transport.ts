/**
 * The transports' floor: a room that speaks partyroom's chat over all three
 * transports (PROTOCOL.md §9's session URLs, SSE events, long polls, POSTed
 * sends, and WebSocket frames) and does nothing else. Each chat message is
 * written to partyroom's own chat log over the room's storage first, as the
 * storing null room does (null-store.ts), because persisting before the
 * fan-out is on every room's path; then it goes to every socket and every
 * session at once. No presence, budgets, rate limits, resume or document.
 *
 * The transports scenario runs it beside partyroom through the same delay
 * proxy, so a latency goal partyroom misses can be read against what the
 * platform's streams and answers cost with no room work in them. The test
 * clients (tests/helpers/http-session.ts) talk to it unchanged.
 * Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import { ChatLog } from "../../../party/core/chat";
import type { RoomStorage } from "../../../party/core/ports";

/** What a session keeps for a poll that comes late; the scenario's subscribers read every burst. */
const KEEP_EVENTS = 256;
const HEARTBEAT_MS = 10_000;
const TTL_MS = 30_000;

/** One HTTP session: its events with ids, and whoever waits for the next. */
class Session {
  events: Array<{ id: number; data: string }> = [];
  lastId = 0;
  ended = false;
  private waiters: Array<() => void> = [];

  push(data: string): void {
    this.events.push({ id: ++this.lastId, data });
    if (this.events.length > KEEP_EVENTS) this.events.splice(0, this.events.length - KEEP_EVENTS);
    for (const wake of this.waiters.splice(0)) wake();
  }

  after(id: number) {
    return this.events.filter((e) => e.id > id);
  }

  /** Resolves when an event after `id` exists, or after `ms`. */
  wait(id: number, ms: number): Promise<void> {
    if (this.lastId > id || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  end(): void {
    this.ended = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

export default class NullTransportRoom implements Party.Server {
  private readonly sessions = new Map<string, Session>();
  private chat: Promise<ChatLog> | null = null;

  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void | Promise<void> {
    if (typeof message !== "string") return;
    const frame = JSON.parse(message) as { type: string; id?: string; text?: string };
    if (frame.type === "hello") sender.send('{"type":"welcome"}');
    else if (frame.type === "heartbeat") sender.send('{"type":"pong"}');
    else if (frame.type === "chat") return this.post(sender.id, frame.id ?? "", frame.text ?? "");
  }

  async onRequest(req: Party.Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.slice(`/parties/${this.room.name}/${this.room.id}`.length);
    if (path === "/messages" && req.method === "POST") {
      const body = (await req.json()) as { clientId: string; id: string; text: string };
      await this.post(body.clientId, body.id, body.text);
      return new Response(null, { status: 202 });
    }
    if (path === "/sessions" && req.method === "POST") return this.open(url.searchParams.get("transport") ?? "sse");
    const m = /^\/sessions\/([^/]+)(\/events|\/poll)?$/.exec(path);
    const session = m ? this.sessions.get(m[1]!) : undefined;
    if (!m || !session) return new Response("no such session", { status: 404 });
    if (m[2] === "/events") return this.stream(session, Number(url.searchParams.get("lastEventId") ?? req.headers.get("last-event-id") ?? 0));
    if (m[2] === "/poll") return this.poll(session, Number(url.searchParams.get("after") ?? 0), Number(url.searchParams.get("wait") ?? 0) * 1000);
    if (req.method === "DELETE") {
      this.sessions.delete(m[1]!);
      session.end();
      return new Response(null, { status: 204 });
    }
    // A POSTed frame: only heartbeats come this way in the scenario, and they need no answer but the status.
    await req.arrayBuffer();
    return new Response(null, { status: 202 });
  }

  private open(transport: string): Response {
    const id = crypto.randomUUID();
    const session = new Session();
    session.push('{"type":"welcome"}');
    this.sessions.set(id, session);
    const base = `/parties/${this.room.name}/${this.room.id}/sessions/${id}`;
    return Response.json({ session: id, transport, send: base, events: `${base}/events`, poll: `${base}/poll`, heartbeatMs: HEARTBEAT_MS, ttlMs: TTL_MS }, { status: 201 });
  }

  /** Stored first, then to every socket and session, as one frame. */
  private async post(clientId: string, id: string, text: string): Promise<void> {
    const log = await (this.chat ??= ChatLog.load(this.room.storage as unknown as RoomStorage, { awaitWrites: false }));
    const { message } = await log.post({ id, clientId, name: "bench", color: "#336699", text }, Date.now());
    const frame = JSON.stringify({ type: "chat", message });
    this.room.broadcast(frame);
    for (const session of this.sessions.values()) session.push(frame);
  }

  private stream(session: Session, lastEventId: number): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    void (async () => {
      let cursor = lastEventId;
      try {
        await writer.write(encoder.encode("retry: 1000\n\n"));
        while (!session.ended) {
          const events = session.after(cursor);
          if (events.length > 0) {
            await writer.write(encoder.encode(events.map((e) => `id: ${e.id}\nevent: message\ndata: ${e.data}\n\n`).join("")));
            cursor = events.at(-1)!.id;
          }
          await session.wait(cursor, HEARTBEAT_MS);
        }
        await writer.close();
      } catch {
        // The client went: the stream ends with it.
      }
    })();
    return new Response(readable, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  }

  private async poll(session: Session, after: number, waitMs: number): Promise<Response> {
    if (session.lastId <= after && waitMs > 0) await session.wait(after, waitMs);
    const events = session.after(after);
    const items = events.map((e) => `{"id":${e.id},"message":${e.data}}`);
    return new Response(`{"events":[${items.join(",")}],"last":${events.at(-1)?.id ?? after}}`, { headers: { "content-type": "application/json" } });
  }
}
