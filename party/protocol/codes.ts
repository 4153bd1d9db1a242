/**
 * Every close code and error code of the protocol, in one place. Close codes
 * are `{ code, reason }` pairs so the reason a client shows is the documented
 * one; 4xxx mirror HTTP statuses. PROTOCOL.md §12-13 list them.
 */

/** Close codes the room (or the edge) sends. */
export const CloseCode = {
  /** The room answers a client's own close. */
  Normal: { code: 1000, reason: "closed" },
  /** The end of an HTTP session the client asked for (`DELETE`). */
  ClientClosed: { code: 1000, reason: "closed by the client" },
  /** A send to the connection failed: it is broken. */
  SendFailed: { code: 1011, reason: "send failed" },
  /** A frame larger than the binary limit (WebSocket's own "too big"). */
  MessageTooBig: { code: 1009, reason: "frame too large" },
  /** The room lost what it knew of the connection (a redeploy changed its state): reconnect. */
  Restart: { code: 1012, reason: "the room restarted; reconnect" },
  /** The connection fell too far behind reading what the room sent it (PROTOCOL.md §11, flow control). */
  SlowReader: { code: 1013, reason: "try again later: the connection fell behind reading" },
  /** The room id in the URL does not follow the id rule. */
  BadRoom: { code: 4400, reason: "invalid room id" },
  /** No token where the room needs one, or a forged or malformed one. */
  Unauthorized: { code: 4401, reason: "unauthorized" },
  /** The room needs a token and the connection brought none. */
  TokenMissing: { code: 4401, reason: "this room needs a token" },
  /** The token's signature or format is wrong. */
  TokenInvalid: { code: 4401, reason: "invalid token signature or format" },
  /** The token lacks a claim the room needs (role, subject, room or prefix, expiry). */
  TokenIncomplete: { code: 4401, reason: "token claims are incomplete" },
  /** The token expired (at the door, or it was not refreshed in time). */
  TokenExpired: { code: 4401, reason: "token expired" },
  /** Not allowed here. */
  Forbidden: { code: 4403, reason: "forbidden" },
  /** The token is for another room. */
  WrongRoom: { code: 4403, reason: "token is for another room" },
  /** The page's origin is not on the room's allow-list. */
  OriginNotAllowed: { code: 4403, reason: "origin not allowed" },
  /** No hello in time. */
  HelloTimeout: { code: 4408, reason: "no hello within the timeout" },
  /** Silent for longer than the presence TTL. */
  HeartbeatTimeout: { code: 4408, reason: "no heartbeat within the presence TTL" },
  /** The client speaks a protocol version this server does not (the reason names both). */
  VersionMismatch: { code: 4426, reason: "unsupported protocol version" },
  /** Repeated bad or excessive frames. */
  Abuse: { code: 4429, reason: "too many rejected messages" },
  /** This user (or address) already has as many connections in the room as it may. */
  TooManyConnections: { code: 4429, reason: "too many connections for this user" },
  /** The room holds as many connections as it may. */
  RoomFull: { code: 4503, reason: "this room is full" },
} as const satisfies Record<string, { code: number; reason: string }>;

/** Codes the reference client closes with itself. */
export const ClientCloseCode = {
  /** The client's watchdog saw no frame from the server for too long. */
  Watchdog: { code: 4000, reason: "no frames from the server" },
  /** A background WebSocket probe (transport fallback) that did its job. */
  Probe: { code: 1000, reason: "probe" },
  /** The client is going away (destroy, leaving the room). */
  Leaving: { code: 1000, reason: "client left" },
  /** The connection broke with no close frame (the code a WebSocket reports for it; never sent). */
  Lost: { code: 1006, reason: "connection lost" },
  /** An HTTP transport request failed with an unexpected status. */
  HttpFailed: { code: 1011, reason: "HTTP request failed" },
  /** An HTTP session the room no longer knows (404 session_gone): open a new one. */
  SessionGone: { code: 4404, reason: "session gone" },
} as const satisfies Record<string, { code: number; reason: string }>;

/** Codes after which a client must not reconnect on its own (4401/4403: only with a new token). */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.BadRoom.code,
  CloseCode.Unauthorized.code,
  CloseCode.Forbidden.code,
  CloseCode.VersionMismatch.code,
]);

/** Typed error codes carried by `error` messages and HTTP error bodies, with their HTTP status. */
export const ERROR_STATUS = {
  bad_json: 400,
  bad_message: 400,
  unknown_type: 400,
  too_large: 413,
  rate_limited: 429,
  hello_required: 400,
  already_hello: 400,
  bad_room: 400,
  not_found: 404,
  version_not_found: 404,
  method_not_allowed: 405,
  session_gone: 404,
  unauthorized: 401,
  forbidden: 403,
  unsupported_version: 426,
  doc_too_large: 413,
  too_many_connections: 429,
  room_full: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
