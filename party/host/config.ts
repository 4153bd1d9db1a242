/**
 * The room's configuration from PartyKit vars (`--var`, partykit.json `vars`,
 * `partykit env`): timing, connection caps and version history, each defaulting to the
 * protocol's (core/config.ts). Values that are not numbers, or below a sane
 * floor, are ignored; the TTL is kept at two heartbeats or more, so one lost
 * beat never makes anyone leave.
 */
import { type RoomConfig, DEFAULT_CONFIG } from "../core/config";

/** Env var names, as documented in the README's table of variables. */
export const CONFIG_ENV = {
  heartbeatMs: "HEARTBEAT_INTERVAL_MS",
  ttlMs: "PRESENCE_TTL_MS",
  helloTimeoutMs: "HELLO_TIMEOUT_MS",
  sseKeepAliveMs: "SSE_KEEPALIVE_MS",
  maxConnections: "PARTYROOM_MAX_CONNECTIONS",
  maxConnectionsPerUser: "PARTYROOM_MAX_CONNECTIONS_PER_USER",
  maxConnectionsPerAddress: "PARTYROOM_MAX_CONNECTIONS_PER_ADDRESS",
  versionEveryMs: "PARTYROOM_VERSIONS_EVERY_MS",
  versionKeepAllMs: "PARTYROOM_VERSIONS_KEEP_ALL_MS",
  versionPeriodMs: "PARTYROOM_VERSIONS_PERIOD_MS",
  versionKeepMs: "PARTYROOM_VERSIONS_KEEP_MS",
  versionBudgetBytes: "PARTYROOM_VERSIONS_BUDGET_BYTES",
} as const satisfies Record<keyof RoomConfig, string>;

/** Reads the configuration from env. */
export function configFrom(env: Record<string, unknown>): RoomConfig {
  const num = (key: keyof RoomConfig, floor: number) => {
    const n = Number(env[CONFIG_ENV[key]]);
    return Number.isFinite(n) && n >= floor ? Math.floor(n) : DEFAULT_CONFIG[key];
  };
  const heartbeatMs = num("heartbeatMs", 100);
  return {
    heartbeatMs,
    ttlMs: Math.max(num("ttlMs", 100), 2 * heartbeatMs),
    helloTimeoutMs: num("helloTimeoutMs", 100),
    sseKeepAliveMs: num("sseKeepAliveMs", 100),
    maxConnections: num("maxConnections", 1),
    maxConnectionsPerUser: num("maxConnectionsPerUser", 1),
    maxConnectionsPerAddress: num("maxConnectionsPerAddress", 1),
    versionEveryMs: num("versionEveryMs", 100),
    versionKeepAllMs: num("versionKeepAllMs", 0),
    versionPeriodMs: num("versionPeriodMs", 100),
    versionKeepMs: num("versionKeepMs", 0),
    versionBudgetBytes: num("versionBudgetBytes", 1024),
  };
}
