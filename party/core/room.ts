/**
 * The room core: everything a room does, knowing nothing of PartyKit. It gets
 * links (send, close, save), frames, a clock and storage (ports.ts), and
 * answers by sending on links and by setting the storage alarm for its next
 * deadline. The PartyKit host (party/server.ts) only adapts hooks to it; unit
 * tests drive it with a fake clock and recording links.
 *
 * Pieces: room-links.ts (the live sessions and the send path, which this
 * class extends), session.ts (one connection, its durable record), deadlines.ts (the
 * one deadline rule), app-messages.ts (the JSON protocol), yjs-frames.ts (the
 * Yjs protocol, budgets and ownership), http-sessions.ts (SSE and long-poll
 * sessions), flow.ts (per-link flow control), user-limits.ts, presence.ts,
 * presence-batch.ts, chat.ts, doc-sync.ts, doc-store.ts, versions.ts (the
 * document's version history).
 *
 * Frames of one session run strictly in order (`frame` queues them): handlers
 * await storage, and without the queue a binary frame sent right after hello
 * could be handled before the hello finished.
 */
import { type ChatMessage, CloseCode, type ErrorCode, MEMORY, USER_LIMITS, utf8Length } from "../protocol";
import { heartbeatNow, onText, plainHeartbeat } from "./app-messages";
import { ChatLog, type NewMessage } from "./chat";
import { deadlineOf, earliestDeadline, SWEEP_GRACE_MS } from "./deadlines";
import { DocStore } from "./doc-store";
import { DocSync } from "./doc-sync";
import { HttpSessions } from "./http-sessions";
import { RoomJobs } from "./jobs";
import { PageReads } from "./page-reads";
import { SEND_COST } from "./presence-batch";
import type { ConnectInfo, Grant, Link } from "./ports";
import { recordSeenSlackMs, RoomLinks, type RoomDeps } from "./room-links";
import { isSessionRecord, Session } from "./session";
import { DocVersions } from "./versions";
import { onBinary, YjsRouting } from "./yjs-frames";

const DONE: Promise<void> = Promise.resolve();

type LoadedDoc = { store: DocStore; sync: DocSync };

export class RoomCore extends RoomLinks {
  readonly http: HttpSessions;
  readonly yjs: YjsRouting;
  readonly versions: DocVersions;
  /** Chat pages are built a few at a time (page-reads.ts). */
  readonly pageReads = new PageReads(MEMORY.pageReads);
  private docLoad: Promise<LoadedDoc> | null = null;
  /** The document, once something needed it. */
  doc: LoadedDoc | null = null;

  private constructor(
    deps: RoomDeps,
    readonly chat: ChatLog,
    /** Room-level deadlines kept across hibernation (jobs.ts), run by the same alarm. */
    readonly jobs: RoomJobs,
    private alarmAt: number | null,
  ) {
    super(deps);
    this.http = new HttpSessions(this);
    this.yjs = new YjsRouting(this);
    this.versions = new DocVersions(this);
  }

  /** Loads what every wake needs (the chat seq, the alarm, HTTP sessions); the document waits until a frame needs it. */
  static async open(deps: RoomDeps): Promise<RoomCore> {
    // Independent reads, issued together: on a cold room each sequential read is a wait before the first client is served.
    const [chat, jobs, alarm] = await Promise.all([ChatLog.load(deps.storage, { awaitWrites: !deps.outputGate }), RoomJobs.load(deps.storage, deps.afterReply, deps.log), deps.storage.getAlarm()]);
    const core = new RoomCore(deps, chat, jobs, alarm);
    await core.http.restore();
    return core;
  }

  // ------------------------------------------------------------ connections

  /** Why a new connection must be refused (room full, too many from that address or user), or null. */
  admit(address: string, user: string): { code: number; reason: string; error: ErrorCode } | null {
    const refusal: { code: number; reason: string; error: ErrorCode } | null =
      this.sessions.size >= this.config.maxConnections
        ? { ...CloseCode.RoomFull, error: "room_full" }
        : !this.limits.addressHasRoom(address) || (user !== "" && !this.limits.userHasRoom(user))
          ? { ...CloseCode.TooManyConnections, error: "too_many_connections" }
          : null;
    if (refusal) this.counters.refused(refusal.error, this.now());
    return refusal;
  }

  /** A new connection, pending until its first frame. Call `admit` first. */
  connect(link: Link, info: ConnectInfo, outbox: Session["outbox"] = null, id: string = crypto.randomUUID()): Session {
    const session = new Session(id, link, info.transport, info.grant, info.address, this.now(), outbox);
    const wasEmpty = this.sessions.size === 0;
    this.add(session);
    if (wasEmpty) this.events.emit({ type: "started" }, this.now());
    this.events.emit({ type: "size" }, this.now());
    this.save(session);
    this.armAt(deadlineOf(session, this.config).at);
    return session;
  }

  /** A connection that was open before the room woke, from its record; null (caller closes it) if the record is unusable. */
  restore(link: Link, record: unknown, outbox: Session["outbox"] = null): Session | null {
    if (!isSessionRecord(record)) return null;
    const session = Session.fromRecord(record, link, outbox);
    // The record may be recordSeenSlackMs behind: never sweep a live connection early. Nobody was seen after now.
    session.lastSeen = Math.max(session.lastSeen, Math.min(session.lastSeen + recordSeenSlackMs(this.config), this.now()));
    this.add(session);
    if (session.state.kind === "app" && record.p) this.presence.restore(session.id, record.p);
    this.yjs.restoreOwnership(session);
    return session;
  }

  /** Every connection is back after a wake: arm the alarm for the earliest deadline. */
  restored(): void {
    this.presence.restored();
    this.counters.wakeups++;
    this.rearm();
  }

  /** One frame from a link; frames of one session are handled in arrival order. */
  frame(link: Link, data: string | Uint8Array): Promise<void> {
    const session = this.sessions.get(link);
    if (!session) return DONE;
    // The idle path (one heartbeat per socket per interval): with nothing queued before it, a plain heartbeat is
    // answered at once, without the queue's promises and the full parse: about a third of the room's own CPU per
    // heartbeat (bench:heartbeat, run with and without).
    if (session.queued === 0 && session.kind === "app" && typeof data === "string") {
      const beat = plainHeartbeat(data);
      if (beat) {
        const now = this.now();
        this.received(session, data.length, now);
        heartbeatNow(this, session, beat, now);
        return DONE;
      }
    }
    session.queued++;
    session.queue = session.queue.then(() => this.handle(session, data)).then(() => void session.queued--);
    return session.queue;
  }

  /** The link went away (closed by the client or the network). */
  disconnect(link: Link): void {
    const session = this.sessions.get(link);
    if (session) this.end(session);
  }

  /** The storage alarm fired: close what is past its deadline, run due jobs, then arm for the next deadline. */
  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = this.now();
    for (const session of [...this.sessions.values()]) {
      const due = deadlineOf(session, this.config);
      if (now >= due.at) this.close(session, due.close);
    }
    await this.jobs.run(now, this.deps.log);
    this.rearm();
  }

  /** Schedules a room-level job (jobs.ts) and arms the alarm for it. */
  schedule(name: string, at: number): void {
    this.jobs.schedule(name, at);
    this.armAt(at);
  }

  /** Lets go of what keeps running on its own (the document's awareness timer): the instance is being dropped. */
  dispose(): void {
    this.doc?.sync.destroy();
  }

  // ------------------------------------------------------------ for the handler modules

  /**
   * Stores a chat message and, only once it is stored, broadcasts it; the
   * caller acks after this resolves (nothing acknowledged can be lost). The one
   * path for chat over a socket, an HTTP session and `POST …/messages`.
   */
  async postChat(sender: { user: string; address: string; role: Grant["role"] }, input: NewMessage): Promise<{ message: ChatMessage; duplicate: boolean } | { error: ErrorCode; message: string }> {
    if (sender.role === "view") return { error: "forbidden", message: "a view connection cannot post chat" };
    if (!this.limits.takeChat(sender.user, sender.address, this.now())) {
      return { error: "rate_limited", message: `more than ${USER_LIMITS.chatPerSecond} messages a second from one user; retry in a second` };
    }
    try {
      const result = await this.chat.post(input, this.now());
      if (!result.duplicate) {
        this.counters.chatMessages++;
        this.broadcast({ type: "chat", message: result.message });
        this.events.emit({ type: "chat", message: result.message }, this.now());
      }
      return result;
    } catch (err) {
      this.deps.log?.("partyroom: storing a chat message failed", err);
      return { error: "internal", message: "the message could not be stored; send it again" };
    }
  }

  /** The document, loaded on first use from the same storage; a failed read is tried again by the next caller. */
  loadDoc(): Promise<LoadedDoc> {
    if (!this.docLoad) this.deps.wake?.mark("docRequested", this.now());
    this.docLoad ??= DocStore.open(this.deps.storage, this.deps.roomId).then(
      (store) => {
        this.deps.wake?.mark("docLoaded", this.now());
        const persist = (update: Uint8Array) => {
          this.events.emit({ type: "doc" }, this.now());
          return store.store(update);
        };
        this.doc = { store, sync: new DocSync(store.doc, persist, this.yjs.output, !this.deps.outputGate, store.whole) };
        return this.doc;
      },
      (err: unknown) => {
        this.docLoad = null;
        throw err;
      },
    );
    return this.docLoad;
  }

  /** The session's deadline may have moved earlier (a new token): arm for it. */
  armFor(session: Session): void {
    this.armAt(deadlineOf(session, this.config).at);
  }

  /**
   * A session stopped being pending (it said hello, or sent a Yjs frame).
   * When it was the last pending one, the alarm may still be set for a hello
   * timeout nobody has any more: set it again for the real next deadline, or
   * the room would wake for nothing (a woken room stays in memory, billed).
   */
  promoted(session: Session): void {
    this.pendingCount--;
    this.armFor(session);
    if (this.pendingCount === 0) this.rearm();
  }

  /** Sets the alarm for `at` (+ grace) if that is earlier than the one set; `reset` replaces it whatever it is. */
  armAt(at: number, reset = false): void {
    const when = at + SWEEP_GRACE_MS;
    if (!reset && this.alarmAt !== null && this.alarmAt <= when && this.alarmAt > this.now() - 1000) return;
    this.alarmAt = when;
    void this.deps.storage.setAlarm(when).catch((err: unknown) => this.deps.log?.("partyroom: setting the alarm failed", err));
  }

  /** Sets the alarm for the earliest session deadline or job, replacing the one set (none when nothing is due). */
  private rearm(): void {
    const sessions = earliestDeadline(this.sessions.values(), this.config);
    const job = this.jobs.earliest();
    const next = sessions === null ? job : job === null ? sessions : Math.min(sessions, job);
    if (next !== null) this.armAt(next, true);
  }

  /** When the alarm is set for, if it is. */
  get nextAlarm(): number | null {
    return this.alarmAt;
  }

  // ------------------------------------------------------------ internals

  private async handle(session: Session, data: string | Uint8Array): Promise<void> {
    if (session.ended) return;
    const now = this.now();
    this.received(session, typeof data === "string" ? utf8Length(data) : data.byteLength, now);
    try {
      if (typeof data === "string") await onText(this, session, data, now);
      else await onBinary(this, session, data, now);
    } catch (err) {
      // A handler must never throw into the host: report and keep the connection.
      this.deps.log?.("partyroom: handler failed", err);
      if (session.kind === "app") this.send(session, { type: "error", code: "internal", message: "the room could not handle that message" });
    }
  }

  /** A frame of `bytes` arrived: a sign of life, and counted. */
  private received(session: Session, bytes: number, now: number): void {
    this.touch(session, now);
    this.counters.received(bytes);
    session.bytesIn += bytes;
  }

  protected end(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    this.presenceHeld.delete(session);
    this.sessions.delete(session.link);
    this.byId.delete(session.id);
    this.limits.removeAddress(session.address);
    session.flow.detach();
    this.sendCost -= SEND_COST[session.transport];
    if (session.countedAs !== null) this.limits.removeUser(session.countedAs);
    if (session.kind === "pending") this.pendingCount--;
    this.http.forget(session);
    this.yjs.forget(session);
    if (session.kind === "app") this.broadcastPresence(this.presence.leave(session.id));
    this.versions.left(session);
    this.events.emit({ type: "size" }, this.now());
    if (this.sessions.size === 0) {
      this.events.emit({ type: "emptied" }, this.now());
      // Cut short by an eviction, a compaction leaves its snapshot beside the older updates: a load applies both.
      this.doc?.store.compactIfChanged()?.catch((err: unknown) => this.deps.log?.("partyroom: compacting the document failed", err));
    }
  }
}
