/**
 * Every limit and budget a client meets, named once. PROTOCOL.md §11 lists
 * them with their error and close codes, and the README says why each
 * default is what it is. A deployment may change the ones marked "env" (see
 * party/host/config.ts); the rest are the protocol's.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Timing, in milliseconds. The TTL is three heartbeats so one lost beat never
 * drops anyone (env: a deployment may shorten both; the room keeps TTL >= 2 beats).
 */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const PRESENCE_TTL_MS = 30_000;
/** A connection must say hello (or send a Yjs frame) within this long. */
export const HELLO_TIMEOUT_MS = 10_000;
/** An SSE stream with nothing to send writes a comment this often (keeps proxies and dead-client detection busy). */
export const SSE_KEEPALIVE_MS = 15_000;
/** Longest a long poll may be held; clients ask for less. */
export const POLL_WAIT_MAX_MS = 25_000;

/** Sizes of what a client sends. */
export const LIMITS = {
  /** Longest chat message, in UTF-16 code units (what String.length counts). */
  chatTextMax: 2_000,
  nameMax: 40,
  /** Largest JSON text frame; larger ones are refused with `too_large`. */
  textFrameBytes: 16 * KiB,
  /** Largest binary (Yjs) frame. */
  binaryFrameBytes: 1 * MiB,
  /** Largest HTTP request body (chat posts, session opens, text frames). */
  httpBodyBytes: 16 * KiB,
  /**
   * People a room lists to everyone: the first to arrive, in arrival order.
   * Past them a room counts people but does not list them (a welcome and every
   * delta say how many are here in all), so a crowd costs each link what a
   * room of this size does: with every person sent to every link, a join
   * storm of 5,000 sends each joiner a roster of up to 5,000 and each link up
   * to 5,000 joins (by arithmetic over 4 GB in all), and the full run at 0a4cd50 could not
   * hold one room of 5,000. The whole roster is the room's state over HTTP.
   */
  presenceListed: 200,
  /** Messages in a welcome when the client is new. */
  welcomeLatest: 50,
  /** Most messages one `sync`/`history` reply or HTTP page carries. */
  pageMax: 200,
  /** Default page size for `history`. */
  pageDefault: 50,
  /**
   * Most bytes of chat one page carries (a welcome, a `sync` or `history`
   * reply, an HTTP page), at least one message: a quarter of the link budget
   * (FLOW.budgetBytes), so a page always fits beside the live traffic behind
   * it. 200 messages of 2,000 CJK characters would be 1.2 MB, past the budget:
   * a client resuming after them would be closed 1013 on every try.
   */
  pageBytes: 256 * KiB,
  /** A room token, as sent in `auth`. */
  tokenMax: 4_096,
} as const;

/** Token buckets for one connection's frames: burst, then a steady rate per second. */
export const RATE_LIMIT = {
  burst: 30,
  perSecond: 15,
  /** Abuse: more than this many refused frames within `strikeWindowMs` closes the connection (4429). */
  strikes: 20,
  strikeWindowMs: 10_000,
  /** Yjs document updates: a frame over the rate is not applied; the room asks for it again later (sync step 1). */
  docBurst: 200,
  docPerSecond: 60,
  /** Awareness (cursor) frames: over the rate, only the newest waits and is applied when the bucket refills. */
  awarenessBurst: 60,
  awarenessPerSecond: 30,
  /** Read reports (flow control) have their own bucket: they are not what a client spends its frame rate on. Over it they are ignored. */
  readBurst: 60,
  readPerSecond: 60,
} as const;

/**
 * Limits per user and per client address, across all of their connections in
 * one room: a user's sockets share one chat bucket, so opening more tabs does
 * not buy more throughput. The user is the token's `sub`, or in open rooms the
 * key-derived clientId; the address is the one the edge reports (on the
 * platform `cf-connecting-ip`; absent under `partykit dev` unless a client sends it).
 */
export const USER_LIMITS = {
  /** Chat posts per user (socket, HTTP session and `POST …/messages` together). */
  chatBurst: 30,
  chatPerSecond: 10,
  /** Chat posts per address. */
  addressChatBurst: 90,
  addressChatPerSecond: 30,
  /**
   * Text frames per user and per address, every socket and HTTP session of
   * them together (each connection also has RATE_LIMIT's own): sixty sockets
   * of one address, each within its own rate, sent 4,000 frames in a second
   * and made everyone else's acks wait 450 ms. Past a bucket a frame is
   * refused `rate_limited`, as a strike. Heartbeats, read reports and
   * hellos do not count: the protocol sets their pace, and a room of many
   * people behind one address would otherwise refuse its own heartbeats.
   */
  frameBurst: 60,
  framePerSecond: 30,
  addressFrameBurst: 200,
  addressFramePerSecond: 100,
  /** Strikes per user and per address within RATE_LIMIT.strikeWindowMs; past them, each of their connections is closed 4429 at its next strike. */
  userStrikes: 30,
  addressStrikes: 60,
  /** Connections (sockets and HTTP sessions) one user may hold in a room (env PARTYROOM_MAX_CONNECTIONS_PER_USER). */
  connectionsPerUser: 16,
  /** Connections one address may hold in a room (env PARTYROOM_MAX_CONNECTIONS_PER_ADDRESS). */
  connectionsPerAddress: 256,
} as const;

/** What one room may hold, whatever its clients send. */
export const BUDGETS = {
  /** Connections (sockets + HTTP sessions) per room (env PARTYROOM_MAX_CONNECTIONS); the platform's ceiling is 32k. */
  connections: 10_000,
  /** HTTP sessions per room. */
  httpSessions: 2_000,
  /** The document, encoded as one update; an edit that would pass it is refused `doc_too_large`. */
  docBytes: 2 * MiB,
  /** One awareness state (a cursor and a name), JSON bytes. */
  awarenessStateBytes: 4 * KiB,
  /** Awareness client ids one connection may own. */
  awarenessIdsPerConnection: 4,
  /** SSE streams open at once on one HTTP session: a new one replaces the old. */
  sseStreamsPerSession: 1,
  /**
   * Unread bytes (outboxes, send queues) over every link of one client address:
   * eight links at their budget. Past it, that address's links more than their
   * share behind are closed 1013 (core/unread.ts).
   */
  unreadBytesPerAddress: 8 * MiB,
  /** Unread bytes over every link of the room: half of a room's 128 MB. Past it, links more than their share behind are closed 1013. */
  unreadBytesPerRoom: 64 * MiB,
} as const;

/**
 * What a room keeps in memory of its past, beside the newest chat page: caches
 * and bookkeeping whose source of truth is storage or the peers, sized so a
 * room that stays awake for days holds the same as one that just woke
 * (tests/bench/heap.ts measures it). No client meets these.
 */
export const MEMORY = {
  /**
   * (clientId, message id) pairs of the newest posts kept to answer a retried
   * post without a storage read; older retries are found in storage. A retry
   * follows its lost ack within seconds: this covers ~25 s of a room at 10
   * messages a second.
   */
  chatIdsCached: 256,
  /**
   * Awareness client ids removed (their peer left) whose last clock the room
   * still remembers, so a late or echoed update cannot bring their state back.
   * y-protocols keeps them forever; every page load is a new id. Echoes stop
   * once peers time the state out (30 s), so the oldest go first past this.
   */
  awarenessRemovedKept: 1_000,
  /**
   * Chat pages (`sync`, `history`) a room reads and sends at once; the rest
   * wait their turn (core/page-reads.ts). Each is up to LIMITS.pageBytes read
   * and serialised again: two keep a room's transient page memory near 1 MiB
   * however many requests arrive together, while a storage read takes a few ms.
   */
  pageReads: 2,
  /**
   * Presence changes kept for the connections whose presence is held (they
   * fell behind: FLOW.highBytes): one log for all of them, not a copy each
   * (core/presence-log.ts). Past it, the connections further behind than half
   * of it are closed 1013 and resume with a fresh welcome. A 5,000-person join
   * storm is 5,000 changes.
   */
  presenceLogChanges: 20_000,
} as const;

/**
 * Flow control for every link (socket or HTTP session): the room counts the
 * bytes it sent that the link has not yet shown it read (workerd has no
 * `bufferedAmount`). App clients report what they have read (`read` frames);
 * stock Yjs providers are asked with a sync step 1 they must answer in order;
 * HTTP sessions prove it by acknowledging outbox events.
 */
export const FLOW = {
  /** App clients send a `read` report after receiving this many more bytes (and with every heartbeat). */
  reportEveryBytes: 32 * KiB,
  /** Below this much unread, everything is sent as it comes. */
  lowBytes: 128 * KiB,
  /** Above this, presence and awareness wait (only their latest value per person is kept) until the link drops below lowBytes. */
  highBytes: 256 * KiB,
  /** Past this much unread (plus the link's own greeting while it is unread), the link is closed 1013 to resume later. */
  budgetBytes: 1 * MiB,
  /** A stock Yjs provider is probed (sync step 1) once this much is unread since its last proof. */
  probeAfterBytes: 64 * KiB,
  /** A link above lowBytes that proves no progress for this long is closed 1013. */
  stallMs: 30_000,
} as const;

/**
 * Version history (PROTOCOL.md §16): when automatic versions are saved, how
 * long they are kept, and how much one room's versions may take. The README
 * says why each default is what it is. env: the first five (party/host/config.ts).
 */
export const VERSIONS = {
  /** While edits arrive, an automatic version at most this often (env PARTYROOM_VERSIONS_EVERY_MS); also when the last editor leaves. */
  autoEveryMs: 5 * MINUTE,
  /** Every version younger than this is kept (env PARTYROOM_VERSIONS_KEEP_ALL_MS). */
  keepAllMs: DAY,
  /** Older than keepAllMs: one automatic version per period (the last of it) is kept (env PARTYROOM_VERSIONS_PERIOD_MS). */
  periodMs: DAY,
  /** Automatic versions older than this are dropped; named ones are kept (env PARTYROOM_VERSIONS_KEEP_MS). */
  keepMs: 30 * DAY,
  /** Every version of a room together; past it the oldest automatic ones go first (env PARTYROOM_VERSIONS_BUDGET_BYTES). */
  budgetBytes: 64 * MiB,
  /** A version's name, in UTF-16 code units after trimming. */
  nameMax: 80,
  /** Editors listed on one version; more are only counted. */
  editorsMax: 50,
  /** Named versions the room remembers having dropped for the budget (the list says so). */
  droppedNamedMax: 20,
  /** A stored version is split into values of at most this (storage takes 128 KiB a value, serialisation adds a header). */
  chunkBytes: 127 * KiB,
} as const;
