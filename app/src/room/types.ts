/**
 * The contract between the room client (app/src/room/client.ts) and the UI.
 * The UI only ever talks to a RoomClient; the client owns the socket.
 */
import type { Awareness } from "y-protocols/awareness";
import type * as Y from "yjs";
import type { ChatMessage, Person, Status } from "../../../party/protocol";

/** Connection state shown by the "Connection" status indicator. */
export type ConnectionState =
  /** `lastClose`: why the previous socket closed, when this attempt follows one. */
  | { state: "connecting"; attempt: number; transport: Transport; lastClose?: { code: number; reason: string } }
  | { state: "connected"; transport: Transport; since: number }
  | { state: "reconnecting"; attempt: number; nextRetryAt: number; transport: Transport; lastClose?: { code: number; reason: string } }
  | { state: "offline"; transport: Transport }
  /** A terminal close (bad room, version mismatch, refused): no more retries. */
  | { state: "closed"; code: number; reason: string; transport: Transport };

/** How the room is reached: WebSocket, or (when upgrades are blocked) SSE or long polling. */
export type Transport = "websocket" | "sse" | "poll";

/** A chat line as the UI shows it: server messages plus this tab's own unsent ones. */
export type ChatLine =
  | { kind: "message"; message: ChatMessage; own: boolean }
  | { kind: "pending"; id: string; text: string; state: "sending" | "failed"; error?: string; createdAt: number };

/**
 * Who this client is: `key` is its secret (kept in the browser, sent only in hello), `clientId` its public id,
 * derived from the key (party/protocol/identity.ts) or, with a token, the token's user.
 */
export type Identity = { key: string; clientId: string; name: string; color: string };

export type RoomSnapshot = {
  connection: ConnectionState;
  /** This socket's id from the last welcome (null before the first). */
  connectionId: string | null;
  /** The people the room lists (the longest present, LIMITS.presenceListed at most) and you. */
  people: Person[];
  /** How many people are here in all, listed or not. */
  peopleCount: number;
  /** Ordered by seq, no duplicates; pending own messages come after. */
  chat: ChatLine[];
  /** True while older history exists on the server. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Highest contiguous seq received. */
  lastSeq: number;
  /** True once the document has completed its first sync. */
  docSynced: boolean;
  /** What this connection may do (view: read only; chat: also chat; edit: everything). */
  role: "view" | "chat" | "edit";
  /** When the connection's token expires (ms since epoch), or null in open rooms. */
  authExp: number | null;
  /** True once the offline copy (IndexedDB) is loaded and had content (an empty cache is not a loaded document). */
  docCached: boolean;
  /** True while a local document edit is not known to be on the server. */
  docUnsynced: boolean;
};

export interface RoomClient {
  readonly roomId: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly identity: Identity;
  /** Current snapshot; a new object whenever anything changes (for useSyncExternalStore). */
  getSnapshot(): RoomSnapshot;
  subscribe(listener: () => void): () => void;
  /** Queues a message (kept until acked, resent with the same id after reconnects). */
  sendChat(text: string): void;
  /** Resends a failed message with its original id. */
  retryChat(id: string): void;
  loadOlder(): void;
  /** Changes name and/or colour for everyone (and the awareness cursor label). */
  setIdentity(patch: Partial<Pick<Identity, "name" | "color">>): void;
  setStatus(status: Status): void;
  /** True while something written here is not on the server yet: unacked chat, unconfirmed document edits. */
  hasUnsyncedWork(): boolean;
  /** Reconnects now (skips the backoff wait). */
  reconnectNow(): void;
  /** Hands the room a fresh token without reconnecting (rooms with access control). */
  refreshToken(token: string): void;
  destroy(): void;
}
