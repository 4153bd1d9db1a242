/**
 * The room: one PartyKit party instance per room id. This class only wires
 * PartyKit's lifecycle hooks to the plain modules (presence, chat, doc-sync,
 * limits, http); the rules live there.
 *
 * Why not hibernating: the Yjs document must stay in memory to serve sync, and
 * y-partykit's model (and ours) needs live socket event handlers. Because
 * PartyKit's in-memory connection manager can drop a reconnected socket that
 * reuses its id (partykit#45), the room fans out over its own set of sockets,
 * keyed by the socket object, never by `conn.id`.
 */
import type * as Party from "partykit/server";
import { allowedOrigins, can, type Grant, grantFrom, secretOf, verifyToken } from "./auth";
import { checkRequest, checkSocket } from "./edge";
import { ChatLog, type NewMessage } from "./chat";
import { CloseCode } from "./close-codes";
import { DocSync } from "./doc-sync";
import { DocStore } from "./doc-store";
import { handleHttp, httpError, type HttpRoom, type HttpSession } from "./http";
import { Outbox } from "./outbox";
import { servePage } from "./pages";
import { BucketMap } from "./limits";
import { mergeDeltas, Presence, type PresencePatch } from "./presence";
import { type Link, newSession, type Session } from "./session";
import { type Timing, timingFrom } from "./timing";
import {
  assertNever,
  type ChatMessage,
  type ClientMessage,
  type ErrorCode,
  type HttpChat,
  HTTP_RATE_LIMIT,
  isValidRoomId,
  LIMITS,
  parseClientMessage,
  PROTOCOL_VERSION,
  type PresenceDelta,
  RATE_LIMIT,
  type ServerMessage,
  SUPPORTED_VERSIONS,
} from "./protocol";

/** Most HTTP sessions one room keeps at once. */
const MAX_HTTP_SESSIONS = 2_000;

/** Extra time past a deadline before the alarm fires, so the entry is strictly past its TTL when swept. */
const SWEEP_GRACE_MS = 10;

/**
 * Presence deltas are merged and sent at most every PRESENCE_BATCH_MS; when
 * more than PRESENCE_BURST_PER_SECOND arrive in a second (a crowd joining),
 * every PRESENCE_BURST_BATCH_MS instead: a little later, far fewer frames.
 */
const PRESENCE_BATCH_MS = 20;
const PRESENCE_BURST_PER_SECOND = 40;
const PRESENCE_BURST_BATCH_MS = 100;

type LoadedDoc = { store: DocStore; sync: DocSync };

export default class Room implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: false };

  /** Every live session, keyed by its socket (WebSocket) or its outbox (HTTP). */
  private readonly sessions = new Map<object, Session>();
  private readonly timing: Timing;
  private readonly presence: Presence;
  private chat!: ChatLog;
  private docLoad: Promise<LoadedDoc> | null = null;
  private alarmAt: number | null = null;
  private readonly httpBuckets = new BucketMap(HTTP_RATE_LIMIT.burst, HTTP_RATE_LIMIT.perSecond);
  /** HTTP sessions (SSE / long polling) by session id, and their open requests. */
  private readonly httpSessions = new Map<string, Session>();
  private readonly openRequests = { sse: 0, poll: 0 };
  private presenceOut: PresenceDelta | null = null;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceSentAt = 0;
  /** Deltas seen since `presenceSecond` (a one-second window), to tell a burst from the usual trickle. */
  private presenceCount = 0;
  private presenceSecond = 0;

  constructor(readonly room: Party.Room) {
    this.timing = timingFrom(room.env);
    this.presence = new Presence(this.timing.ttlMs);
  }

  /** Sockets and requests are checked at the edge, before the room wakes (see edge.ts). */
  static onBeforeConnect(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    return checkSocket(req, lobby);
  }

  static onBeforeRequest(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    return checkRequest(req, lobby);
  }

  /** App pages (`/r/<room>`, `/embed/<room>`) with their framing headers (see pages.ts). */
  static onFetch(req: Party.Request, lobby: Party.FetchLobby): Promise<Response | null> {
    return servePage(req as unknown as Request, lobby);
  }

  async onStart(): Promise<void> {
    // onStart is not serialised with incoming events: hold them until the log is loaded.
    // (No room.id here: it throws when an alarm starts the room.)
    await this.room.blockConcurrencyWhile(async () => {
      this.chat = await ChatLog.load(this.room.storage);
      // Alarms do not survive a dev restart; sockets do not either, so there is
      // nothing to sweep yet. armSweep() runs again as soon as anyone connects.
      this.alarmAt = await this.room.storage.getAlarm();
    });
  }

  // ------------------------------------------------------------ sockets

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext): void {
    if (!isValidRoomId(this.room.id)) {
      conn.close(CloseCode.BadRoom.code, CloseCode.BadRoom.reason);
      return;
    }
    const link: Link = {
      send: (data) => conn.send(data),
      close: (code, reason) => conn.close(code, reason),
    };
    const grant = grantFrom((ctx.request as unknown as Request).headers);
    const session = newSession(conn, link, "websocket", grant, Date.now(), (s, data) => this.sendRaw(s, data));
    this.sessions.set(conn, session);
    void this.armSweep();
  }

  /**
   * Handlers await storage, so without a queue a socket's next frame could be
   * handled before its previous one finished: the binary Yjs frame a client
   * sends right after hello would find the socket still "pending" and
   * classify it as a plain Yjs socket. Each socket's frames therefore run in
   * arrival order, one at a time; different sockets still interleave.
   */
  onMessage(message: string | ArrayBuffer | ArrayBufferView, conn: Party.Connection | Outbox): Promise<void> {
    const session = this.sessions.get(conn);
    if (!session) return Promise.resolve();
    session.queue = session.queue.then(() => this.handleFrame(session, message));
    return session.queue;
  }

  private async handleFrame(session: Session, message: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    if (!this.sessions.has(session.key)) return;
    const now = Date.now();
    session.lastSeen = now;
    if (session.kind === "app") this.presence.touch(session.id, now);
    try {
      if (typeof message === "string") await this.onText(session, message, now);
      else await this.onBinary(session, toBytes(message), now);
    } catch (err) {
      // A handler must never throw into PartyKit: report and keep the socket.
      console.error("partyroom: handler failed", err);
      if (session.kind === "app") this.send(session, { type: "error", code: "internal", message: "the room could not handle that message" });
    }
  }

  onClose(conn: Party.Connection): void {
    this.endSession(conn);
  }

  onError(conn: Party.Connection): void {
    this.endSession(conn);
  }

  private async onBinary(session: Session, bytes: Uint8Array, now: number): Promise<void> {
    if (bytes.byteLength > LIMITS.binaryFrameBytes) {
      this.close(session, CloseCode.MessageTooBig);
      return;
    }
    if (session.kind === "pending") session.kind = "yjs";
    if (!session.binaryBucket.take(now)) this.strike(session, now);
    const { sync } = await this.loadDoc();
    if (!this.sessions.has(session.key)) return;
    if (!sync.hasPeer(session.peer)) sync.addPeer(session.peer);
    const result = sync.receive(session.peer, bytes, !can(session.grant.role, "edit"));
    if (result.ok && result.dropped && session.kind === "app") {
      this.send(session, { type: "error", code: "forbidden", message: `a ${session.grant.role} connection cannot edit the document` });
    } else if (!result.ok) {
      // Stock Yjs sockets must never get a text frame: they only collect strikes.
      if (session.kind === "app") this.send(session, { type: "error", code: "bad_message", message: `Yjs frame refused: ${result.reason}`.slice(0, 300) });
      this.strike(session, now);
    }
  }

  private async onText(session: Session, raw: string, now: number): Promise<void> {
    if (session.kind === "yjs") {
      this.strike(session, now);
      return;
    }
    if (!session.bucket.take(now)) {
      this.refuse(session, now, "rate_limited", `more than ${RATE_LIMIT.perSecond} messages a second; retry in ${session.bucket.retryAfterMs(now)} ms`, peekRef(raw));
      return;
    }
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.refuse(session, now, parsed.code, parsed.message, parsed.ref);
      return;
    }
    const msg = parsed.message;
    if (session.kind === "pending" && msg.type !== "hello") {
      this.refuse(session, now, "hello_required", "the first message must be hello", msg.type);
      return;
    }
    await this.dispatch(session, msg, now);
  }

  private async dispatch(session: Session, msg: ClientMessage, now: number): Promise<void> {
    switch (msg.type) {
      case "hello": {
        if (session.kind === "app") return this.refuse(session, now, "already_hello", "hello was already accepted", "hello");
        if (!SUPPORTED_VERSIONS.includes(msg.v)) {
          this.close(session, { code: CloseCode.VersionMismatch.code, reason: `${CloseCode.VersionMismatch.reason} ${msg.v}; this room speaks ${SUPPORTED_VERSIONS.join(", ")}` });
          return;
        }
        // Read the page first: from here to the welcome nothing awaits, so no
        // broadcast can reach this socket before its welcome.
        const page = msg.lastSeq === undefined ? await this.chat.latest(LIMITS.welcomeLatest) : await this.chat.after(msg.lastSeq, LIMITS.pageMax);
        if (!this.sessions.has(session.key) || session.kind !== "pending") return;
        session.kind = "app";
        // With a token, who you are comes from it, not from what the client says.
        session.clientId = session.grant.userId || msg.clientId;
        const name = session.grant.name ?? msg.name;
        const delta = this.presence.join(session.id, { clientId: session.clientId, name, color: msg.color, status: msg.status ?? "active" }, now);
        this.sendWelcome(session, page.messages, now);
        this.broadcastPresence(delta, session);
        const { sync } = await this.loadDoc();
        if (this.sessions.has(session.key) && !sync.hasPeer(session.peer)) sync.addPeer(session.peer);
        void this.armSweep();
        return;
      }
      case "heartbeat":
        this.broadcastPresence(this.presence.touch(session.id, now, msg.status));
        this.send(session, { type: "pong", serverTime: now });
        return;
      case "presence": {
        const patch: PresencePatch = {};
        if (msg.name !== undefined && session.grant.name === undefined) patch.name = msg.name;
        if (msg.color !== undefined) patch.color = msg.color;
        if (msg.status !== undefined) patch.status = msg.status;
        this.broadcastPresence(this.presence.update(session.id, patch, now));
        return;
      }
      case "chat": {
        if (!can(session.grant.role, "chat")) {
          this.send(session, { type: "error", code: "forbidden", message: "a view connection cannot post chat", ref: msg.id });
          return;
        }
        const person = this.presence.person(session.clientId!);
        const result = await this.acceptChat({
          id: msg.id,
          clientId: session.clientId!,
          name: person?.name ?? "Guest",
          color: person?.color ?? "#888888",
          text: msg.text,
        });
        if ("error" in result) {
          this.send(session, { type: "error", code: result.error, message: result.message, ref: msg.id });
          return;
        }
        const { message, duplicate } = result;
        this.send(session, { type: "ack", id: message.id, seq: message.seq, ts: message.ts, duplicate });
        return;
      }
      case "sync": {
        const page = await this.chat.after(msg.after, msg.limit ?? LIMITS.pageMax);
        this.send(session, { type: "messages", for: "sync", ...page, seq: this.chat.seq });
        return;
      }
      case "auth":
        await this.refreshAuth(session, msg.token);
        return;
      case "history": {
        const page = await this.chat.before(msg.before, msg.limit ?? LIMITS.pageDefault);
        this.send(session, { type: "messages", for: "history", ...page, seq: this.chat.seq });
        return;
      }
      default:
        assertNever(msg);
    }
  }

  private sendWelcome(session: Session, messages: ChatMessage[], now: number): void {
    this.send(session, {
      type: "welcome",
      v: PROTOCOL_VERSION,
      roomId: this.room.id,
      connectionId: session.id,
      // The current seq, which may be past the page's last message if a post
      // landed while the page was read: the client then fills the gap by `sync`.
      seq: this.chat.seq,
      presence: this.presence.people(),
      messages,
      heartbeatMs: this.timing.heartbeatMs,
      ttlMs: this.timing.ttlMs,
      serverTime: now,
      role: session.grant.role,
      ...(Number.isFinite(session.grant.exp) ? { authExp: session.grant.exp } : {}),
    });
  }

  /**
   * A token refresh over the open connection: same checks as at the edge.
   * The user must stay the same; the role and expiry may change.
   */
  private async refreshAuth(session: Session, token: string): Promise<void> {
    const secret = secretOf(this.room.env);
    if (!secret) {
      this.send(session, { type: "auth", role: session.grant.role });
      return;
    }
    const grant = await verifyToken(token, secret, this.room.id);
    if ("status" in grant) {
      this.send(session, { type: "error", code: grant.status === 401 ? "unauthorized" : "forbidden", message: grant.reason, ref: "auth" });
      return;
    }
    if (grant.userId !== session.grant.userId) {
      this.send(session, { type: "error", code: "forbidden", message: "a refreshed token must be for the same user", ref: "auth" });
      return;
    }
    session.grant = grant;
    this.send(session, { type: "auth", role: grant.role, authExp: grant.exp });
  }

  /**
   * Stores a chat message and, only once it is stored, broadcasts it. The
   * caller acks after this resolves: nothing acknowledged can be lost.
   */
  private async acceptChat(input: NewMessage): Promise<{ message: ChatMessage; duplicate: boolean } | { error: ErrorCode; message: string }> {
    try {
      const result = await this.chat.post(input, Date.now());
      if (!result.duplicate) this.broadcast({ type: "chat", message: result.message });
      return result;
    } catch (err) {
      console.error("partyroom: storing a chat message failed", err);
      return { error: "internal", message: "the message could not be stored; send it again" };
    }
  }

  // ------------------------------------------------------------ sweeping

  /** Sets the alarm for the earliest deadline (hello timeout or presence TTL) if it moved earlier. */
  private async armSweep(): Promise<void> {
    const next = this.nextDeadline();
    if (next === null) return;
    const at = next + SWEEP_GRACE_MS;
    if (this.alarmAt !== null && this.alarmAt <= at && this.alarmAt > Date.now() - 1000) return;
    this.alarmAt = at;
    await this.room.storage.setAlarm(at);
  }

  private nextDeadline(): number | null {
    let next: number | null = null;
    for (const s of this.sessions.values()) {
      const at = Math.min(s.kind === "pending" ? s.connectedAt + this.timing.helloTimeoutMs : s.lastSeen + this.timing.ttlMs, s.grant.exp);
      if (next === null || at < next) next = at;
    }
    return next;
  }

  async onAlarm(): Promise<void> {
    this.alarmAt = null;
    this.sweep(Date.now());
    await this.armSweep();
  }

  /** Closes sockets past their deadline. Pure bookkeeping lives in Presence.sweepExpired. */
  private sweep(now: number): void {
    const { expired, delta } = this.presence.sweepExpired(now);
    const gone = new Set(expired);
    // The entries are already gone from presence, so endSession() will not announce them: do it here, once.
    this.broadcastPresence(delta);
    for (const s of [...this.sessions.values()]) {
      if (now >= s.grant.exp) this.close(s, CloseCode.TokenExpired);
      else if (s.kind === "pending" && now - s.connectedAt > this.timing.helloTimeoutMs) this.close(s, CloseCode.HelloTimeout);
      else if (s.kind === "yjs" && now - s.lastSeen > this.timing.ttlMs) this.close(s, CloseCode.HeartbeatTimeout);
      else if (gone.has(s.id)) this.close(s, CloseCode.HeartbeatTimeout);
    }
  }

  // ------------------------------------------------------------ HTTP

  async onRequest(req: Party.Request): Promise<Response> {
    const res = await handleHttp(req as unknown as Request, this.httpRoom);
    // With an allow-list, CORS names the (already checked) origin instead of "*".
    const origin = req.headers.get("origin");
    if (origin && allowedOrigins(this.room.env)) {
      res.headers.set("access-control-allow-origin", origin);
      res.headers.append("vary", "origin");
    }
    return res;
  }

  /** The room as the HTTP layer sees it (getters: fields are set after this initialiser runs). */
  private readonly httpRoom: HttpRoom = ((room: Room): HttpRoom => ({
    get roomId() {
      return room.room.id;
    },
    get chat() {
      return room.chat;
    },
    get presence() {
      return room.presence;
    },
    doc: async () => {
      const { store } = await room.loadDoc();
      return { doc: store.doc, stats: () => store.stats() };
    },
    postChat: async (input: HttpChat, grant: Grant) => {
      if (!can(grant.role, "chat")) return { error: "forbidden" as const, message: "a view token cannot post chat" };
      if (grant.userId) input = { ...input, clientId: grant.userId, ...(grant.name ? { name: grant.name } : {}) };
      if (!room.httpBuckets.take(input.clientId, Date.now())) return { error: "rate_limited" as const, message: "too many posts; retry in a second" };
      const person = room.presence.person(input.clientId);
      return room.acceptChat({
        id: input.id,
        clientId: input.clientId,
        name: input.name ?? person?.name ?? "Guest",
        color: input.color ?? person?.color ?? "#888888",
        text: input.text,
      });
    },
    openSession: (hello, transport, grant) => room.openHttpSession(hello, transport, grant),
    httpSession: (id, grant) => room.httpSessionHandle(id, grant),
    internals: () => {
      const kinds = { pending: 0, app: 0, yjs: 0 };
      for (const s of room.sessions.values()) kinds[s.kind]++;
      return {
        sockets: room.sessions.size,
        pendingSockets: kinds.pending,
        appSockets: kinds.app,
        yjsSockets: kinds.yjs,
        presenceEntries: room.presence.size,
        yjsPeers: room.loadedSync?.peerCount ?? 0,
        chatInMemory: room.chat.inMemory,
        httpRateBuckets: room.httpBuckets.size,
        httpSessions: room.httpSessions.size,
        sseStreams: room.openRequests.sse,
        pendingPolls: room.openRequests.poll,
        outboxEvents: [...room.httpSessions.values()].reduce((n, s) => n + (s.key as Outbox).size, 0),
        alarmAt: room.alarmAt ?? 0,
      };
    },
  }))(this);

  // ------------------------------------------------------------ HTTP sessions (SSE, long polling)

  /**
   * Opens an HTTP session, from a hello or (empty body) pending. Its frames go to an Outbox that SSE
   * streams and polls read; from here on it is a session like any socket.
   */
  private async openHttpSession(raw: string, transport: "sse" | "poll", grant: Grant): Promise<{ id: string; heartbeatMs: number; ttlMs: number } | { error: ErrorCode; message: string }> {
    // An empty body opens a pending session, like a fresh socket: its first POST must be the hello.
    const withHello = raw.trim() !== "";
    if (withHello) {
      const parsed = parseClientMessage(raw);
      if (!parsed.ok) return { error: parsed.code, message: parsed.message };
      if (parsed.message.type !== "hello") return { error: "hello_required", message: "open a session with a hello message" };
      if (!SUPPORTED_VERSIONS.includes(parsed.message.v)) {
        return { error: "unsupported_version", message: `${CloseCode.VersionMismatch.reason} ${parsed.message.v}; this room speaks ${SUPPORTED_VERSIONS.join(", ")}` };
      }
    }
    if (this.httpSessions.size >= MAX_HTTP_SESSIONS) return { error: "rate_limited", message: "too many HTTP sessions in this room; retry in a few seconds" };
    const outbox = new Outbox();
    const link: Link = { send: (data) => outbox.push(data), close: (code, reason) => outbox.close(code, reason) };
    const session = newSession(outbox, link, transport, grant, Date.now(), (s, data) => this.sendRaw(s, data));
    this.sessions.set(outbox, session);
    this.httpSessions.set(session.id, session);
    if (withHello) await this.onMessage(raw, outbox);
    void this.armSweep();
    return { id: session.id, heartbeatMs: this.timing.heartbeatMs, ttlMs: this.timing.ttlMs };
  }

  private httpSessionHandle(id: string, grant: Grant): HttpSession | undefined {
    const session = this.httpSessions.get(id);
    // With tokens, a session id alone is not enough: it must be the same user's.
    if (!session || session.grant.userId !== grant.userId) return undefined;
    const outbox = session.key as Outbox;
    return {
      outbox,
      keepAliveMs: this.timing.sseKeepAliveMs,
      deliver: (frame) => this.onMessage(frame, outbox),
      hooks: (kind) => {
        session.transport = kind;
        this.openRequests[kind]++;
        return {
          onGap: () => this.resnapshot(session),
          onEnd: () => this.openRequests[kind]--,
        };
      },
      end: () => this.close(session, { code: 1000, reason: "closed by the client" }),
    };
  }

  /**
   * A client resumed from before what its outbox still holds: instead of a
   * partial replay it gets a fresh start, a welcome (presence, seq, latest
   * chat; it fills chat gaps by seq) and a new Yjs sync.
   */
  private resnapshot(session: Session): number {
    const outbox = session.key as Outbox;
    outbox.clear();
    const from = outbox.lastId;
    void this.chat.latest(LIMITS.welcomeLatest).then((page) => {
      this.sendWelcome(session, page.messages, Date.now());
      this.loadedSync?.greet(session.peer);
    });
    return from;
  }

  // ------------------------------------------------------------ plumbing

  private loadedSync: DocSync | null = null;

  /** The document is loaded on first use (never on the alarm path, where room.id throws). */
  private loadDoc(): Promise<LoadedDoc> {
    this.docLoad ??= DocStore.open(this.room.storage, this.room.id).then((store) => {
      const sync = new DocSync(store.doc, (update) => store.store(update));
      this.loadedSync = sync;
      return { store, sync };
    });
    return this.docLoad;
  }

  private endSession(key: object): void {
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    this.httpSessions.delete(session.id);
    this.loadedSync?.removePeer(session.peer);
    if (session.kind === "app") this.broadcastPresence(this.presence.leave(session.id));
  }

  /** Answers a refused frame with a typed error; repeated refusals close the socket. */
  private refuse(session: Session, now: number, code: ErrorCode, message: string, ref?: string): void {
    this.send(session, ref === undefined ? { type: "error", code, message } : { type: "error", code, message, ref });
    this.strike(session, now);
  }

  private strike(session: Session, now: number): void {
    if (session.strikes.record(now)) this.close(session, CloseCode.Abuse);
  }

  private close(session: Session, how: { code: number; reason: string }): void {
    this.endSession(session.key);
    try {
      session.link.close(how.code, how.reason);
    } catch {
      // Already closed: nothing to do.
    }
  }

  private send(session: Session, msg: ServerMessage): void {
    this.sendRaw(session, JSON.stringify(msg));
  }

  /** A send that throws means the socket is broken: end the session and close the socket too, or it would linger unswept. */
  private sendRaw(session: Session, data: string | Uint8Array): void {
    try {
      session.link.send(data);
    } catch {
      this.endSession(session.key);
      try {
        session.link.close(1011, "send failed");
      } catch {
        // Already closed.
      }
    }
  }

  /** Sends to every app socket; the text is serialised once. */
  private broadcast(msg: ServerMessage, except?: Session): void {
    const text = JSON.stringify(msg);
    for (const s of [...this.sessions.values()]) if (s.kind === "app" && s !== except) this.sendRaw(s, text);
  }

  /**
   * Presence goes out at once when it is quiet, and at most once per batch
   * window in a burst, merged (mergeDeltas): 1,000 joins in a few seconds
   * cost each client tens of frames, not a thousand. Deltas carry
   * whole person states and final leaves, so one that reaches a socket after
   * its welcome (whose list already has them) changes nothing.
   */
  private broadcastPresence(delta: PresenceDelta | null, except?: Session): void {
    if (!delta) return;
    this.presenceOut = mergeDeltas(this.presenceOut, delta);
    const now = Date.now();
    if (now - this.presenceSecond >= 1000) {
      this.presenceSecond = now;
      this.presenceCount = 0;
    }
    this.presenceCount++;
    if (this.presenceTimer) return;
    const batchMs = this.presenceCount > PRESENCE_BURST_PER_SECOND ? PRESENCE_BURST_BATCH_MS : PRESENCE_BATCH_MS;
    const wait = this.presenceSentAt + batchMs - now;
    // Quiet: this delta alone goes out now (a joiner does not get its own join, its welcome has it).
    if (wait <= 0) this.flushPresence(except);
    else this.presenceTimer = setTimeout(() => this.flushPresence(), wait);
  }

  private flushPresence(except?: Session): void {
    this.presenceTimer = null;
    this.presenceSentAt = Date.now();
    const delta = this.presenceOut;
    this.presenceOut = null;
    if (delta) this.broadcast(delta, except);
  }
}

/** Binary frames arrive as ArrayBuffer or a view; Yjs wants a Uint8Array over the same bytes. */
function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Best-effort `id` of a chat frame we refuse before parsing, so the client can match the error. */
function peekRef(raw: string): string | undefined {
  const m = /"id"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(raw.slice(0, 2048));
  return m?.[1];
}
