/**
 * The room's links: the live sessions and the one way out to each of them,
 * through the link's flow control (flow.ts): sends, broadcasts, presence
 * delivery (batched, held for a link that fell behind), refusals and closes.
 * RoomCore (room.ts) builds the room's lifecycle on it: connect, frames, the
 * alarm, chat and the document.
 */
import { CloseCode, type ErrorCode, LIMITS, MEMORY, type PresenceDelta, type ServerMessage, utf8Length } from "../protocol";
import type { RoomConfig } from "./config";
import { RoomCounters } from "./counters";
import type { FrameClass } from "./flow";
import type { Clock, Grant, Link, Refusal, RoomStorage } from "./ports";
import { Presence } from "./presence";
import { PresenceBatcher, SEND_COST } from "./presence-batch";
import { PresenceLog } from "./presence-log";
import { RoomEvents } from "./room-events";
import { Session } from "./session";
import { READ_SLACK, UnreadLedger } from "./unread";
import { UserLimits } from "./user-limits";
import type { WakeTimeline } from "./wake-timeline";
import type { YjsRouting } from "./yjs-frames";

/**
 * How far a session's saved lastSeen may lag: its record is written again once
 * lastSeen moved this far, and a woken room adds it back (restore), so a
 * deadline after a wake is never early and at most this late. A heartbeat
 * moves only lastSeen; one heartbeat interval plus a margin writes the record
 * (the socket's attachment, serialised by the runtime) on every second
 * heartbeat instead of every one, about 1.5 µs less of the room's own CPU per
 * heartbeat (bench:heartbeat, run with either).
 */
export function recordSeenSlackMs(config: Pick<RoomConfig, "heartbeatMs">): number {
  return config.heartbeatMs + 1_000;
}

export type RoomDeps = {
  roomId: string;
  storage: RoomStorage;
  clock: Clock;
  config: RoomConfig;
  /** Verifies a refreshed token (`auth`); null in open rooms. */
  verifyToken: ((token: string) => Promise<Grant | Refusal>) | null;
  /**
   * The runtime holds every outgoing frame until the storage writes issued
   * before it are durable (Durable Objects' output gate; measured under
   * `partykit dev` by tests/fault/seen-is-stored.test.ts). Then the room sends
   * right after issuing a write instead of waiting for it. False (tests'
   * memory storage): the room waits for each write before sending.
   */
  outputGate?: boolean;
  /** Presence changes kept for held sessions (presence-log.ts); MEMORY.presenceLogChanges unless a test makes it small. */
  presenceLogMax?: number;
  /** People listed to everyone (presence.ts); LIMITS.presenceListed unless a test makes it small. */
  presenceListed?: number;
  log?: (message: string, err?: unknown) => void;
  /** Runs a function after the event under way has answered (writes nobody waits on; why: host/clock.ts); at once when absent. */
  afterReply?: (fn: () => void) => void;
  /** Where this instance's wake went (wake-timeline.ts); the host makes one per instance. */
  wake?: WakeTimeline;
};

export abstract class RoomLinks {
  /** Every live session, by its link. */
  readonly sessions = new Map<Link, Session>();
  protected readonly byId = new Map<string, Session>();
  readonly presence: Presence;
  readonly limits: UserLimits;
  /** Unread bytes per address and over the room (unread.ts). */
  readonly unread = new UnreadLedger();
  readonly counters = new RoomCounters();
  /** What happened, for webhooks and the directory (room-events.ts). */
  readonly events: RoomEvents;
  abstract readonly yjs: YjsRouting;
  private readonly batcher = new PresenceBatcher();
  /** Presence changes by version, and the sessions whose presence is held, each at the version it had seen (presence-log.ts). */
  readonly presenceLog = new PresenceLog();
  protected readonly presenceHeld = new Set<Session>();
  /** Sessions still pending (their hello timeout may be what the alarm is set for). */
  protected pendingCount = 0;
  /** What one frame to every session costs, in WebSocket sends (presence-batch.ts, SEND_COST). */
  protected sendCost = 0;

  constructor(readonly deps: RoomDeps) {
    this.limits = new UserLimits(deps.config.maxConnectionsPerUser, deps.config.maxConnectionsPerAddress);
    this.events = new RoomEvents(deps.log);
    this.presence = new Presence(
      (id) => this.byId.get(id)?.lastSeen ?? 0,
      deps.presenceListed ?? LIMITS.presenceListed,
      (change) => this.events.emit(change, this.now()),
    );
  }

  get config(): RoomConfig {
    return this.deps.config;
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** The session with this id, if it is live. */
  session(id: string): Session | undefined {
    return this.byId.get(id);
  }

  /** A sign of life: the session's deadline moves; its record follows at most recordSeenSlackMs behind. */
  touch(session: Session, now: number): void {
    session.lastSeen = now;
    if (now - session.savedSeen >= recordSeenSlackMs(this.config)) this.save(session);
  }

  /** Writes the session's record where a woken room finds it. */
  save(session: Session): void {
    if (session.ended) return;
    session.savedSeen = session.lastSeen;
    try {
      session.link.save(session.toRecord(this.presence.entry(session.id)));
    } catch (err) {
      this.deps.log?.("partyroom: saving a connection's record failed", err);
    }
  }

  /** Counts a session under its user (known at connect with a token, at hello in open rooms), once. */
  countUser(session: Session): void {
    const user = session.userKey;
    if (!user || session.countedAs !== null) return;
    session.countedAs = user;
    this.limits.addUser(user);
  }

  /**
   * Sends one frame through the link's flow control. `latest` frames may be
   * held (the caller keeps the newest); a link past its budget is closed 1013.
   * A fan-out passes `size` (the frame's UTF-8 bytes) once for all its links:
   * counting them per link was a fifth of a hello's CPU (bench:profile-connect).
   */
  sendTo(session: Session, data: string | Uint8Array, cls: FrameClass = "event", size?: number): "sent" | "held" | "closed" {
    if (session.ended) return "closed";
    const bytes = size ?? (typeof data === "string" ? utf8Length(data) : data.byteLength);
    const decision = session.flow.decide(bytes, cls);
    if (decision === "hold") return "held";
    if (decision === "close") {
      this.close(session, CloseCode.SlowReader);
      return "closed";
    }
    try {
      session.link.send(data, bytes);
    } catch {
      // A send that throws means the link is broken: end it, or it would linger unswept.
      this.close(session, CloseCode.SendFailed);
      return "closed";
    }
    const wasStalling = session.flow.stallDeadline() !== null;
    session.flow.onSent(bytes, cls, this.now());
    this.counters.sent(bytes);
    session.bytesOut += bytes;
    const stall = session.flow.stallDeadline();
    if (!wasStalling && stall !== null) this.armAt(stall);
    this.yjs.maybeProbe(session);
    return "sent";
  }

  /** Sends a JSON message (`greeting` for a welcome: see flow.ts). */
  send(session: Session, msg: ServerMessage, cls: FrameClass = "event"): void {
    this.sendTo(session, JSON.stringify(msg), cls);
  }

  /** Sends to every app session (serialised once). */
  broadcast(msg: ServerMessage, except?: Session): void {
    const text = JSON.stringify(msg);
    const size = utf8Length(text);
    for (const s of [...this.sessions.values()]) if (s.kind === "app" && s !== except) this.sendTo(s, text, "event", size);
  }

  /** A presence change only its person sees (they are past the list): to their own tabs, at once, not a walk over the room. */
  sendToPerson(clientId: string, delta: PresenceDelta): void {
    const text = JSON.stringify(delta);
    const size = utf8Length(text);
    for (const id of [...this.presence.tabsOf(clientId)]) {
      const s = this.byId.get(id);
      if (s) this.sendTo(s, text, "event", size);
    }
  }

  /** Presence goes out at once when quiet, merged per window in a burst (presence-batch.ts). */
  broadcastPresence(delta: PresenceDelta | null, except?: Session): void {
    const { send, flushAt } = this.batcher.add(delta, this.now(), this.sendCost);
    if (send) this.deliverPresence(send, except);
    if (flushAt !== null) {
      this.deps.clock.setTimeout(() => {
        const due = this.batcher.flush(this.now());
        if (due) this.deliverPresence(due);
      }, flushAt - this.now());
    }
  }

  /** A link showed it caught up: what was held for it (presence, awareness) goes out now. */
  release(session: Session): void {
    if (session.presenceSeen !== null) {
      const seen = session.presenceSeen;
      // The count goes with it whenever anything went out meanwhile: arrivals past the list change nothing else.
      const delta = seen < this.presenceLog.current ? { ...(this.presenceLog.since(seen, (id) => this.presence.person(id)) ?? { type: "presence" }), people: this.presence.count } : null;
      session.presenceSeen = null;
      this.presenceHeld.delete(session);
      if (delta) this.sendTo(session, JSON.stringify(delta));
      this.prunePresenceLog();
    }
    this.yjs.releaseAwareness(session);
  }

  /** Answers a refused frame with a typed error; repeated refusals close the session. */
  refuse(session: Session, now: number, code: ErrorCode, message: string, ref?: string): void {
    this.counters.refused(code, now, session.id);
    if (session.kind !== "yjs") this.send(session, ref === undefined ? { type: "error", code, message } : { type: "error", code, message, ref });
    this.strike(session, now);
  }

  strike(session: Session, now: number): void {
    // Every window records; any closes. The user's and address's let sixty sockets strike out together, not 1,200 frames later.
    const own = session.strikes.record(now);
    if (this.limits.strike(session.userKey, session.address, now) || own) this.close(session, CloseCode.Abuse);
  }

  /**
   * Ends a session and closes its link with `how`. A socket that may read
   * text (app or still pending) is told first with a `close` message: under
   * `partykit dev` a hibernatable socket's close started outside its own event
   * (the alarm's sweep, another client's message) never reaches the client.
   */
  close(session: Session, how: { code: number; reason: string }): void {
    if (session.ended) return;
    this.counters.closed(how.code, this.now(), session.id, how.reason);
    this.end(session);
    try {
      if (session.kind !== "yjs" && !session.outbox) session.link.send(JSON.stringify({ type: "close", code: how.code, reason: how.reason } satisfies ServerMessage));
      session.link.close(how.code, how.reason);
    } catch {
      // Already closed.
    }
  }

  /** Sets the alarm for `at` if that is earlier than the one set (room.ts). */
  abstract armAt(at: number, reset?: boolean): void;

  /** Forgets a session everywhere (room.ts); `close` calls it before closing the link. */
  protected abstract end(session: Session): void;

  protected add(session: Session): void {
    this.sessions.set(session.link, session);
    this.byId.set(session.id, session);
    this.limits.addAddress(session.address);
    session.flow.attach(this.unread.account(session.address, READ_SLACK[session.transport]));
    this.sendCost += SEND_COST[session.transport];
    this.countUser(session);
    if (session.kind === "pending") this.pendingCount++;
  }

  private deliverPresence(delta: PresenceDelta, except?: Session): void {
    const version = this.presenceLog.record(delta);
    const text = JSON.stringify(delta);
    const size = utf8Length(text);
    for (const s of [...this.sessions.values()]) {
      // A held session's release computes what it missed from the log: nothing to do for it here.
      if (s.kind !== "app" || s === except || s.presenceSeen !== null) continue;
      if (this.sendTo(s, text, "latest", size) === "held") {
        s.presenceSeen = version - 1;
        this.presenceHeld.add(s);
      }
    }
    this.prunePresenceLog();
  }

  /**
   * Keeps the presence log back to the oldest version a held session had seen,
   * and within MEMORY.presenceLogChanges changes: a session further behind is closed
   * 1013 (it resumes with a fresh welcome).
   */
  private prunePresenceLog(): void {
    const log = this.presenceLog;
    const behind: Session[] = [];
    const max = this.deps.presenceLogMax ?? MEMORY.presenceLogChanges;
    if (log.length > max) {
      const keep = log.seenWithin(Math.floor(max / 2));
      for (const s of this.presenceHeld) if (s.presenceSeen! < keep) behind.push(s);
      // Out of the held set before closing: each close is a leave, which comes back here.
      for (const s of behind) {
        this.presenceHeld.delete(s);
        s.presenceSeen = null;
      }
    }
    let oldest = log.current;
    for (const s of this.presenceHeld) oldest = Math.min(oldest, s.presenceSeen!);
    log.prune(oldest);
    for (const s of behind) this.close(s, CloseCode.SlowReader);
  }
}
