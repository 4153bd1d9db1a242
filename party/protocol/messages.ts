/**
 * The JSON app protocol on text frames: what clients send, what the room
 * sends back, and the parsers both sides use at their boundary. Binary frames
 * are the Yjs protocol (yjs.ts) and never reach these parsers.
 */
import { z } from "zod";
import type { ErrorCode } from "./codes";
import { idSchema } from "./ids";
import { LIMITS } from "./limits";
import { ROLES, type Role } from "./roles";

/** Bumped on any change an older peer could misread. */
export const PROTOCOL_VERSION = 1;
/** Versions this server accepts in `hello`. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

const name = z.string().trim().min(1).max(LIMITS.nameMax);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a #rrggbb colour");
export const statusSchema = z.enum(["active", "idle", "away"]);
export type Status = z.infer<typeof statusSchema>;
const seq = z.number().int().min(0);
/** Chat text: counted in UTF-16 code units (String.length), as documented; zod's max counts code points. */
export const chatTextSchema = z
  .string()
  .min(1)
  .refine((s) => s.length <= LIMITS.chatTextMax, `at most ${LIMITS.chatTextMax} UTF-16 code units`);
/** A client key: the secret an open-room client keeps and proves its clientId with (identity.ts). */
export const clientKeySchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, "22-64 of A-Z a-z 0-9 _ -");

/** One person in the room: every connection with the same clientId folds into one. */
export type Person = {
  clientId: string;
  name: string;
  color: string;
  status: Status;
  /** How many connections (tabs) this person has open. */
  connections: number;
  /** Server time (ms since epoch) of the last sign of life from any of them. */
  lastSeen: number;
};

/** A chat message as stored and sent; `seq` is the room's order. */
export type ChatMessage = {
  seq: number;
  /** The sender's client message id: resending it never makes a second message. */
  id: string;
  clientId: string;
  name: string;
  color: string;
  text: string;
  /** Server time the message was accepted (ms since epoch). */
  ts: number;
};

// ---------------------------------------------------------------- client -> server

export const helloSchema = z
  .object({
    type: z.literal("hello"),
    v: z.number().int(),
    /** Who the client says it is; in open rooms only honoured with its `key` (or replaced by a fresh guest id). */
    clientId: idSchema.optional(),
    /** The client's secret: its clientId is derived from it, so nobody else can claim that id. */
    key: clientKeySchema.optional(),
    name,
    color,
    status: statusSchema.optional(),
    /** Highest chat seq the client has; the welcome then carries what came after. */
    lastSeq: seq.optional(),
  })
  .refine((h) => h.clientId !== undefined || h.key !== undefined, { message: "a hello carries a clientId or a key", path: ["clientId"] });

/** Bytes read: the total UTF-8 bytes of every frame this connection has received (flow control). */
const readBytes = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const clientMessageSchema = z.discriminatedUnion("type", [
  helloSchema,
  z.object({ type: z.literal("heartbeat"), status: statusSchema.optional(), read: readBytes.optional() }),
  z.object({ type: z.literal("presence"), name: name.optional(), color: color.optional(), status: statusSchema.optional() }),
  z.object({ type: z.literal("chat"), id: idSchema, text: chatTextSchema }),
  /** Messages after `after` (resume, or filling a detected gap). */
  z.object({ type: z.literal("sync"), after: seq, limit: z.number().int().min(1).max(LIMITS.pageMax).optional() }),
  /** A fresh token for this connection (refresh before `exp` without reconnecting). */
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(LIMITS.tokenMax) }),
  /** Older messages before `before` (scrolling up). */
  z.object({ type: z.literal("history"), before: seq, limit: z.number().int().min(1).max(LIMITS.pageMax).optional() }),
  /** How much the client has read so far (flow control): sent every FLOW.reportEveryBytes. */
  z.object({ type: z.literal("read"), bytes: readBytes }),
]);

export type Hello = z.infer<typeof helloSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage["type"];
const CLIENT_TYPES: ReadonlySet<string> = new Set(["hello", "heartbeat", "presence", "chat", "sync", "history", "auth", "read"]);

// ---------------------------------------------------------------- server -> client

const personSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  color: z.string(),
  status: statusSchema,
  connections: z.number(),
  lastSeen: z.number(),
});

const chatMessageSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  clientId: z.string(),
  name: z.string(),
  color: z.string(),
  text: z.string(),
  ts: z.number(),
});

const presenceDeltaSchema = z.object({
  type: z.literal("presence"),
  join: z.array(personSchema).optional(),
  update: z.array(personSchema).optional(),
  /** clientIds of people who left (their last connection went away), or who are no longer listed. */
  leave: z.array(z.string()).optional(),
  /** How many people are in the room in all, listed or not (LIMITS.presenceListed); with every change of that number. */
  people: z.number().int().nonnegative().optional(),
});

const role = z.enum(ROLES);

/**
 * Every frame the room sends on a text frame. Clients parse with this schema:
 * unknown extra fields pass through (new fields are optional by rule); an
 * unknown `type` fails and is dropped. `error.code` is an open set for old clients.
 */
export const serverMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    v: z.number(),
    roomId: z.string(),
    /** This connection's id (for an HTTP session, its session id). */
    connectionId: z.string(),
    /** The clientId the room knows this connection by (derived from `key`, the token's `sub`, or a fresh guest id). */
    clientId: z.string().optional(),
    /** The room's latest chat seq. */
    seq: z.number().int(),
    /** The people listed (the first LIMITS.presenceListed to arrive), and you. */
    presence: z.array(personSchema),
    /** How many people are in the room in all (absent from servers before the list was capped: then `presence` is everyone). */
    people: z.number().int().nonnegative().optional(),
    /** After `lastSeq` (≤ pageMax), or the latest ones; if the last one's seq < `seq`, send `sync`. */
    messages: z.array(chatMessageSchema),
    heartbeatMs: z.number().positive(),
    ttlMs: z.number(),
    serverTime: z.number(),
    role: role.optional(),
    /** When this connection's token expires (ms since epoch); absent in open rooms. */
    authExp: z.number().optional(),
  }),
  /** Reply to `auth`: the role now, and the new expiry (0 in open rooms, where tokens are not checked). */
  z.object({ type: z.literal("auth"), role, authExp: z.number().optional() }),
  presenceDeltaSchema,
  z.object({ type: z.literal("chat"), message: chatMessageSchema }),
  z.object({
    type: z.literal("ack"),
    id: z.string(),
    seq: z.number().int(),
    ts: z.number(),
    /** True when this id had been accepted before: nothing new was stored. */
    duplicate: z.boolean(),
  }),
  z.object({
    type: z.literal("messages"),
    for: z.enum(["sync", "history"]),
    messages: z.array(chatMessageSchema),
    /** More exist beyond this page in the requested direction. */
    hasMore: z.boolean(),
    seq: z.number().int(),
  }),
  z.object({ type: z.literal("pong"), serverTime: z.number() }),
  /**
   * The room is closing this connection with `code` and `reason`: close it and act as on that close.
   * Sent just before the close itself, because a close the room starts outside the connection's own
   * event (a sweep, another client's message) does not always reach the client (PROTOCOL.md §13).
   */
  z.object({ type: z.literal("close"), code: z.number().int(), reason: z.string() }),
  z.object({
    type: z.literal("error"),
    code: z.string(),
    message: z.string(),
    /** The client message id (chat) or message type the error is about. */
    ref: z.string().optional(),
  }),
]);

export type PresenceDelta = z.infer<typeof presenceDeltaSchema>;
/** What the room sends; like the schema, but `error.code` is one of ours. */
export type ServerMessage = Exclude<z.infer<typeof serverMessageSchema>, { type: "error" }> | { type: "error"; code: ErrorCode; message: string; ref?: string };
export type ServerMessageType = ServerMessage["type"];
export type Welcome = Extract<ServerMessage, { type: "welcome" }>;
export type { Role };

// ---------------------------------------------------------------- parsing

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string; ref?: string };

/**
 * Parses one text frame from a client. Never throws: every failure is a typed
 * error the room can send back (bad_json, unknown_type, bad_message, too_large).
 */
export function parseClientMessage(raw: string): ParseResult {
  // A UTF-16 unit is at most 3 UTF-8 bytes: a short frame (a heartbeat) needs no count.
  if (raw.length * 3 > LIMITS.textFrameBytes && utf8Length(raw) > LIMITS.textFrameBytes) {
    return { ok: false, code: "too_large", message: `text frames are limited to ${LIMITS.textFrameBytes} bytes` };
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: "bad_json", message: "frame is not valid JSON" };
  }
  const type = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as { type?: unknown }).type : undefined;
  if (typeof type !== "string") return { ok: false, code: "bad_message", message: "a message is a JSON object with a string `type`" };
  if (!CLIENT_TYPES.has(type)) return { ok: false, code: "unknown_type", message: `unknown message type "${type.slice(0, 40)}"`, ref: type.slice(0, 40) };
  const quick = quickParse(type, data as Record<string, unknown>);
  if (quick) return { ok: true, message: quick };
  const parsed = clientMessageSchema.safeParse(data);
  if (!parsed.success) {
    const id = (data as { id?: unknown }).id;
    return {
      ok: false,
      code: "bad_message",
      message: z.prettifyError(parsed.error).slice(0, 300),
      ref: type === "chat" && typeof id === "string" ? id.slice(0, 64) : type,
    };
  }
  return { ok: true, message: parsed.data };
}

/**
 * The two frames every client sends all the time (a heartbeat every 10 s, a
 * read report every 32 KiB), checked by hand: at 10,000 connections that is a
 * thousand a second, and the schema's general path costs more than the rest
 * of their handling. Anything not exactly valid goes to the schema, which
 * gives the error.
 */
function quickParse(type: string, data: Record<string, unknown>): ClientMessage | null {
  const keys = Object.keys(data);
  const read = data.read ?? data.bytes;
  const readOk = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (type === "heartbeat" && keys.every((k) => k === "type" || k === "status" || k === "read")) {
    if (data.status !== undefined && data.status !== "active" && data.status !== "idle" && data.status !== "away") return null;
    if (data.read !== undefined && !readOk(read)) return null;
    return data as ClientMessage;
  }
  if (type === "read" && keys.length === 2 && readOk(data.bytes)) return data as ClientMessage;
  return null;
}

/** Parses one text frame from the room; null if it is not a message this client understands. */
export function parseServerMessage(raw: string): ServerMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(data);
  // The schema is ServerMessage with `error.code` widened to string: codes newer than this client are kept.
  return parsed.success ? (parsed.data as ServerMessage) : null;
}

/** Byte length of a string once UTF-8 encoded, without allocating. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Compile-time exhaustiveness for switches over unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
