/**
 * Presence timing. The defaults are the protocol's (HEARTBEAT_INTERVAL_MS,
 * PRESENCE_TTL_MS, HELLO_TIMEOUT_MS, and the SSE keep-alive); a deployment or a test may shorten them
 * with env vars of the same names (`--var` or partykit.json vars).
 */
import { SSE_KEEPALIVE_MS } from "./http-transport";
import { HEARTBEAT_INTERVAL_MS, HELLO_TIMEOUT_MS, PRESENCE_TTL_MS } from "./protocol";

export type Timing = { heartbeatMs: number; ttlMs: number; helloTimeoutMs: number; sseKeepAliveMs: number };

/** Reads the timing from env; the TTL is kept at two heartbeats or more, so one lost beat never makes anyone leave. */
export function timingFrom(env: Record<string, unknown>): Timing {
  const num = (key: string, fallback: number) => {
    const n = Number(env[key]);
    return Number.isFinite(n) && n >= 100 ? n : fallback;
  };
  const heartbeatMs = num("HEARTBEAT_INTERVAL_MS", HEARTBEAT_INTERVAL_MS);
  const ttlMs = Math.max(num("PRESENCE_TTL_MS", PRESENCE_TTL_MS), 2 * heartbeatMs);
  return { heartbeatMs, ttlMs, helloTimeoutMs: num("HELLO_TIMEOUT_MS", HELLO_TIMEOUT_MS), sseKeepAliveMs: num("SSE_KEEPALIVE_MS", SSE_KEEPALIVE_MS) };
}
