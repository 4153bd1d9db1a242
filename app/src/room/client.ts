/**
 * The room client: one partysocket per room carrying the JSON app protocol
 * (hello, chat, presence) on text frames and Yjs on binary frames, exposed to
 * the UI as a RoomClient (types.ts). The rules live in small modules
 * (chat-log, pending, backoff, doc-link); this file only wires them to the socket.
 *
 * Socket life: open -> hello -> welcome = "connected", then Yjs step 1. Nothing
 * is ever queued in partysocket (maxEnqueuedMessages 0, and we only send on an
 * open socket that has said hello): chat is resent from the pending queue and
 * the document re-syncs after every welcome, so a closed socket loses nothing.
 */
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { TERMINAL_CLOSE_CODES } from "../../../party/protocol";
import { assertNever, type ChatMessage, type ClientMessage, HEARTBEAT_INTERVAL_MS, type Person, PROTOCOL_VERSION, type ServerMessage, type Status } from "../../../party/protocol";
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF, type Random } from "./backoff";
import { ChatSession } from "./chat-session";
import { type DocCache, openDocCache } from "./doc-cache";
import { DocLink } from "./doc-link";
import { browserStorage, cleanName, isColor, loadIdentity, saveIdentity } from "./identity";
import { type KeyValueStore, PendingQueue, pendingKey } from "./pending";
import { parseServerMessage } from "./server-message";
import { JitteredPartySocket } from "./socket";
import { Liveness } from "./liveness";
import { type TransportName, TransportSelector } from "./transport";
import type { ChatLine, ConnectionState, Identity, RoomClient, RoomSnapshot } from "./types";
import { applyPresence, chatLines } from "./view";
import { watchBrowser } from "./wake";

/** Options for createRoomClient. Only host and room are required. */
export type RoomClientOptions = {
  /** Server host with port, without scheme: `location.host`, "127.0.0.1:1999". */
  host: string;
  room: string;
  /** Default: loadIdentity(storage), which also saves later name/colour changes. */
  identity?: Identity;
  /** Default: "ws" for localhost/private addresses, "wss" otherwise (partysocket's rule). */
  protocol?: "ws" | "wss";
  /** A WebSocket class; in Node pass the `ws` package's. */
  WebSocket?: unknown;
  /** Where the pending chat queue (and a loaded identity) live; default localStorage, null for none. */
  storage?: KeyValueStore | null;
  /** The document to sync; default a new Y.Doc. */
  doc?: Y.Doc;
  status?: Status;
  /** Reconnect schedule; default DEFAULT_BACKOFF (0.5 s doubling to 15 s, full jitter). */
  backoff?: Partial<BackoffOptions>;
  /** Random source for jitter (tests may seed it). */
  random?: Random;
  /** Keep an offline copy of the document in IndexedDB where it exists (default true). */
  offlineCache?: boolean;
  /** A connection open this long counts as stable: the next outage starts the backoff over (default 5 s). */
  stableAfterMs?: number;
  /** Force one transport (no fallback, no probing); default: WebSocket, falling back to SSE, then long polling. */
  transport?: TransportName;
  /** A room token (rooms with access control), or a function asked again on every reconnect. */
  token?: string | (() => string | Promise<string>);
  /** EventSource and fetch for the HTTP transports (Node has no EventSource of its own). */
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
  /** How often to try WebSocket again while on SSE or polling (default 15 s). */
  probeEveryMs?: number;
};

/** Close code we use when the watchdog gives up on a silent socket. */
const WATCHDOG_CLOSE = { code: 4000, reason: "no frames from the server" };

/** Connects to a room and returns its client; call destroy() when done. */
export function createRoomClient(options: RoomClientOptions): RoomClient {
  return new Room(options);
}

class Room implements RoomClient {
  readonly roomId: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private me: Identity;
  private status: Status;
  private readonly storage: KeyValueStore | null;
  private readonly ownsIdentity: boolean;
  private readonly backoff: BackoffOptions;
  private readonly chat: ChatSession;
  private readonly link: DocLink;
  private readonly socket: JitteredPartySocket;
  private readonly selector: TransportSelector;
  private tokenSource: RoomClientOptions["token"];
  private role: "view" | "chat" | "edit" = "edit";
  private authExp: number | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly lines = new WeakMap<ChatMessage, ChatLine>();
  private readonly liveness = new Liveness(
    () => this.send({ type: "heartbeat" }),
    () => this.socket.reconnect(WATCHDOG_CLOSE.code, WATCHDOG_CLOSE.reason),
  );
  private readonly unwatch: () => void;
  private readonly cache: DocCache | null;
  private cacheLoaded = false;

  private connection: ConnectionState;
  private lastClose: { code: number; reason: string } | undefined;
  private connectionId: string | null = null;
  private people = new Map<string, Person>();
  private generation = 0;
  private ready = false;
  private welcomed = false;
  private resumed = false;
  private heartbeatMs = HEARTBEAT_INTERVAL_MS;
  private destroyed = false;
  private snapshot: RoomSnapshot;

  constructor(options: RoomClientOptions) {
    this.roomId = options.room;
    this.storage = options.storage === undefined ? browserStorage() : options.storage;
    this.ownsIdentity = options.identity === undefined;
    this.me = options.identity ?? loadIdentity(this.storage);
    this.status = options.status ?? "active";
    const random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.doc = options.doc ?? new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalStateField("user", { name: this.me.name, color: this.me.color });
    const pending = new PendingQueue(this.storage, pendingKey(this.roomId, this.me.clientId));
    this.chat = new ChatSession(pending, this.me.clientId, (msg) => this.send(msg), () => this.emit(), random);
    this.link = new DocLink(this.doc, this.awareness, (frame) => this.sendFrame(frame), () => this.emit());
    // Opened after the link listens: updates loaded from the cache count as unsynced until the server confirms them.
    this.cache = options.offlineCache === false ? null : openDocCache(this.roomId, this.doc);
    void this.cache?.loaded.then(() => {
      this.cacheLoaded = true;
      this.emit();
    });
    this.tokenSource = options.token;
    this.selector = new TransportSelector({
      WebSocket: options.WebSocket,
      ...(options.transport ? { forced: options.transport } : {}),
      ...(options.EventSource ? { EventSource: options.EventSource } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.probeEveryMs ? { probeEveryMs: options.probeEveryMs } : {}),
      // A new transport takes over at once: the current attempt is abandoned, the next uses it.
      onChange: () => {
        if (this.destroyed) return;
        this.setConnection(this.attempting(0));
        if (!this.socket.skipWait()) this.socket.reconnect();
      },
    });
    this.connection = { state: "connecting", attempt: 0, transport: this.selector.current };
    this.snapshot = this.build();
    this.socket = new JitteredPartySocket(
      {
        host: options.host,
        room: options.room,
        ...(options.protocol ? { protocol: options.protocol } : {}),
        WebSocket: this.selector.socketClass,
        ...(options.token !== undefined ? { query: async () => ({ token: await this.currentToken() }) } : {}),
        maxEnqueuedMessages: 0,
        minUptime: options.stableAfterMs ?? 5_000,
        connectionTimeout: 5_000,
        shouldReconnectOnClose: (e) => !TERMINAL_CLOSE_CODES.has(e.code),
      },
      {
        delayFor: (attempt) => backoffDelay(attempt, random, this.backoff),
        onWait: (attempt, at) => this.setConnection(at <= Date.now() ? this.attempting(attempt) : this.retrying(attempt, at)),
        onAttempt: (attempt) => this.setConnection(this.attempting(attempt)),
      },
    );
    this.socket.binaryType = "arraybuffer";
    this.socket.addEventListener("open", this.onOpen);
    this.socket.addEventListener("message", this.onMessage);
    this.socket.addEventListener("close", this.onClose);
    this.unwatch = watchBrowser({
      wake: () => this.wake(),
      offline: () => {
        if (this.connection.state !== "connected") this.setConnection({ state: "offline", transport: this.selector.current });
      },
    });
  }

  get identity(): Identity {
    return this.me;
  }

  getSnapshot = (): RoomSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  sendChat(text: string): void {
    if (this.destroyed) return;
    this.chat.write(text);
    this.emit();
  }

  retryChat(id: string): void {
    if (!this.destroyed && this.chat.retry(id)) this.emit();
  }

  loadOlder(): void {
    if (!this.destroyed && this.chat.loadOlder()) this.emit();
  }

  setIdentity(patch: Partial<Pick<Identity, "name" | "color">>): void {
    // Invalid values are dropped rather than thrown: this is usually fed straight from an input.
    const name = patch.name === undefined ? null : cleanName(patch.name);
    const color = patch.color !== undefined && isColor(patch.color) ? patch.color : null;
    if (name === null && color === null) return;
    this.me = { ...this.me, ...(name !== null ? { name } : {}), ...(color !== null ? { color } : {}) };
    if (this.ownsIdentity) saveIdentity(this.me, this.storage);
    this.awareness.setLocalStateField("user", { name: this.me.name, color: this.me.color });
    if (this.welcomed) this.send({ type: "presence", ...(name !== null ? { name } : {}), ...(color !== null ? { color } : {}) });
    this.emit();
  }

  setStatus(status: Status): void {
    if (status === this.status) return;
    this.status = status;
    if (this.welcomed) this.send({ type: "presence", status });
  }

  hasUnsyncedWork(): boolean {
    return !this.destroyed && (this.chat.pending.items.length > 0 || this.link.hasUnsynced);
  }

  reconnectNow(): void {
    if (this.destroyed || this.socket.skipWait()) return;
    this.socket.reconnect();
  }

  /** Hands the room a fresh token without reconnecting (rooms with access control). */
  refreshToken(token: string): void {
    if (this.destroyed) return;
    this.tokenSource = token;
    if (this.welcomed) this.send({ type: "auth", token });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.selector.stop();
    // Tell the others our cursor is gone while the socket is still open.
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "local");
    this.destroyed = true;
    this.liveness.stop();
    this.chat.destroy();
    this.unwatch();
    this.link.destroy();
    this.cache?.destroy();
    this.socket.close(1000, "client left");
    this.awareness.destroy();
    this.connection = { state: "closed", code: 1000, reason: "client left", transport: this.selector.current };
    this.emit();
    this.listeners.clear();
  }

  // ------------------------------------------------------------ socket events

  private readonly onOpen = (): void => {
    if (this.destroyed) return;
    this.generation++;
    this.ready = true;
    this.welcomed = false;
    const lastSeq = this.chat.helloLastSeq();
    this.resumed = lastSeq !== undefined;
    const { key, name, color } = this.me;
    // hello must be the first frame: the server treats a socket that starts binary as plain Yjs.
    this.send({ type: "hello", v: PROTOCOL_VERSION, key, name, color, status: this.status, ...(lastSeq !== undefined ? { lastSeq } : {}) });
    this.liveness.start(this.heartbeatMs);
  };

  private readonly onMessage = (event: MessageEvent): void => {
    if (this.destroyed) return;
    this.liveness.frame();
    const data: unknown = event.data;
    if (typeof data === "string") {
      const msg = parseServerMessage(data);
      if (msg) this.dispatch(msg);
    } else if (data instanceof ArrayBuffer) this.link.receive(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.link.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  };

  private readonly onClose = (event: { code: number; reason: string }): void => {
    this.ready = false;
    this.welcomed = false;
    this.chat.disconnected();
    this.liveness.stop();
    if (this.destroyed) return;
    this.link.stop();
    this.lastClose = { code: event.code, reason: event.reason ?? "" };
    if (TERMINAL_CLOSE_CODES.has(event.code)) {
      this.setConnection({ state: "closed", code: event.code, reason: event.reason ?? "", transport: this.selector.current });
    } else if (typeof navigator !== "undefined" && navigator.onLine === false) {
      this.setConnection({ state: "offline", transport: this.selector.current });
    } else if (this.connection.state === "reconnecting" || this.connection.state === "connecting") {
      // partysocket schedules the next attempt just before it reports the close: add the reason.
      this.setConnection({ ...this.connection, lastClose: this.lastClose });
    } else this.emit();
  };

  private dispatch(msg: ServerMessage): void {
    switch (msg.type) {
      case "welcome":
        this.role = msg.role ?? "edit";
        this.authExp = msg.authExp ?? null;
        this.connectionId = msg.connectionId;
        this.people = new Map(msg.presence.map((p) => [p.clientId, p]));
        this.welcomed = true;
        if (msg.heartbeatMs !== this.heartbeatMs) {
          this.heartbeatMs = msg.heartbeatMs;
          this.liveness.start(this.heartbeatMs);
        }
        this.connection = { state: "connected", transport: this.selector.current, since: Date.now() };
        this.lastClose = undefined;
        this.chat.welcome(msg, this.generation, this.resumed);
        // Yjs starts only now: while the server is still reading the welcome's page,
        // a binary frame would make it take this socket for a plain Yjs one and drop the hello.
        this.link.start();
        break;
      case "presence":
        // Deltas that raced ahead of the welcome are already in its full list.
        if (!this.welcomed) return;
        this.people = applyPresence(this.people, msg);
        break;
      case "chat":
      case "ack":
      case "messages":
      case "error":
        this.chat.receive(msg);
        break;
      case "pong":
        return;
      case "close":
        // The room is closing this connection (its close frame may never arrive): act on it now.
        if (TERMINAL_CLOSE_CODES.has(msg.code)) this.socket.close(msg.code, msg.reason);
        else this.socket.reconnect(msg.code, msg.reason);
        return;
      case "auth":
        this.role = msg.role;
        this.authExp = msg.authExp ?? null;
        this.emit();
        return;
      default:
        assertNever(msg);
    }
    this.emit();
  }

  // ------------------------------------------------------------ sending

  private send(msg: ClientMessage): boolean {
    if (!this.ready) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  private sendFrame(frame: Uint8Array): boolean {
    if (!this.welcomed) return false;
    this.socket.send(frame as Uint8Array<ArrayBuffer>);
    return true;
  }

  /** Network back or tab visible: retry now if waiting, or probe a connection that may be stale. */
  private wake(): void {
    if (this.destroyed || this.connection.state === "closed") return;
    if (this.ready) this.liveness.probe();
    else this.socket.skipWait();
  }

  // ------------------------------------------------------------ snapshot

  private attempting(attempt: number): ConnectionState {
    return { state: "connecting", attempt, transport: this.selector.current, ...(this.lastClose ? { lastClose: this.lastClose } : {}) };
  }

  private retrying(attempt: number, at: number): ConnectionState {
    return { state: "reconnecting", attempt, nextRetryAt: at, transport: this.selector.current, ...(this.lastClose ? { lastClose: this.lastClose } : {}) };
  }

  private setConnection(state: ConnectionState): void {
    if (this.destroyed) return;
    this.connection = state;
    this.emit();
  }

  private emit(): void {
    this.snapshot = this.build();
    for (const listener of [...this.listeners]) listener();
  }

  private async currentToken(): Promise<string> {
    const t = this.tokenSource;
    return typeof t === "function" ? await t() : (t ?? "");
  }

  private build(): RoomSnapshot {
    return {
      connection: this.connection,
      connectionId: this.connectionId,
      people: [...this.people.values()],
      chat: chatLines(this.chat.log.messages, this.chat.pending.items, this.me.clientId, this.lines),
      hasOlder: this.chat.log.hasOlder,
      loadingOlder: this.chat.loadingOlder,
      lastSeq: this.chat.log.lastSeq,
      docSynced: this.link.isSynced,
      docCached: this.cacheLoaded,
      docUnsynced: this.link.hasUnsynced,
      role: this.role,
      authExp: this.authExp,
    };
  }
}
