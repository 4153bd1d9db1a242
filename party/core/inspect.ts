/**
 * The inspector's view of one room (PROTOCOL.md §15, `GET …/inspect`):
 * every connection (paged), presence, chat, the document, storage, each
 * budget with how much of it is used, this instance and its wake-ups, recent
 * refusals and closes, and the webhook queue. Built on demand from what the
 * core already holds; nothing here is kept.
 */
import { BUDGETS, FLOW, INSPECT_PAGE_DEFAULT, INSPECT_PAGE_MAX, type InspectBudget, type InspectConnection, type InspectData, type WebhookStatus } from "../protocol";
import type { RoomCore } from "./room";
import type { Session } from "./session";
import type { StorageMeter } from "./storage-usage";
import { WEBHOOK_QUEUE_MAX } from "./webhook-queue";

/** Chat messages the inspector shows. */
export const INSPECT_LATEST_MESSAGES = 10;

/** What the room's operator tools add to the core. */
export type OpsParts = { meter: StorageMeter; webhooks: { status(): WebhookStatus } | null; wakeupsTotal: number };

/** Clamps a requested page of the connection table. */
export function connectionPage(offset: number, limit: number): { offset: number; limit: number } {
  return { offset: Math.max(0, Math.floor(offset) || 0), limit: Math.min(INSPECT_PAGE_MAX, Math.max(1, Math.floor(limit) || INSPECT_PAGE_DEFAULT)) };
}

/** The whole inspector snapshot; `offset`/`limit` page the connections (oldest first). */
export async function inspect(core: RoomCore, ops: OpsParts, offset: number, limit: number): Promise<InspectData> {
  const now = core.now();
  const page = connectionPage(offset, limit);
  const sessions = [...core.sessions.values()].sort((a, b) => a.connectedAt - b.connectedAt || (a.id < b.id ? -1 : 1));
  const { store } = await core.loadDoc();
  const c = core.counters;
  return {
    room: core.deps.roomId,
    now,
    instance: { id: c.instanceId, startedAt: c.startedAt, wakeups: c.wakeups, wakeupsTotal: ops.wakeupsTotal, alarmAt: core.nextAlarm, hibernates: true },
    totals: {
      connections: sessions.length,
      byKind: countBy(sessions, (s) => s.kind),
      byTransport: countBy(sessions, (s) => s.transport),
      framesIn: c.framesIn,
      bytesIn: c.bytesIn,
      framesOut: c.framesOut,
      bytesOut: c.bytesOut,
      chatMessages: c.chatMessages,
      docUpdates: c.docUpdates,
    },
    connections: { total: sessions.length, ...page, items: sessions.slice(page.offset, page.offset + page.limit).map((s) => row(s, now)) },
    presence: core.presence.people(),
    chat: { seq: core.chat.seq, latest: (await core.chat.latest(INSPECT_LATEST_MESSAGES)).messages },
    doc: await store.stats(),
    storage: await ops.meter.usage(now),
    budgets: budgets(core, sessions, store.size, ops),
    refusals: { byCode: Object.fromEntries(c.refusals), recent: [...c.recentRefusals] },
    closes: { byCode: Object.fromEntries([...c.closes].map(([code, n]) => [String(code), n])), recent: [...c.recentCloses] },
    webhooks: ops.webhooks?.status() ?? { configured: false, queued: 0, dropped: 0, delivered: 0, failedAttempts: 0, nextAttemptAt: null, log: [] },
  };
}

function row(s: Session, now: number): InspectConnection {
  return {
    id: s.id,
    kind: s.kind,
    transport: s.transport,
    role: s.grant.role,
    user: s.grant.userId,
    clientId: s.clientId ?? null,
    address: s.address,
    connectedAt: s.connectedAt,
    lastSeen: s.lastSeen,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    strikes: s.strikes.count(now),
    unread: s.flow.unread,
  };
}

/** Each budget (party/protocol/limits.ts, the room's config) and the room's use of it; per-user and per-link ones show the largest. */
function budgets(core: RoomCore, sessions: Session[], docBytes: number, ops: OpsParts): InspectBudget[] {
  const perUser = max(countBy(sessions.filter((s) => s.userKey), (s) => s.userKey!));
  const perAddress = max(countBy(sessions.filter((s) => s.address), (s) => s.address));
  const unread = sessions.reduce((m, s) => Math.max(m, s.flow.unread), 0);
  return [
    { name: "connections", used: sessions.length, limit: core.config.maxConnections, unit: "count" },
    { name: "httpSessions", used: core.http.size, limit: BUDGETS.httpSessions, unit: "count" },
    { name: "connectionsPerUser (largest)", used: perUser, limit: core.config.maxConnectionsPerUser, unit: "count" },
    { name: "connectionsPerAddress (largest)", used: perAddress, limit: core.config.maxConnectionsPerAddress, unit: "count" },
    { name: "docBytes", used: docBytes, limit: BUDGETS.docBytes, unit: "bytes" },
    { name: "unreadBytesPerLink (largest)", used: unread, limit: FLOW.budgetBytes, unit: "bytes" },
    { name: "webhookQueue", used: ops.webhooks?.status().queued ?? 0, limit: WEBHOOK_QUEUE_MAX, unit: "count" },
  ];
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function max(counts: Record<string, number>): number {
  return Object.values(counts).reduce((m, n) => Math.max(m, n), 0);
}
