/**
 * The room's HTTP API (PROTOCOL.md §7 and §9), as an adapter from requests to
 * the room core. Full state comes from here; sockets carry deltas. Every
 * error is JSON `{ error: { code, message } }` with a stable code and status.
 */
import { z } from "zod";
import { identityOf } from "../core/app-messages";
import type { RoomCore } from "../core/room";
import { DOC_TEXT_NAME, httpChatSchema, LIMITS, POLL_WAIT_MAX_MS, PROTOCOL_VERSION, roomPath, SESSION_ID_PATTERN, type SessionOpened } from "../protocol";
import { addressFrom, grantFrom } from "./auth";
import { pollResponse, sseResponse } from "./http-transport";
import { CORS, httpError, json } from "./http-response";
import { internals } from "./internals";
import { isAdmin } from "./admin";
import { readBody } from "./request-body";
import { versionsRoute } from "./versions-http";

const seqParam = z.coerce.number().int().min(0);
/** Built once, as the others: building a schema costs more than checking a value with it, and every poll checks one. */
const pollWaitParam = z.coerce.number().min(0).max(POLL_WAIT_MAX_MS / 1000);
const limitParam = z.coerce.number().int().min(1).max(LIMITS.pageMax);

/** Routes one request under `/parties/main/<room>`; even unexpected failures answer JSON. */
export async function handleHttp(req: Request, core: RoomCore): Promise<Response> {
  try {
    return await route(req, core);
  } catch (err) {
    core.deps.log?.("partyroom: HTTP handler failed", err);
    return httpError("internal", "the room could not answer; try again");
  }
}

async function route(req: Request, core: RoomCore): Promise<Response> {
  const url = new URL(req.url);
  const base = roomPath(core.deps.roomId);
  const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length).replace(/\/$/, "") : url.pathname;
  if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  switch (path) {
    case "":
    case "/state":
      if (req.method !== "GET") return methodNotAllowed("GET");
      return json(await roomState(core, isAdmin(req)));
    case "/messages":
      if (req.method === "GET") return getMessages(url, core);
      if (req.method === "POST") return postMessage(req, core);
      return methodNotAllowed("GET, POST");
    case "/doc":
      if (req.method !== "GET") return methodNotAllowed("GET");
      return getDoc(url, core);
    case "/sessions":
      if (req.method !== "POST") return methodNotAllowed("POST");
      return openSession(req, url, core);
    default: {
      const m = /^\/sessions\/([^/]+)(\/events|\/poll)?$/.exec(path);
      if (m && SESSION_ID_PATTERN.test(m[1]!)) return sessionRoute(req, url, core, m[1]!, m[2] ?? "");
      if (path === "/versions" || path.startsWith("/versions/")) return versionsRoute(req, url, core, path.slice("/versions".length));
      return httpError("not_found", `no such endpoint: ${path}`);
    }
  }
}

async function getDoc(url: URL, core: RoomCore): Promise<Response> {
  const { doc, whole } = (await core.loadDoc()).store;
  if (url.searchParams.get("format") === "yjs") {
    const update = whole.get();
    return new Response(new Blob([update as Uint8Array<ArrayBuffer>]), { headers: { "content-type": "application/octet-stream", "cache-control": "no-store", ...CORS } });
  }
  return new Response(doc.getText(DOC_TEXT_NAME).toString(), { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...CORS } });
}

async function openSession(req: Request, url: URL, core: RoomCore): Promise<Response> {
  const body = await readBody(req, LIMITS.textFrameBytes);
  if (body instanceof Response) return body;
  const transport = url.searchParams.get("transport") === "poll" ? "poll" : "sse";
  const result = await core.http.openSession(new TextDecoder().decode(body), transport, grantFrom(req.headers), addressFrom(req.headers));
  if ("error" in result) return httpError(result.error, result.message);
  const base = roomPath(core.deps.roomId, `/sessions/${result.id}`);
  const opened: SessionOpened = { session: result.id, send: base, events: `${base}/events`, poll: `${base}/poll`, heartbeatMs: core.config.heartbeatMs, ttlMs: core.config.ttlMs };
  return json(opened, 201);
}

async function sessionRoute(req: Request, url: URL, core: RoomCore, id: string, sub: string): Promise<Response> {
  const session = core.http.handle(id, grantFrom(req.headers));
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
    const lastEventId = seqParam.safeParse(req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId") ?? "0");
    if (!lastEventId.success) return httpError("bad_message", "Last-Event-ID must be a non-negative integer");
    return sseResponse(session, lastEventId.data, CORS);
  }
  const after = seqParam.safeParse(url.searchParams.get("after") ?? "0");
  const wait = pollWaitParam.safeParse(url.searchParams.get("wait") ?? "20");
  if (!after.success) return httpError("bad_message", "after must be a non-negative integer");
  if (!wait.success) return httpError("bad_message", `wait must be 0 to ${POLL_WAIT_MAX_MS / 1000} seconds`);
  return pollResponse(session, after.data, wait.data * 1000, CORS);
}

/** 405 with the methods the path takes. */
export function methodNotAllowed(allow: string): Response {
  return httpError("method_not_allowed", `use ${allow}`, { allow });
}

/** The room's public state; `internals` (diagnostic counters) only for an admin (host/admin.ts). */
async function roomState(core: RoomCore, admin: boolean) {
  const latest = await core.chat.latest(LIMITS.welcomeLatest);
  const { store } = await core.loadDoc();
  return {
    room: core.deps.roomId,
    protocolVersion: PROTOCOL_VERSION,
    seq: core.chat.seq,
    presence: core.presence.people(),
    messages: latest.messages,
    doc: await store.stats(),
    ...(admin ? { internals: internals(core) } : {}),
  };
}

async function getMessages(url: URL, core: RoomCore): Promise<Response> {
  const params = url.searchParams;
  const limit = limitParam.safeParse(params.get("limit") ?? LIMITS.pageDefault);
  if (!limit.success) return httpError("bad_message", `limit must be an integer from 1 to ${LIMITS.pageMax}`);
  if (params.has("after") && params.has("before")) return httpError("bad_message", "give `after` or `before`, not both");
  if (params.has("before")) {
    const before = seqParam.safeParse(params.get("before"));
    if (!before.success) return httpError("bad_message", "before must be a non-negative integer");
    return json({ ...(await core.chat.before(before.data, limit.data)), seq: core.chat.seq });
  }
  const after = seqParam.safeParse(params.get("after") ?? 0);
  if (!after.success) return httpError("bad_message", "after must be a non-negative integer");
  return json({ ...(await core.chat.after(after.data, limit.data)), seq: core.chat.seq });
}

/** `POST …/messages`: the same chat path as a socket's, with the sender proven by token or key. */
async function postMessage(req: Request, core: RoomCore): Promise<Response> {
  const raw = await readBody(req, LIMITS.httpBodyBytes);
  if (raw instanceof Response) return raw;
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return httpError("bad_json", "body is not valid JSON");
  }
  const parsed = httpChatSchema.safeParse(data);
  if (!parsed.success) return httpError("bad_message", z.prettifyError(parsed.error).slice(0, 300));
  const body = parsed.data;
  const grant = grantFrom(req.headers);
  const clientId = identityOf(grant, body);
  const person = core.presence.person(clientId);
  const result = await core.postChat(
    { user: clientId, address: addressFrom(req.headers), role: grant.role },
    { id: body.id, clientId, name: grant.name ?? body.name ?? person?.name ?? "Guest", color: body.color ?? person?.color ?? "#888888", text: body.text },
  );
  if ("error" in result) return httpError(result.error, result.message);
  return json(result, result.duplicate ? 200 : 201);
}
