/**
 * The operator side of the protocol (PROTOCOL.md §15): how an admin proves
 * itself, the admin-only endpoints of a room and of the directory, the
 * inspector's data, and the webhook events a room sends. Clients of a room
 * never need any of it.
 */
import type { ChatMessage, Person } from "./messages";

/** The directory party (`partykit.json` `parties`): one instance lists every room. */
export const DIRECTORY_PARTY = "directory";
/** The directory's one instance. */
export const DIRECTORY_ID = "rooms";

/** The cookie the inspector's login form sets (HttpOnly, SameSite=Strict): `<expiry ms>.<hex HMAC>`. */
export const ADMIN_COOKIE = "partyroom_admin";
/** How long a login lasts. */
export const ADMIN_COOKIE_TTL_MS = 12 * 60 * 60 * 1000;

/** Admin-only room paths, under `/parties/main/<room>`. */
export const ROOM_ADMIN_PATHS = { inspect: "/inspect", metrics: "/metrics" } as const;
/** Admin-only directory paths, under `/parties/directory/rooms`. */
export const DIRECTORY_PATHS = { list: "/list", metrics: "/metrics" } as const;

/** The inspector's connection table is paged: at most this many rows a request. */
export const INSPECT_PAGE_MAX = 500;
export const INSPECT_PAGE_DEFAULT = 100;

/** One connection as the inspector shows it. */
export type InspectConnection = {
  id: string;
  kind: "pending" | "app" | "yjs";
  transport: "websocket" | "sse" | "poll";
  role: string;
  /** The token's user (`sub`), or "" in open rooms. */
  user: string;
  /** The app session's public id (presence clientId), when it said hello. */
  clientId: string | null;
  address: string;
  connectedAt: number;
  lastSeen: number;
  bytesIn: number;
  bytesOut: number;
  /** Refused frames within the strike window. */
  strikes: number;
  /** Bytes sent that the link has not shown it read (flow control). */
  unread: number;
};

/** A budget and how much of it the room uses. */
export type InspectBudget = { name: string; used: number; limit: number; unit: "count" | "bytes" };

/** A refusal or a close the room made, recently. */
export type InspectEvent = { at: number; code: string | number; reason?: string; session?: string };

/** One webhook delivery attempt. */
export type WebhookAttempt = { at: number; event: string; type: WebhookEventType; attempt: number; status: number | null; error?: string; ms: number };

/** What the room reports of its webhooks. */
export type WebhookStatus = {
  configured: boolean;
  queued: number;
  /** Oldest events dropped because the queue was full. */
  dropped: number;
  delivered: number;
  failedAttempts: number;
  nextAttemptAt: number | null;
  log: WebhookAttempt[];
};

/** `GET /parties/main/<room>/inspect` (admin). */
export type InspectData = {
  room: string;
  now: number;
  /** `wakeups`: this instance's (1 once it is up); `wakeupsTotal`: starts since the room was created (kept in storage). */
  instance: { id: string; startedAt: number; wakeups: number; wakeupsTotal: number; alarmAt: number | null; hibernates: true };
  totals: {
    connections: number;
    byKind: Record<string, number>;
    byTransport: Record<string, number>;
    framesIn: number;
    bytesIn: number;
    framesOut: number;
    bytesOut: number;
    chatMessages: number;
    docUpdates: number;
  };
  connections: { total: number; offset: number; limit: number; items: InspectConnection[] };
  presence: Person[];
  chat: { seq: number; latest: ChatMessage[] };
  doc: { bytes: number; storedUpdates: number; updatesReceived: number; compactions: number };
  storage: { bytes: number; keys: number; measuredAt: number };
  budgets: InspectBudget[];
  refusals: { byCode: Record<string, number>; recent: InspectEvent[] };
  closes: { byCode: Record<string, number>; recent: InspectEvent[] };
  webhooks: WebhookStatus;
};

/** One room as the directory knows it. */
export type DirectoryEntry = {
  room: string;
  connections: number;
  byKind: Record<string, number>;
  byTransport: Record<string, number>;
  /** What the last report said happened. */
  state: "started" | "changed" | "emptied";
  reportedAt: number;
  /** When the room last went from empty to occupied. */
  startedAt: number | null;
  instanceId: string;
};

/**
 * A room's report to the directory (party to party, never from outside). `startedAt`: when the reporting instance saw
 * the room go from empty to occupied (a start is reported a window later); absent when it did not see it (it woke with
 * the room occupied), or from a room older than the field.
 */
export type DirectoryReport = Omit<DirectoryEntry, "startedAt"> & { startedAt?: number };

/** `GET /parties/directory/rooms/list` (admin). */
export type DirectoryList = { rooms: DirectoryEntry[]; total: number; active: number; connections: number };

/** Webhook event types (the `type` of the body; PROTOCOL.md §15). */
export const WEBHOOK_EVENT_TYPES = ["room.started", "room.emptied", "user.joined", "user.left", "chat.message.created", "document.changed"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of every webhook POST. `seq` counts a room's events: receivers order by it after deduplicating on the id. */
export type WebhookBody = { id: string; type: WebhookEventType; room: string; seq: number; timestamp: string; data: Record<string, unknown> };
