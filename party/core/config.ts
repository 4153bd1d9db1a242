/**
 * What a deployment may tune, with the protocol's defaults: timing (presence,
 * hello, SSE keep-alive), the connection caps and version history. The host reads it from env
 * (party/host/config.ts); tests build it directly.
 */
import { BUDGETS, HEARTBEAT_INTERVAL_MS, HELLO_TIMEOUT_MS, PRESENCE_TTL_MS, SSE_KEEPALIVE_MS, USER_LIMITS, VERSIONS } from "../protocol";

export type RoomConfig = {
  heartbeatMs: number;
  /** Presence TTL: at least two heartbeats. */
  ttlMs: number;
  helloTimeoutMs: number;
  sseKeepAliveMs: number;
  /** Connections (sockets + HTTP sessions) per room. */
  maxConnections: number;
  maxConnectionsPerUser: number;
  maxConnectionsPerAddress: number;
  /** Version history (versions.ts): automatic interval, retention windows, budget. */
  versionEveryMs: number;
  versionKeepAllMs: number;
  versionPeriodMs: number;
  versionKeepMs: number;
  versionBudgetBytes: number;
};

export const DEFAULT_CONFIG: RoomConfig = {
  heartbeatMs: HEARTBEAT_INTERVAL_MS,
  ttlMs: PRESENCE_TTL_MS,
  helloTimeoutMs: HELLO_TIMEOUT_MS,
  sseKeepAliveMs: SSE_KEEPALIVE_MS,
  maxConnections: BUDGETS.connections,
  maxConnectionsPerUser: USER_LIMITS.connectionsPerUser,
  maxConnectionsPerAddress: USER_LIMITS.connectionsPerAddress,
  versionEveryMs: VERSIONS.autoEveryMs,
  versionKeepAllMs: VERSIONS.keepAllMs,
  versionPeriodMs: VERSIONS.periodMs,
  versionKeepMs: VERSIONS.keepMs,
  versionBudgetBytes: VERSIONS.budgetBytes,
};
