/**
 * One client's session with the room, whatever carries it: a WebSocket, or an
 * HTTP session (SSE or long polling) whose frames go to an Outbox. The room
 * logic only ever sees a Link, so every transport gets the same protocol.
 *
 * A session's life is a union on its state: `pending` until its first frame;
 * then `app` (said hello: JSON + Yjs, with presence) or `yjs` (a stock Yjs
 * provider: binary only, never sent text).
 *
 * Everything a woken room needs to carry on lives in the session's record
 * (`toRecord`), which the host keeps with the connection (`conn.setState`,
 * at most 2 KB with PartyKit's own fields) or, for HTTP sessions, in storage.
 * Rate buckets and strike windows are not kept: a room is only evicted after
 * seconds of silence, by which time every bucket would have refilled anyway.
 */
import { RATE_LIMIT } from "../protocol";
import type { AwarenessEntry } from "./doc-sync";
import { LinkFlow } from "./flow";
import type { Outbox } from "./outbox";
import type { Grant, Link } from "./ports";
import type { PresenceEntry } from "./presence";
import { StrikeWindow, TokenBucket } from "./rate";

export type Transport = "websocket" | "sse" | "poll";

export type SessionState = { kind: "pending" } | { kind: "app"; clientId: string } | { kind: "yjs" };

/** A session as kept across a wake. Field names are short: the record shares 2 KB with the connect URL. */
export type SessionRecord = {
  v: 1;
  id: string;
  t: Transport;
  s: SessionState;
  at: number;
  seen: number;
  /** The grant; `exp` null for "never" (Infinity does not survive JSON). */
  g: { role: Grant["role"]; user: string; name?: string; exp: number | null };
  addr: string;
  /** Presence entry (app sessions). */
  p?: PresenceEntry;
  /** Awareness client ids this session owns, with the last clock seen for each. */
  aw?: Record<string, number>;
  /** Flow counters [sent, read]. */
  f?: [number, number];
  /** The client reports what it has read. */
  r?: true;
};

const NONE_OWNED: ReadonlyMap<number, number> = new Map();
const NONE_HELD: ReadonlySet<number> = new Set();

export class Session {
  state: SessionState = { kind: "pending" };
  lastSeen: number;
  /** lastSeen as last written to the record: a wake may see it up to recordSeenSlackMs stale. */
  savedSeen: number;
  /** Text frames. */
  readonly bucket: TokenBucket;
  /**
   * Yjs document updates, awareness updates and read reports: made on first
   * use, full, as a bucket made at connect and untouched since would be (a
   * bucket never holds more than its burst); chat-only sessions never use the
   * first two.
   */
  private docUpdates: TokenBucket | null = null;
  private awarenessUpdates: TokenBucket | null = null;
  private readReports: TokenBucket | null = null;
  readonly strikes = new StrikeWindow(RATE_LIMIT.strikes, RATE_LIMIT.strikeWindowMs);
  readonly flow: LinkFlow;
  /** Frames of one session are handled strictly in order (see RoomCore.frame). */
  queue: Promise<void> = Promise.resolve();
  /** Frames in `queue` not yet handled: with none, a heartbeat may be answered at once (RoomCore.frame). */
  queued = 0;
  /** Doc updates were dropped over the rate: ask for them again (sync step 1) when the bucket refills. */
  resyncDue = false;
  /** While the link's presence is held (it fell behind): the presence-log version it had seen (presence-log.ts); null otherwise. */
  presenceSeen: number | null = null;
  /**
   * Awareness client ids this session introduced or updated, with their last
   * clock, and those whose state changed while its link was behind (sent as
   * they are then). Most sessions of a crowd never have either, and V8 gives
   * even an empty Map or Set its table, more heap than the session object
   * itself (`npm run bench:session-heap`), so each is made on its first entry.
   */
  private owned: Map<number, number> | null = null;
  private held: Set<number> | null = null;
  /** An awareness update over the rate: only the newest waits, applied when the bucket refills. */
  pendingAwareness: { update: Uint8Array; entries: AwarenessEntry[] } | null = null;
  /** The client reports what it has read (`read` frames); otherwise it is probed with sync step 1 like a stock provider. */
  reportsReads = false;
  /** The user key this session is counted under for per-user limits, once known. */
  countedAs: string | null = null;
  /** Set once the session has ended; late frames and sends are ignored. */
  ended = false;
  /** Bytes received from and sent to this session by this room instance (the inspector's columns). */
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly id: string,
    readonly link: Link,
    readonly transport: Transport,
    public grant: Grant,
    readonly address: string,
    readonly connectedAt: number,
    /** HTTP sessions only: where their frames go. */
    readonly outbox: Outbox | null = null,
  ) {
    this.lastSeen = connectedAt;
    this.savedSeen = connectedAt;
    this.bucket = new TokenBucket(RATE_LIMIT.burst, RATE_LIMIT.perSecond, connectedAt);
    this.flow = new LinkFlow(connectedAt);
  }

  get docBucket(): TokenBucket {
    return (this.docUpdates ??= new TokenBucket(RATE_LIMIT.docBurst, RATE_LIMIT.docPerSecond, this.connectedAt));
  }

  get awarenessBucket(): TokenBucket {
    return (this.awarenessUpdates ??= new TokenBucket(RATE_LIMIT.awarenessBurst, RATE_LIMIT.awarenessPerSecond, this.connectedAt));
  }

  get readBucket(): TokenBucket {
    return (this.readReports ??= new TokenBucket(RATE_LIMIT.readBurst, RATE_LIMIT.readPerSecond, this.connectedAt));
  }

  get awareness(): ReadonlyMap<number, number> {
    return this.owned ?? NONE_OWNED;
  }

  ownAwareness(id: number, clock: number): void {
    (this.owned ??= new Map()).set(id, clock);
  }

  disownAwareness(id: number): void {
    this.owned?.delete(id);
  }

  get heldAwareness(): ReadonlySet<number> {
    return this.held ?? NONE_HELD;
  }

  holdAwareness(ids: readonly number[]): void {
    const held = (this.held ??= new Set());
    for (const id of ids) held.add(id);
  }

  /** The held ids, now sent: the set is dropped with them. */
  takeHeldAwareness(): number[] {
    const ids = [...(this.held ?? [])];
    this.held = null;
    return ids;
  }

  get kind(): SessionState["kind"] {
    return this.state.kind;
  }

  /** The person behind an app session (its clientId), else undefined. */
  get clientId(): string | undefined {
    return this.state.kind === "app" ? this.state.clientId : undefined;
  }

  /** Who counts as one user for per-user limits: the token's user, or the app session's clientId. */
  get userKey(): string | undefined {
    return this.grant.userId || this.clientId;
  }

  /** The durable form of this session; `presence` is its entry in the room's presence table. */
  toRecord(presence: PresenceEntry | undefined): SessionRecord {
    const g = this.grant;
    const record: SessionRecord = {
      v: 1,
      id: this.id,
      t: this.transport,
      s: this.state,
      at: this.connectedAt,
      seen: this.lastSeen,
      g: { role: g.role, user: g.userId, ...(g.name ? { name: g.name } : {}), exp: Number.isFinite(g.exp) ? g.exp : null },
      addr: this.address,
      f: this.flow.snapshot(),
    };
    if (this.reportsReads) record.r = true;
    if (presence) record.p = presence;
    if (this.awareness.size) record.aw = Object.fromEntries(this.awareness);
    return record;
  }

  /** A session rebuilt from its record after the room woke. */
  static fromRecord(record: SessionRecord, link: Link, outbox: Outbox | null = null): Session {
    const grant: Grant = { role: record.g.role, userId: record.g.user, ...(record.g.name ? { name: record.g.name } : {}), exp: record.g.exp ?? Number.POSITIVE_INFINITY };
    const session = new Session(record.id, link, record.t, grant, record.addr, record.at, outbox);
    session.state = record.s;
    session.lastSeen = record.seen;
    session.savedSeen = record.seen;
    session.reportsReads = record.r === true;
    if (record.f) session.flow.restore(record.f);
    for (const [id, clock] of Object.entries(record.aw ?? {})) session.ownAwareness(Number(id), clock);
    return session;
  }
}

/** True for something shaped like a SessionRecord (a connection's state may be anything after a deploy). */
export function isSessionRecord(x: unknown): x is SessionRecord {
  const r = x as Partial<SessionRecord> | null;
  return typeof r === "object" && r !== null && r.v === 1 && typeof r.id === "string" && typeof r.s === "object" && typeof r.g === "object";
}
