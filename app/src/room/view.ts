/**
 * Turning the client's state into what the UI reads: chat lines and the people
 * list. Pure functions; the room client calls them when building a snapshot.
 */
import type { ChatMessage, Person, PresenceDelta } from "../../../party/protocol";
import type { PendingItem } from "./pending";
import type { ChatLine } from "./types";

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
