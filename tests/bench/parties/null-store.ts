/**
 * The storing null room: the hibernating null room (null-hibernating.ts) plus
 * the chat log's durable write. Each chat frame is posted to partyroom's own
 * chat log (party/core/chat.ts) over the room's storage, with the option the
 * room uses on the runtime (the output gate holds the broadcast until the write
 * is durable), and then broadcast as it came. So it writes the same keys and
 * bytes per message as partyroom, and does nothing else: no sessions, presence,
 * document or unread accounting.
 *
 * The stability scenario runs it beside partyroom as the floor of workerd's
 * memory under a room that persists every message: whatever workerd's RSS
 * does under it, the platform's storage does, not the rest of partyroom.
 * Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import { ChatLog } from "../../../party/core/chat";
import type { RoomStorage } from "../../../party/core/ports";
import HibernatingNullRoom from "./null-hibernating";

export default class StoringNullRoom extends HibernatingNullRoom {
  /** Loaded once per instance: a wake reads the seq from storage, as the room does. */
  private chat: Promise<ChatLog> | null = null;

  override onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void | Promise<void> {
    if (typeof message !== "string" || !message.startsWith('{"type":"chat"')) return super.onMessage(message, sender);
    return this.store(message, sender);
  }

  private log(): Promise<ChatLog> {
    return (this.chat ??= ChatLog.load(this.room.storage as unknown as RoomStorage, { awaitWrites: false }));
  }

  private async store(message: string, sender: Party.Connection): Promise<void> {
    const frame = JSON.parse(message) as { id: string; text: string };
    await (await this.log()).post({ id: frame.id, clientId: sender.id, name: "bench", color: "#336699", text: frame.text }, Date.now());
    this.room.broadcast(message);
  }

  /** The stored seq, so the scenario can check that the floor wrote every message it was sent. */
  async onRequest(): Promise<Response> {
    return Response.json({ seq: (await this.log()).seq });
  }
}
