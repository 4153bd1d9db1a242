/**
 * The partyroom wire protocol, shared by the room server and every client.
 *
 * One WebSocket per room carries two kinds of frames that never mix:
 * - text frames: the JSON app protocol below (hello, chat, presence, ...);
 * - binary frames: the standard Yjs sync + awareness protocol (y-protocols),
 *   exactly what y-websocket and y-partykit speak.
 * A socket whose first frame is binary is a plain Yjs socket and is never sent
 * a text frame, so stock Yjs providers work against the same room URL.
 *
 * PROTOCOL.md documents all of this for people writing clients in other
 * languages; keep the two in step. New fields must be optional.
 */
import { z } from "zod";

/** Bumped on any change an older peer could misread. */
export const PROTOCOL_VERSION = 1;
/** Versions this server accepts in `hello`. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** The party name rooms live under: `/parties/main/<room>`. */
export const ROOM_PARTY = "main";
/** Room ids: letters, digits, `_` and `-`, 1 to 64 of them. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Name of the Y.Text every client edits. */
export const DOC_TEXT_NAME = "content";

/**
 * Timing, in milliseconds. The TTL is three heartbeats so one lost beat never
 * drops anyone (a deployment may shorten both; the room keeps TTL >= 2 beats).
 */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const PRESENCE_TTL_MS = 30_000;
/** A socket must say hello (or send a Yjs frame) within this long. */
export const HELLO_TIMEOUT_MS = 10_000;

/** Size limits; PROTOCOL.md lists them too. */
export const LIMITS = {
  /** Longest chat message, in UTF-16 code units (what String.length counts). */
  chatTextMax: 2_000,
  nameMax: 40,
  /** Largest JSON text frame; larger ones are refused with `too_large`. */
  textFrameBytes: 16 * 1024,
  /** Largest binary (Yjs) frame. */
  binaryFrameBytes: 1024 * 1024,
  /** Largest HTTP request body. */
  httpBodyBytes: 16 * 1024,
  /** Messages in a welcome when the client is new. */
  welcomeLatest: 50,
  /** Most messages one `sync`/`history` reply or HTTP page carries. */
  pageMax: 200,
  /** Default page size for `history`. */
  pageDefault: 50,
} as const;

/** Token bucket for a connection's text frames: burst, then steady rate. */
export const RATE_LIMIT = {
  burst: 30,
  perSecond: 15,
  /** Abuse: more than this many refused frames within `strikeWindowMs` closes the socket. */
  strikes: 20,
  strikeWindowMs: 10_000,
  /**
   * Binary (Yjs) frames: a frame over the rate is still applied (dropping it
   * would lose an edit) but counts as a strike, so a flood ends in a close.
   */
  binaryBurst: 1000,
  binaryPerSecond: 300,
} as const;

// ---------------------------------------------------------------- shared shapes

const idString = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 of A-Z a-z 0-9 _ -");
const name = z.string().trim().min(1).max(LIMITS.nameMax);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, "a #rrggbb colour");
export const statusSchema = z.enum(["active", "idle", "away"]);
export type Status = z.infer<typeof statusSchema>;
const seq = z.number().int().min(0);

/** One person in the room: every connection with the same clientId folds into one. */
export type Person = {
  clientId: string;
  name: string;
  color: string;
  status: Status;
  /** How many sockets (tabs) this person has open. */
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

export const helloSchema = z.object({
  type: z.literal("hello"),
  v: z.number().int(),
  clientId: idString,
  name,
  color,
  status: statusSchema.optional(),
  /** Highest chat seq the client has; the welcome then carries what came after. */
  lastSeq: seq.optional(),
});

export const clientMessageSchema = z.discriminatedUnion("type", [
  helloSchema,
  z.object({ type: z.literal("heartbeat"), status: statusSchema.optional() }),
  z.object({
    type: z.literal("presence"),
    name: name.optional(),
    color: color.optional(),
    status: statusSchema.optional(),
  }),
  z.object({
    type: z.literal("chat"),
    id: idString,
    text: z.string().min(1).max(LIMITS.chatTextMax),
  }),
  /** Messages after `after` (resume, or filling a detected gap). */
  z.object({ type: z.literal("sync"), after: seq, limit: z.number().int().min(1).max(LIMITS.pageMax).optional() }),
  /** A fresh token for this connection (refresh before `exp` without reconnecting). */
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(4096) }),
  /** Older messages before `before` (scrolling up). */
  z.object({ type: z.literal("history"), before: seq, limit: z.number().int().min(1).max(LIMITS.pageMax).optional() }),
]);

export type Hello = z.infer<typeof helloSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage["type"];

// ---------------------------------------------------------------- server -> client

/** Typed error codes carried by `error` messages and HTTP error bodies. */
export type ErrorCode =
  | "bad_json"
  | "bad_message"
  | "unknown_type"
  | "too_large"
  | "rate_limited"
  | "hello_required"
  | "already_hello"
  | "bad_room"
  | "not_found"
  | "method_not_allowed"
  | "session_gone"
  | "unauthorized"
  | "forbidden"
  | "unsupported_version"
  | "internal";

export type PresenceDelta = {
  type: "presence";
  join?: Person[];
  update?: Person[];
  /** clientIds of people who left (their last connection went away). */
  leave?: string[];
};

export type ServerMessage =
  | {
      type: "welcome";
      v: number;
      roomId: string;
      /** This socket's id, unique per socket (not the partysocket `_pk`). */
      connectionId: string;
      /** The room's latest chat seq. */
      seq: number;
      presence: Person[];
      /**
       * With `lastSeq` in hello: the messages after it (up to pageMax);
       * otherwise the latest ones. If the last one's seq < `seq`, send `sync`.
       */
      messages: ChatMessage[];
      heartbeatMs: number;
      ttlMs: number;
      serverTime: number;
      /** What this connection may do: view (read only), chat (and read), edit (everything). */
      role?: "view" | "chat" | "edit";
      /** When this connection's token expires (ms since epoch); absent in open rooms. */
      authExp?: number;
    }
  /** Reply to `auth`: the connection's role now, and its new expiry (absent in open rooms). */
  | { type: "auth"; role: "view" | "chat" | "edit"; authExp?: number }
  | PresenceDelta
  | { type: "chat"; message: ChatMessage }
  | {
      type: "ack";
      /** The client message id being acknowledged. */
      id: string;
      seq: number;
      ts: number;
      /** True when this id had been accepted before: nothing new was stored. */
      duplicate: boolean;
    }
  | {
      type: "messages";
      for: "sync" | "history";
      messages: ChatMessage[];
      /** More exist beyond this page in the requested direction. */
      hasMore: boolean;
      seq: number;
    }
  | { type: "pong"; serverTime: number }
  | {
      type: "error";
      code: ErrorCode;
      message: string;
      /** The client message id (chat) or message type the error is about. */
      ref?: string;
    };

export type ServerMessageType = ServerMessage["type"];

// ---------------------------------------------------------------- parsing

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: ErrorCode; message: string; ref?: string };

const knownTypes = new Set<string>(["hello", "heartbeat", "presence", "chat", "sync", "history", "auth"]);

/**
 * Parses one text frame. Never throws: every failure is a typed error the
 * room can send back (bad_json, unknown_type, bad_message, too_large).
 */
export function parseClientMessage(raw: string): ParseResult {
  if (utf8Length(raw) > LIMITS.textFrameBytes) {
    return { ok: false, code: "too_large", message: `text frames are limited to ${LIMITS.textFrameBytes} bytes` };
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: "bad_json", message: "frame is not valid JSON" };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, code: "bad_message", message: "a message is a JSON object with a string `type`" };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== "string") {
    return { ok: false, code: "bad_message", message: "a message is a JSON object with a string `type`" };
  }
  if (!knownTypes.has(type)) {
    return { ok: false, code: "unknown_type", message: `unknown message type "${type.slice(0, 40)}"`, ref: type.slice(0, 40) };
  }
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

/** Room ids are checked at the edge and again by the room. */
export function isValidRoomId(id: string): boolean {
  return ROOM_ID_PATTERN.test(id);
}

/** Byte length of a string once UTF-8 encoded, without allocating. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
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

// ---------------------------------------------------------------- HTTP

/** Body of `POST /parties/main/<room>/messages`: the same idempotency as over the socket. */
export const httpChatSchema = z.object({
  clientId: idString,
  id: idString,
  text: z.string().min(1).max(LIMITS.chatTextMax),
  name: name.optional(),
  color: color.optional(),
});
export type HttpChat = z.infer<typeof httpChatSchema>;

/** Every HTTP error body. */
export type HttpError = { error: { code: ErrorCode; message: string } };

/** HTTP chat posts per clientId: burst, then steady rate. */
export const HTTP_RATE_LIMIT = { burst: 20, perSecond: 5 } as const;
