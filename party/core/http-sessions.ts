/**
 * HTTP sessions (SSE and long polling, PROTOCOL.md §9): a session whose link
 * is an Outbox the client reads by SSE or polls, and whose frames come by
 * POST. From the core's side it is a session like any socket; this module
 * keeps the registry, their records in storage (a woken room finds them
 * again; their outbox starts empty, so a resume is a gap and gets a fresh
 * welcome), the read acknowledgements that drive their flow control, and the
 * one-stream-per-session rule.
 */
import { BUDGETS, CloseCode, type ErrorCode, LIMITS, parseClientMessage } from "../protocol";
import { sendWelcome, versionRefusal } from "./app-messages";
import { Outbox } from "./outbox";
import type { Grant, Link } from "./ports";
import type { RoomCore } from "./room";
import type { Session, Transport } from "./session";

const RECORD_PREFIX = "hs:";
/** What an SSE stream keeps of the events it wrote, for a resume by Last-Event-ID after a dropped connection. */
export const SSE_REPLAY_BYTES = 64 * 1024;

/** An open HTTP session as the transports (host/http-transport.ts) see it. */
export interface HttpSessionHandle {
  readonly outbox: Outbox;
  /** Hands one client frame to the room, in order with the session's others. */
  deliver(frame: string | Uint8Array): Promise<void>;
  /** The client holds every event up to `id` (a poll's `after`, a stream's Last-Event-ID). */
  acked(id: number): void;
  /** An SSE stream wrote every event up to `id`: all but the newest SSE_REPLAY_BYTES of them are let go. */
  written(id: number): void;
  /** The client resumed from before what the outbox holds: it gets a fresh start; the reader goes on from the returned id. */
  gap(): number;
  /** Claims the session's one stream; the returned check turns false once a newer stream (or poll) takes over. */
  claim(kind: "sse" | "poll"): () => boolean;
  /** A stream or poll ended. */
  released(kind: "sse" | "poll"): void;
  readonly keepAliveMs: number;
  end(): void;
}

export class HttpSessions {
  private readonly byId = new Map<string, Session>();
  /** The newest reader's claim per session (a WeakMap: it goes with the session). */
  private readonly claims = new WeakMap<Session, number>();
  /** Open streams and held polls, for the inspector. */
  readonly open = { sse: 0, poll: 0 };

  constructor(private readonly core: RoomCore) {}

  get size(): number {
    return this.byId.size;
  }

  /** Every HTTP session that was open before the room woke. */
  async restore(): Promise<void> {
    const records = await this.core.deps.storage.list<unknown>({ prefix: RECORD_PREFIX });
    for (const [key, record] of records) {
      const id = key.slice(RECORD_PREFIX.length);
      // Numbering starts at the clock, past any id the previous instance gave out, so a client's old id reads as a gap.
      const outbox = new Outbox(this.core.now());
      const session = this.core.restore(this.link(id, outbox), record, outbox);
      if (session) this.byId.set(session.id, session);
      else void this.core.deps.storage.delete(key);
    }
  }

  /**
   * Opens a session, from a hello or (empty body) pending, like a fresh socket.
   * Nothing is created when the hello is invalid or the room has no room for it.
   */
  async openSession(raw: string, transport: Transport, grant: Grant, address: string): Promise<{ id: string } | { error: ErrorCode; message: string }> {
    const withHello = raw.trim() !== "";
    if (withHello) {
      const parsed = parseClientMessage(raw);
      if (!parsed.ok) return { error: parsed.code, message: parsed.message };
      if (parsed.message.type !== "hello") return { error: "hello_required", message: "open a session with a hello message" };
      const bad = versionRefusal(parsed.message.v);
      if (bad) return { error: "unsupported_version", message: bad };
    }
    if (this.byId.size >= BUDGETS.httpSessions) return { error: "room_full", message: "too many HTTP sessions in this room; retry in a few seconds" };
    const refused = this.core.admit(address, grant.userId);
    if (refused) return { error: refused.error, message: refused.reason };
    const outbox = new Outbox();
    const id = crypto.randomUUID();
    const session = this.core.connect(this.link(id, outbox), { transport, grant, address }, outbox, id);
    this.byId.set(session.id, session);
    if (withHello) await this.core.frame(session.link, raw);
    // In open rooms the user is known only at the hello, which closes a session past the user's cap: say so, as a socket is told.
    if (outbox.closed?.code === CloseCode.TooManyConnections.code) return { error: "too_many_connections", message: outbox.closed.reason };
    return { id: session.id };
  }

  /** The session with this id, if it exists and (with tokens) belongs to the caller. */
  handle(id: string, grant: Grant): HttpSessionHandle | undefined {
    const session = this.byId.get(id);
    if (!session || session.grant.userId !== grant.userId || !session.outbox) return undefined;
    const outbox = session.outbox;
    return {
      outbox,
      keepAliveMs: this.core.config.sseKeepAliveMs,
      deliver: (frame) => this.core.frame(session.link, frame),
      acked: (upTo) => this.acked(session, upTo),
      written: (upTo) => {
        outbox.written(upTo, SSE_REPLAY_BYTES);
        this.progress(session);
      },
      gap: () => this.resnapshot(session),
      claim: (kind) => {
        this.open[kind]++;
        const mine = (this.claims.get(session) ?? 0) + 1;
        this.claims.set(session, mine);
        // A newer reader takes over: the older one sees it at its next wake-up. An ended session's reader still delivers the close.
        outbox.wake();
        return () => this.claims.get(session) === mine;
      },
      released: (kind) => {
        this.open[kind]--;
      },
      end: () => this.core.close(session, CloseCode.ClientClosed),
    };
  }

  /** The core ended a session: drop it here and its record from storage. */
  forget(session: Session): void {
    if (!session.outbox || !this.byId.delete(session.id)) return;
    void this.core.deps.storage.delete(RECORD_PREFIX + session.id);
  }

  /** Events held across every session's outbox, for the inspector. */
  get heldEvents(): number {
    let n = 0;
    for (const s of this.byId.values()) n += s.outbox?.size ?? 0;
    return n;
  }

  private link(id: string, outbox: Outbox): Link {
    return {
      send: (data, bytes) => void outbox.push(data, bytes),
      close: (code, reason) => outbox.close(code, reason),
      save: (record) => void this.core.deps.storage.put(RECORD_PREFIX + id, record),
    };
  }

  /** Acknowledged events count as read for flow control. */
  private acked(session: Session, upTo: number): void {
    session.outbox!.ack(upTo);
    this.progress(session);
  }

  /** What the outbox let go of is read, for flow control. */
  private progress(session: Session): void {
    if (session.flow.onRead(session.flow.sent - session.outbox!.bytes, this.core.now())) this.core.release(session);
  }

  /**
   * A client resumed from before what its outbox holds: instead of a partial
   * replay it gets a fresh start: a welcome (presence, seq, latest chat; it
   * fills chat gaps by seq) and a new Yjs greeting.
   */
  private resnapshot(session: Session): number {
    const outbox = session.outbox!;
    outbox.clear();
    session.flow.onRead(session.flow.sent, this.core.now());
    const from = outbox.lastId;
    void this.core.chat.latest(LIMITS.welcomeLatest).then(async (page) => {
      if (session.ended) return;
      if (session.kind === "app") sendWelcome(this.core, session, page.messages, this.core.now());
      if (session.kind !== "pending") {
        this.core.yjs.greeted.delete(session);
        await this.core.yjs.greet(session);
      }
    });
    return from;
  }
}
