/**
 * WebSocket close codes the room uses, as `{ code, reason }` pairs so the
 * reason a client shows is the documented one. 4xxx mirror HTTP statuses.
 * Clients treat codes in TERMINAL_CLOSE_CODES as final: reconnecting cannot help.
 */
export const CloseCode = {
  /** The room id in the URL is not `[A-Za-z0-9_-]{1,64}`. */
  BadRoom: { code: 4400, reason: "invalid room id" },
  /** No token where the room needs one, or a forged or malformed one. */
  Unauthorized: { code: 4401, reason: "unauthorized" },
  /** The connection's token expired and was not refreshed in time. */
  TokenExpired: { code: 4401, reason: "token expired" },
  /** The token is for another room. */
  Forbidden: { code: 4403, reason: "forbidden" },
  /** The page's origin is not on the room's allow-list. */
  OriginNotAllowed: { code: 4403, reason: "origin not allowed" },
  /** No hello in time, or presence TTL expired without a heartbeat. */
  HelloTimeout: { code: 4408, reason: "no hello within the timeout" },
  HeartbeatTimeout: { code: 4408, reason: "no heartbeat within the presence TTL" },
  /** The client speaks a protocol version this server does not. */
  VersionMismatch: { code: 4426, reason: "unsupported protocol version" },
  /** Repeated bad or excessive frames. */
  Abuse: { code: 4429, reason: "too many rejected messages" },
  /** A frame larger than the binary limit (WebSocket's own "too big"). */
  MessageTooBig: { code: 1009, reason: "frame too large" },
} as const satisfies Record<string, { code: number; reason: string }>;

/** Codes after which a client must not reconnect on its own. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4400, 4401, 4403, 4426]);
