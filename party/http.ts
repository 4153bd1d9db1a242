/**
 * The room's HTTP API (see PROTOCOL.md, "HTTP"). Full state comes from here;
 * the socket carries deltas. Every error is JSON `{ error: { code, message } }`
 * with a stable code and the matching status.
 */
import { z } from "zod";
import type { ChatLog } from "./chat";
import type { DocStats } from "./doc-store";
import type { Presence } from "./presence";
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
  postChat(input: HttpChat): Promise<{ message: ChatMessage; duplicate: boolean } | { error: ErrorCode; message: string }>;
  internals(): Record<string, number>;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "600",
};

const statusOf: Partial<Record<ErrorCode, number>> = {
  bad_json: 400,
  bad_message: 400,
  bad_room: 400,
  not_found: 404,
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
    default:
      return httpError("not_found", `no such endpoint: ${path}`);
  }
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
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > LIMITS.httpBodyBytes) {
    // Drain a moderately large body before answering: answering mid-upload makes
    // many clients report a reset connection instead of the 413.
    if (declared <= DRAIN_MAX_BYTES) await req.arrayBuffer().catch(() => undefined);
    return httpError("too_large", `bodies are limited to ${LIMITS.httpBodyBytes} bytes`);
  }
  const body = await req.text();
  if (new TextEncoder().encode(body).byteLength > LIMITS.httpBodyBytes) {
    return httpError("too_large", `bodies are limited to ${LIMITS.httpBodyBytes} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return httpError("bad_json", "body is not valid JSON");
  }
  const parsed = httpChatSchema.safeParse(data);
  if (!parsed.success) return httpError("bad_message", z.prettifyError(parsed.error).slice(0, 300));
  const result = await room.postChat(parsed.data);
  if ("error" in result) {
    return httpError(result.error, result.message, result.error === "rate_limited" ? { "retry-after": "1" } : {});
  }
  return json(result, result.duplicate ? 200 : 201);
}
