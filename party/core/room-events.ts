/**
 * What happened in a room, told to whoever listens (webhooks, the directory
 * reporter): the room started (its first connection after being empty) or
 * emptied, a person joined or left, a chat message was stored, the document
 * changed, the number of connections changed. The core emits; listeners run
 * synchronously and must not throw into it (a throw is logged and dropped),
 * and must never make the core wait: whatever is slow, they queue.
 */
import type { ChatMessage, Person } from "../protocol";

export type RoomEvent =
  | { type: "started" }
  | { type: "emptied" }
  | { type: "joined"; person: Person }
  | { type: "left"; clientId: string }
  | { type: "chat"; message: ChatMessage }
  | { type: "doc" }
  | { type: "size" };

export type RoomListener = (event: RoomEvent, now: number) => void;

/** The listeners of one room. */
export class RoomEvents {
  private readonly listeners: RoomListener[] = [];

  constructor(private readonly log?: (message: string, err?: unknown) => void) {}

  /** Adds a listener for every later event. */
  on(listener: RoomListener): void {
    this.listeners.push(listener);
  }

  emit(event: RoomEvent, now: number): void {
    for (const listener of this.listeners) {
      try {
        listener(event, now);
      } catch (err) {
        this.log?.(`partyroom: a listener of ${event.type} failed`, err);
      }
    }
  }
}
