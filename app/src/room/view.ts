/**
 * Turning the client's state into what the UI reads: chat lines and the people
 * list, and the snapshot. Pure functions; the room client calls them on every change.
 */
import type { ChatMessage, Person, PresenceDelta } from "../../../party/protocol";
import type { ChatSession } from "./chat-session";
import { connectionState, type Link } from "./link-state";
import type { PendingItem } from "./pending";
import type { RoomDoc } from "./room-doc";
import type { RoomState } from "./room-state";
import type { TransportSelector } from "./transport";
import type { ChatLine, RoomSnapshot } from "./types";

/** What a room client is made of, as far as its snapshot goes. */
export type SnapshotParts = {
  link: Link;
  selector: TransportSelector;
  room: RoomState;
  chat: ChatSession;
  docs: RoomDoc;
  ownClientId: string;
  lines: WeakMap<ChatMessage, ChatLine>;
};

/** The immutable view the UI reads (a new object on every change, for useSyncExternalStore). */
export function roomSnapshot({ link, selector, room, chat, docs, ownClientId, lines }: SnapshotParts): RoomSnapshot {
  return {
    connection: connectionState(link, selector.current),
    connectionId: room.connectionId,
    people: room.list(),
    peopleCount: room.count(),
    chat: chatLines(chat.log.messages, chat.pending.items, ownClientId, lines),
    hasOlder: chat.log.hasOlder,
    loadingOlder: chat.loadingOlder,
    lastSeq: chat.log.lastSeq,
    docSynced: docs.synced,
    docCached: docs.cached,
    docUnsynced: docs.unsynced,
    role: room.role,
    authExp: room.authExp,
  };
}

/**
 * Server messages, then this client's pending ones. Message lines are cached
 * per message object, so a UI can skip re-rendering rows that did not change.
 */
export function chatLines(messages: readonly ChatMessage[], pending: readonly PendingItem[], ownClientId: string, cache: WeakMap<ChatMessage, ChatLine>): ChatLine[] {
  const lines: ChatLine[] = [];
  for (const message of messages) {
    let line = cache.get(message);
    if (!line) cache.set(message, (line = { kind: "message", message, own: message.clientId === ownClientId }));
    lines.push(line);
  }
  for (const p of pending) {
    lines.push({ kind: "pending", id: p.id, text: p.text, state: p.state, createdAt: p.createdAt, ...(p.error !== undefined ? { error: p.error } : {}) });
  }
  return lines;
}

/** A new people map with a presence delta applied (joins and updates replace, leaves remove). */
export function applyPresence(people: ReadonlyMap<string, Person>, delta: PresenceDelta): Map<string, Person> {
  const next = new Map(people);
  for (const p of [...(delta.join ?? []), ...(delta.update ?? [])]) next.set(p.clientId, p);
  for (const id of delta.leave ?? []) next.delete(id);
  return next;
}
