/**
 * The room client: one socket per room carrying the JSON app protocol
 * (hello, chat, presence) on text frames and Yjs on binary frames, exposed to
 * the UI as a RoomClient (types.ts). The rules live in small modules
 * (chat-session, doc-link, socket, link-state); this file wires them together.
 *
 * Socket life: open -> hello -> welcome = "connected", then Yjs step 1. Nothing
 * is ever queued on a closed socket: chat is resent from the pending queue and
 * the document re-syncs after every welcome, so a closed socket loses nothing.
 */
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import { assertNever, type ChatMessage, type ClientMessage, ClientCloseCode, HEARTBEAT_INTERVAL_MS, PROTOCOL_VERSION, type ServerMessage, type Status } from "../../../party/protocol";
import { ChatSession } from "./chat-session";
import { openRoomSocket } from "./connect";
import { browserStorage, cleanName, isColor, loadIdentity, saveIdentity } from "./identity";
import { canSend, connecting, type Link, wentOffline, withLastClose } from "./link-state";
import { Liveness } from "./liveness";
import type { RoomClientOptions } from "./options";
import { type KeyValueStore, PendingQueue, pendingKey } from "./pending";
import { RoomDoc } from "./room-doc";
import { RoomState } from "./room-state";
import { parseServerMessage } from "./server-message";
import type { Close, RoomSocket } from "./socket";
import type { TransportSelector } from "./transport";
import type { ChatLine, Identity, RoomClient, RoomSnapshot } from "./types";
import { roomSnapshot } from "./view";
import { watchBrowser } from "./wake";

export type { RoomClientOptions } from "./options";

/** Connects to a room and returns its client; call destroy() when done. */
export function createRoomClient(options: RoomClientOptions): RoomClient {
  return new Room(options);
}

class Room implements RoomClient {
  readonly roomId: string;
  private me: Identity;
  private status: Status;
  private readonly storage: KeyValueStore | null;
  private readonly ownsIdentity: boolean;
  private readonly chat: ChatSession;
  private readonly docs: RoomDoc;
  private readonly socket: RoomSocket;
  private readonly selector: TransportSelector;
  private tokenSource: RoomClientOptions["token"];
  private readonly room = new RoomState();
  private readonly listeners = new Set<() => void>();
  private readonly lines = new WeakMap<ChatMessage, ChatLine>();
  private readonly liveness = new Liveness(
    () => this.send({ type: "heartbeat" }),
    () => this.socket.restart(ClientCloseCode.Watchdog.code, ClientCloseCode.Watchdog.reason),
  );
  private readonly unwatch: () => void;

  private link: Link = { phase: "connecting", attempt: 0, offline: false };
  private generation = 0;
  private heartbeatMs = HEARTBEAT_INTERVAL_MS;
  private snapshot: RoomSnapshot;

  constructor(options: RoomClientOptions) {
    this.roomId = options.room;
    this.storage = options.storage === undefined ? browserStorage() : options.storage;
    this.ownsIdentity = options.identity === undefined;
    this.me = options.identity ?? loadIdentity(this.storage);
    this.status = options.status ?? "active";
    const random = options.random ?? Math.random;
    this.docs = new RoomDoc({ roomId: this.roomId, doc: options.doc, offlineCache: options.offlineCache !== false, send: (frame) => this.sendFrame(frame), onChange: () => this.emit() });
    this.docs.setUser(this.me);
    const pending = new PendingQueue(this.storage, pendingKey(this.roomId, this.me.clientId));
    this.chat = new ChatSession(pending, this.me.clientId, (msg) => this.send(msg), () => this.emit(), random);
    this.tokenSource = options.token;
    ({ socket: this.socket, selector: this.selector } = openRoomSocket(
      options,
      { onAttempt: (attempt) => this.setLink(connecting(this.link, attempt)), onOpen: this.onOpen, onMessage: this.onMessage, onClose: this.onClose },
      () => this.currentToken(),
    ));
    this.snapshot = this.build();
    this.unwatch = watchBrowser({ wake: () => this.wake(), offline: () => this.setLink(wentOffline(this.link)) });
    this.socket.start();
  }

  get identity(): Identity {
    return this.me;
  }

  get doc(): Y.Doc {
    return this.docs.doc;
  }

  get awareness(): Awareness {
    return this.docs.awareness;
  }

  getSnapshot = (): RoomSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  sendChat(text: string): void {
    if (this.gone) return;
    this.chat.write(text);
    this.emit();
  }

  retryChat(id: string): void {
    if (!this.gone && this.chat.retry(id)) this.emit();
  }

  loadOlder(): void {
    if (!this.gone && this.chat.loadOlder()) this.emit();
  }

  setIdentity(patch: Partial<Pick<Identity, "name" | "color">>): void {
    // Invalid values are dropped rather than thrown: this is usually fed straight from an input.
    const name = patch.name === undefined ? null : cleanName(patch.name);
    const color = patch.color !== undefined && isColor(patch.color) ? patch.color : null;
    if (name === null && color === null) return;
    this.me = { ...this.me, ...(name !== null ? { name } : {}), ...(color !== null ? { color } : {}) };
    if (this.ownsIdentity) saveIdentity(this.me, this.storage);
    this.docs.setUser(this.me);
    if (this.link.phase === "welcomed") this.send({ type: "presence", ...(name !== null ? { name } : {}), ...(color !== null ? { color } : {}) });
    this.emit();
  }

  setStatus(status: Status): void {
    if (status === this.status) return;
    this.status = status;
    if (this.link.phase === "welcomed") this.send({ type: "presence", status });
  }

  hasUnsyncedWork(): boolean {
    return !this.gone && (this.chat.pending.items.length > 0 || this.docs.unsynced);
  }

  reconnectNow(): void {
    if (this.gone || this.socket.retryNow()) return;
    this.socket.restart();
  }

  /** Hands the room a fresh token without reconnecting (rooms with access control). */
  refreshToken(token: string): void {
    if (this.gone) return;
    this.tokenSource = token;
    if (this.link.phase === "welcomed") this.send({ type: "auth", token });
  }

  destroy(): void {
    if (this.link.phase === "destroyed") return;
    this.selector.stop();
    // Tell the others our cursor is gone while the socket is still open.
    this.docs.leave();
    this.link = { phase: "destroyed" };
    this.liveness.stop();
    this.chat.destroy();
    this.unwatch();
    this.socket.close(ClientCloseCode.Leaving.code, ClientCloseCode.Leaving.reason);
    this.docs.destroy();
    this.emit();
    this.listeners.clear();
  }

  // ------------------------------------------------------------ socket events

  private readonly onOpen = (): void => {
    if (this.link.phase !== "connecting") return;
    const lastSeq = this.chat.helloLastSeq();
    this.setLink({ phase: "hello", attempt: this.link.attempt, generation: ++this.generation, resumed: lastSeq !== undefined, ...withLastClose(this.link) });
    const { key, name, color } = this.me;
    // hello must be the first frame: the server treats a socket that starts binary as plain Yjs.
    this.send({ type: "hello", v: PROTOCOL_VERSION, key, name, color, status: this.status, ...(lastSeq !== undefined ? { lastSeq } : {}) });
    this.liveness.start(this.heartbeatMs);
  };

  private readonly onMessage = (data: unknown): void => {
    if (this.gone) return;
    this.liveness.frame();
    if (typeof data === "string") {
      const msg = parseServerMessage(data);
      if (msg) this.dispatch(msg);
    } else if (data instanceof ArrayBuffer) this.docs.receive(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.docs.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  };

  private readonly onClose = (close: Close, retry: { attempt: number; at: number } | null): void => {
    this.chat.disconnected();
    this.liveness.stop();
    if (this.gone) return;
    this.docs.stop();
    if (retry === null) {
      this.setLink({ phase: "closed", close });
      return;
    }
    // Any close we will retry (network drops, 1013 "try again later", 4408, 4429, ...) is only a reconnect.
    const offline = typeof navigator !== "undefined" && navigator.onLine === false;
    this.setLink(
      retry.at <= Date.now()
        ? { phase: "connecting", attempt: retry.attempt, offline, lastClose: close }
        : { phase: "waiting", attempt: retry.attempt, at: retry.at, offline, lastClose: close },
    );
  };

  private dispatch(msg: ServerMessage): void {
    switch (msg.type) {
      case "welcome": {
        if (this.link.phase !== "hello") return;
        const { generation, resumed } = this.link;
        this.room.welcome(msg);
        this.link = { phase: "welcomed", generation, since: Date.now() };
        if (msg.heartbeatMs !== this.heartbeatMs) {
          this.heartbeatMs = msg.heartbeatMs;
          this.liveness.start(this.heartbeatMs);
        }
        this.chat.welcome(msg, generation, resumed);
        // Yjs starts only now: while the server is still reading the welcome's page,
        // a binary frame would make it take this socket for a plain Yjs one and drop the hello.
        this.docs.start();
        break;
      }
      case "presence":
        // Deltas that raced ahead of the welcome are already in its full list.
        if (this.link.phase !== "welcomed") return;
        this.room.presence(msg);
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
        this.socket.closedByRoom({ code: msg.code, reason: msg.reason });
        return;
      case "auth":
        this.room.auth(msg);
        break;
      default:
        assertNever(msg);
    }
    this.emit();
  }

  // ------------------------------------------------------------ sending

  private get gone(): boolean {
    return this.link.phase === "destroyed";
  }

  private send(msg: ClientMessage): boolean {
    return canSend(this.link) && this.socket.send(JSON.stringify(msg));
  }

  private sendFrame(frame: Uint8Array): boolean {
    return this.link.phase === "welcomed" && this.socket.send(frame as Uint8Array<ArrayBuffer>);
  }

  /** Network back or tab visible: retry now if waiting, or probe a connection that may be stale. */
  private wake(): void {
    if (this.gone || this.link.phase === "closed") return;
    if (canSend(this.link)) this.liveness.probe();
    else this.socket.retryNow();
  }

  // ------------------------------------------------------------ snapshot

  private setLink(link: Link): void {
    if (this.gone) return;
    this.link = link;
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
    return roomSnapshot({ link: this.link, selector: this.selector, room: this.room, chat: this.chat, docs: this.docs, ownClientId: this.me.clientId, lines: this.lines });
  }
}
