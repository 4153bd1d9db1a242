/**
 * The PartyKit host of a room: one hibernating party instance per room id,
 * adapting PartyKit's hooks to the room core (core/room.ts), which holds every
 * rule. Nothing here decides anything about the protocol.
 *
 * Hibernation: the platform keeps the sockets while the instance is evicted
 * (after ~10 s without events) and builds a new instance for the next event.
 * Every connection's record lives in its PartyKit state (`conn.setState`),
 * HTTP sessions' records in storage; `onStart` rebuilds the core from them,
 * and the storage alarm carries every deadline. The document is loaded only
 * when a frame needs it.
 */
import type * as Party from "partykit/server";
import type { Link, RoomStorage } from "./core/ports";
import { RoomCore } from "./core/room";
import { WakeTimeline } from "./core/wake-timeline";
import { addressFrom, allowedOrigins, grantFrom, secretOf, verifyToken } from "./host/auth";
import { EventClock } from "./host/clock";
import { configFrom } from "./host/config";
import { checkRequest, checkSocket } from "./host/edge";
import { seeParties } from "./host/directory-link";
import { handleHttp } from "./host/http";
import { RoomOps } from "./host/ops";
import { servePage } from "./host/pages";
import { discardUnreadBody } from "./host/request-body";
import { CloseCode, type ServerMessage } from "./protocol";

/** Where a room keeps its own id: `room.id` throws when an alarm wakes the instance. */
const ROOM_ID_KEY = "room:id";

export default class RoomHost implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: true };
  private core!: RoomCore;
  /** Inspector, metrics, webhooks and directory reports (host/ops.ts). */
  private ops!: RoomOps;
  private readonly clock = new EventClock();
  private readonly links = new WeakMap<Party.Connection, Link>();
  /** This instance's wake, step by step (core/wake-timeline.ts): what a cold load waited for. */
  private readonly wake = new WakeTimeline(Date.now());

  constructor(readonly room: Party.Room) {}

  /** Sockets and requests are checked at the edge, before the room wakes (host/edge.ts). */
  static onBeforeConnect(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    return checkSocket(req, lobby);
  }

  static onBeforeRequest(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    return checkRequest(req, lobby);
  }

  /** App pages with their framing headers (host/pages.ts). */
  static onFetch(req: Party.Request, lobby: Party.FetchLobby): Promise<Response | null> {
    return servePage(req as unknown as Request, lobby);
  }

  /** Runs on every wake, before any event: builds the core and gives it back every open connection. */
  async onStart(): Promise<void> {
    // onStart is not serialised with incoming events: hold them until the core is whole.
    await this.room.blockConcurrencyWhile(async () => {
      const storage = this.room.storage as unknown as RoomStorage;
      const secret = secretOf(this.room.env);
      const roomId = await this.roomId();
      this.wake.mark("id", Date.now());
      this.core = await RoomCore.open({
        roomId,
        storage,
        clock: this.clock,
        config: configFrom(this.room.env),
        verifyToken: secret ? async (token) => verifyToken(token, secret, roomId) : null,
        // Durable Objects hold outgoing frames until earlier writes are durable: tests/fault/seen-is-stored.test.ts.
        outputGate: true,
        log: (message, err) => console.error(message, err),
        afterReply: (fn) => this.clock.afterReply(fn),
        wake: this.wake,
      });
      this.wake.mark("core", Date.now());
      seeParties(this.room);
      this.ops = await RoomOps.attach(this.core, this.room.env, (p) => this.clock.track(p));
      this.wake.mark("ops", Date.now());
      for (const conn of this.room.getConnections()) {
        if (!this.core.restore(this.linkFor(conn), conn.state)) conn.close(CloseCode.Restart.code, CloseCode.Restart.reason);
      }
      this.core.restored();
    });
    this.wake.mark("ready", Date.now());
  }

  async onConnect(conn: Party.Connection, ctx: Party.ConnectionContext): Promise<void> {
    const start = this.clock.mark();
    const headers = (ctx.request as unknown as Request).headers;
    const grant = grantFrom(headers);
    const address = addressFrom(headers);
    seeParties(this.room);
    this.ops.reporter.flush(this.core.now());
    const refused = this.core.admit(address, grant.userId);
    if (refused) {
      // As core.close does: under partykit dev the close frame alone never reaches the client, which would hang open.
      conn.send(JSON.stringify({ type: "close", code: refused.code, reason: refused.reason } satisfies ServerMessage));
      conn.close(refused.code, refused.reason);
    } else this.core.connect(this.linkFor(conn), { transport: "websocket", grant, address });
    // The client sees its socket open only once this resolves (PartyKit answers the upgrade after onConnect), so it
    // waits for its own work only (nothing above awaits): in a crowd, other events' presence windows (up to 500 ms)
    // would hold every open.
    await this.clock.since(start);
    this.wake.mark("connected", Date.now());
  }

  async onMessage(message: string | ArrayBuffer | ArrayBufferView, conn: Party.Connection): Promise<void> {
    const link = this.linkOf(conn);
    if (!link) return;
    await this.core.frame(link, typeof message === "string" ? message : toBytes(message));
    await this.clock.drain();
  }

  onClose(conn: Party.Connection): Promise<void> {
    const link = this.linkOf(conn);
    if (link) this.core.disconnect(link);
    // Answer the client's close frame, so its close completes instead of timing out as 1006.
    try {
      conn.close(CloseCode.Normal.code, CloseCode.Normal.reason);
    } catch {
      // Already closed.
    }
    return this.clock.drain();
  }

  onError(conn: Party.Connection): Promise<void> {
    const link = this.linkOf(conn);
    if (link) this.core.disconnect(link);
    return this.clock.drain();
  }

  async onAlarm(): Promise<void> {
    await this.core.alarm();
    await this.clock.drain();
  }

  async onRequest(req: Party.Request): Promise<Response> {
    seeParties(this.room);
    this.ops.reporter.flush(this.core.now());
    const res = (await this.ops.route(req as unknown as Request, this.room.env)) ?? (await handleHttp(req as unknown as Request, this.core));
    await discardUnreadBody(req as unknown as Request);
    await this.clock.drain();
    // With an allow-list, CORS names the (already checked) origin instead of "*".
    const origin = req.headers.get("origin");
    if (origin && allowedOrigins(this.room.env)) {
      res.headers.set("access-control-allow-origin", origin);
      res.headers.append("vary", "origin");
    }
    return res;
  }

  /** The room's id, kept in storage the first time it is known (an alarm wake cannot read it). */
  private async roomId(): Promise<string> {
    const stored = await this.room.storage.get<string>(ROOM_ID_KEY);
    if (stored) return stored;
    const id = this.room.id;
    await this.room.storage.put(ROOM_ID_KEY, id);
    return id;
  }

  /** The core's view of a connection: send, close, and save its record in the connection's state. */
  private linkFor(conn: Party.Connection): Link {
    const link: Link = {
      send: (data) => conn.send(data),
      close: (code, reason) => conn.close(code, reason),
      save: (record) => conn.setState(record),
    };
    this.links.set(conn, link);
    return link;
  }

  /** The link of a connection; after a wake the runtime may hand over a new object for the same socket. */
  private linkOf(conn: Party.Connection): Link | undefined {
    const known = this.links.get(conn);
    if (known) return known;
    const id = (conn.state as { id?: unknown } | null)?.id;
    const session = typeof id === "string" ? this.core.session(id) : undefined;
    if (session) this.links.set(conn, session.link);
    return session?.link;
  }
}

/** Binary frames arrive as ArrayBuffer or a view; Yjs wants a Uint8Array over the same bytes. */
function toBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
