/**
 * WebSocket close codes the room uses, as `{ code, reason }` pairs so the
 * reason a client shows is the documented one. 4xxx mirror HTTP statuses.
 * Clients treat codes in TERMINAL_CLOSE_CODES as final: reconnecting cannot help.
 */
export const CloseCode = {
  /** The room id in the URL is not `[A-Za-z0-9_-]{1,64}`. */
  BadRoom: { code: 4400, reason: "invalid room id" },
  /** Reserved for access control: no or bad credentials. */
  Unauthorized: { code: 4401, reason: "unauthorized" },
  /** Reserved for access control: credentials do not allow this room. */
  Forbidden: { code: 4403, reason: "forbidden" },
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
