/**
 * The room's HTTP API (see PROTOCOL.md, "HTTP"). Full state comes from here;
 * the socket carries deltas. Every error is JSON `{ error: { code, message } }`
 * with a stable code and the matching status.
 */
import { z } from "zod";
import type { ChatLog } from "./chat";
import type { DocStats } from "./doc-store";
import { type Grant, grantFrom } from "./auth";
import type { Presence } from "./presence";
import type { Outbox } from "./outbox";
import { POLL_WAIT_MAX_MS, pollResponse, sseResponse, type StreamHooks } from "./http-transport";
import {
  DOC_TEXT_NAME,
  type ChatMessage,
  type ErrorCode,
  httpChatSchema,
  type HttpChat,
  type HttpError,
  LIMITS,
  PROTOCOL_VERSION,
  ROOM_PARTY,
} from "./protocol";
import * as Y from "yjs";

/** What the HTTP layer needs from the room. */
export interface HttpRoom {
  readonly roomId: string;
  readonly chat: ChatLog;
  readonly presence: Presence;
  doc(): Promise<{ doc: Y.Doc; stats(): Promise<DocStats> }>;
  /** Posts like a socket chat: persisted, acked, broadcast. */
  postChat(input: HttpChat, grant: Grant): Promise<{ message: ChatMessage; duplicate: boolean } | { error: ErrorCode; message: string }>;
  internals(): Record<string, number>;
  /** Starts an HTTP session with a hello frame (the welcome is its first event). */
  openSession(hello: string, transport: "sse" | "poll", grant: Grant): Promise<{ id: string; heartbeatMs: number; ttlMs: number } | { error: ErrorCode; message: string }>;
  /** The session with this id, if it exists and (with tokens) belongs to the caller. */
  httpSession(id: string, grant: Grant): HttpSession | undefined;
}

/** An open HTTP session as the transports see it. */
export interface HttpSession {
  readonly outbox: Outbox;
  /** Hands one client frame to the room, in order with the session's others. */
  deliver(frame: string | Uint8Array): Promise<void>;
  hooks(kind: "sse" | "poll"): StreamHooks;
  readonly keepAliveMs: number;
  end(): void;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-allow-headers": "content-type, last-event-id, authorization",
  "access-control-max-age": "600",
};

const statusOf: Partial<Record<ErrorCode, number>> = {
  bad_json: 400,
  bad_message: 400,
  bad_room: 400,
  not_found: 404,
  session_gone: 404,
  unauthorized: 401,
  forbidden: 403,
  unsupported_version: 426,
  method_not_allowed: 405,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
};

/** A JSON response with CORS headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...CORS, ...headers },
  });
}

/** A typed error response. */
export function httpError(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } } satisfies HttpError, statusOf[code] ?? 400, headers);
}

/** Bodies up to this size are read and discarded before a 413; larger ones are refused at once. */
const DRAIN_MAX_BYTES = 1024 * 1024;

const seqParam = z.coerce.number().int().min(0);
const limitParam = z.coerce.number().int().min(1).max(LIMITS.pageMax);

/** Routes one request under `/parties/main/<room>`; even unexpected failures answer JSON. */
export async function handleHttp(req: Request, room: HttpRoom): Promise<Response> {
  try {
    return await route(req, room);
  } catch (err) {
    console.error("partyroom: HTTP handler failed", err);
    return httpError("internal", "the room could not answer; try again");
  }
}

async function route(req: Request, room: HttpRoom): Promise<Response> {
  const url = new URL(req.url);
  const base = `/parties/${ROOM_PARTY}/${room.roomId}`;
  const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length).replace(/\/$/, "") : url.pathname;

  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });

  switch (path) {
    case "":
    case "/state":
      if (req.method !== "GET") return methodNotAllowed("GET");
      return json(await roomState(room));
    case "/messages":
      if (req.method === "GET") return getMessages(url, room);
      if (req.method === "POST") return postMessage(req, room);
      return methodNotAllowed("GET, POST");
    case "/doc": {
      if (req.method !== "GET") return methodNotAllowed("GET");
      const { doc } = await room.doc();
      if (url.searchParams.get("format") === "yjs") {
        const update = Y.encodeStateAsUpdate(doc);
        return new Response(new Blob([update as Uint8Array<ArrayBuffer>]), {
          headers: { "content-type": "application/octet-stream", "cache-control": "no-store", ...CORS },
        });
      }
      return new Response(doc.getText(DOC_TEXT_NAME).toString(), {
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...CORS },
      });
    }
    case "/sessions":
      if (req.method !== "POST") return methodNotAllowed("POST");
      return openSession(req, url, room);
    default: {
      const m = /^\/sessions\/([0-9a-f-]{36})(\/events|\/poll)?$/.exec(path);
      if (m) return sessionRoute(req, url, room, m[1]!, m[2] ?? "");
      return httpError("not_found", `no such endpoint: ${path}`);
    }
  }
}

async function openSession(req: Request, url: URL, room: HttpRoom): Promise<Response> {
  const body = await readBody(req, LIMITS.textFrameBytes);
  if (body instanceof Response) return body;
  const transport = url.searchParams.get("transport") === "poll" ? "poll" : "sse";
  const result = await room.openSession(new TextDecoder().decode(body), transport, grantFrom(req.headers));
  if ("error" in result) return httpError(result.error, result.message, result.error === "rate_limited" ? { "retry-after": "5" } : {});
  const base = `/parties/${ROOM_PARTY}/${room.roomId}/sessions/${result.id}`;
  return json({ session: result.id, send: base, events: `${base}/events`, poll: `${base}/poll`, heartbeatMs: result.heartbeatMs, ttlMs: result.ttlMs }, 201);
}

async function sessionRoute(req: Request, url: URL, room: HttpRoom, id: string, sub: string): Promise<Response> {
  const session = room.httpSession(id, grantFrom(req.headers));
  if (!session) return httpError("session_gone", "this session has ended; open a new one (hello again with lastSeq)");
  if (sub === "") {
    if (req.method === "DELETE") {
      session.end();
      return new Response(null, { status: 204, headers: CORS });
    }
    if (req.method !== "POST") return methodNotAllowed("POST, DELETE");
    const binary = (req.headers.get("content-type") ?? "").startsWith("application/octet-stream");
    const body = await readBody(req, binary ? LIMITS.binaryFrameBytes : LIMITS.textFrameBytes);
    if (body instanceof Response) return body;
    // Errors about the frame itself come back as `error` events on the stream, as over a socket.
    await session.deliver(binary ? body : new TextDecoder().decode(body));
    return json({ ok: true, last: session.outbox.lastId }, 202);
  }
  if (req.method !== "GET") return methodNotAllowed("GET");
  if (sub === "/events") {
    const from = req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId") ?? "0";
    const lastEventId = seqParam.safeParse(from);
    if (!lastEventId.success) return httpError("bad_message", "Last-Event-ID must be a non-negative integer");
    return sseResponse(session.outbox, lastEventId.data, session.hooks("sse"), CORS, session.keepAliveMs);
  }
  const after = seqParam.safeParse(url.searchParams.get("after") ?? "0");
  const wait = z.coerce.number().min(0).max(POLL_WAIT_MAX_MS / 1000).safeParse(url.searchParams.get("wait") ?? "20");
  if (!after.success) return httpError("bad_message", "after must be a non-negative integer");
  if (!wait.success) return httpError("bad_message", `wait must be 0 to ${POLL_WAIT_MAX_MS / 1000} seconds`);
  return pollResponse(session.outbox, after.data, wait.data * 1000, session.hooks("poll"), CORS);
}

/** Reads a body of at most `max` bytes, or answers 413. */
async function readBody(req: Request, max: number): Promise<Uint8Array | Response> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) {
    // Drain a moderately large body before answering: answering mid-upload makes
    // many clients report a reset connection instead of the 413.
    if (declared <= DRAIN_MAX_BYTES) await req.arrayBuffer().catch(() => undefined);
    return httpError("too_large", `bodies here are limited to ${max} bytes`);
  }
  const body = new Uint8Array(await req.arrayBuffer());
  if (body.byteLength > max) return httpError("too_large", `bodies here are limited to ${max} bytes`);
  return body;
}

function methodNotAllowed(allow: string): Response {
  return httpError("method_not_allowed", `use ${allow}`, { allow });
}

async function roomState(room: HttpRoom) {
  const latest = await room.chat.latest(LIMITS.welcomeLatest);
  const { stats } = await room.doc();
  return {
    room: room.roomId,
    protocolVersion: PROTOCOL_VERSION,
    seq: room.chat.seq,
    presence: room.presence.people(),
    messages: latest.messages,
    doc: await stats(),
    internals: room.internals(),
  };
}

async function getMessages(url: URL, room: HttpRoom): Promise<Response> {
  const params = url.searchParams;
  const limit = limitParam.safeParse(params.get("limit") ?? LIMITS.pageDefault);
  if (!limit.success) return httpError("bad_message", `limit must be an integer from 1 to ${LIMITS.pageMax}`);
  if (params.has("after") && params.has("before")) return httpError("bad_message", "give `after` or `before`, not both");
  if (params.has("before")) {
    const before = seqParam.safeParse(params.get("before"));
    if (!before.success) return httpError("bad_message", "before must be a non-negative integer");
    const page = await room.chat.before(before.data, limit.data);
    return json({ ...page, seq: room.chat.seq });
  }
  const after = seqParam.safeParse(params.get("after") ?? 0);
  if (!after.success) return httpError("bad_message", "after must be a non-negative integer");
  const page = await room.chat.after(after.data, limit.data);
  return json({ ...page, seq: room.chat.seq });
}

async function postMessage(req: Request, room: HttpRoom): Promise<Response> {
  const raw = await readBody(req, LIMITS.httpBodyBytes);
  if (raw instanceof Response) return raw;
  const body = new TextDecoder().decode(raw);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return httpError("bad_json", "body is not valid JSON");
  }
  const parsed = httpChatSchema.safeParse(data);
  if (!parsed.success) return httpError("bad_message", z.prettifyError(parsed.error).slice(0, 300));
  const result = await room.postChat(parsed.data, grantFrom(req.headers));
  if ("error" in result) {
    return httpError(result.error, result.message, result.error === "rate_limited" ? { "retry-after": "1" } : {});
  }
  return json(result, result.duplicate ? 200 : 201);
}
