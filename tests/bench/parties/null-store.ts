/**
 * The storing null room: the hibernating null room (null-hibernating.ts) plus
 * the chat log's durable write. For each chat frame it does what
 * party/core/chat.ts does to storage, and nothing else: one read of the
 * message's idempotency key, then one put of the message, that key and the
 * new seq, awaited before the frame is broadcast. So it writes the same keys
 * and about the same bytes per message as partyroom.
 *
 * The stability scenario runs it beside partyroom as the floor of workerd's
 * memory under a room that persists every message: whatever workerd's RSS
 * does under it, the platform's storage does, not partyroom's code.
 * Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import HibernatingNullRoom from "./null-hibernating";

const SEQ_KEY = "chat:seq";

export default class StoringNullRoom extends HibernatingNullRoom {
  /** Read once per instance (a wake starts from storage, as the chat log does). */
  private seq: Promise<number> | null = null;

  override onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void | Promise<void> {
    if (typeof message !== "string" || !message.startsWith('{"type":"chat"')) return super.onMessage(message, sender);
    return this.store(message, sender);
  }

  private async store(message: string, sender: Party.Connection): Promise<void> {
    const frame = JSON.parse(message) as { id: string; text: string };
    const storage = this.room.storage;
    // The seq is taken before the first await, so frames that overlap in their writes still get distinct, ordered seqs.
    const prev = (this.seq ??= storage.get<number>(SEQ_KEY).then((s) => s ?? 0));
    const next = prev.then((s) => s + 1);
    this.seq = next;
    const seq = await next;
    const idKey = `chat:id:${sender.id}:${frame.id}`;
    await storage.get<number>(idKey);
    const stored = { seq, id: frame.id, clientId: sender.id, name: "bench", color: "#336699", text: frame.text, ts: Date.now() };
    await storage.put({ [`chat:msg:${String(seq).padStart(12, "0")}`]: stored, [idKey]: seq, [SEQ_KEY]: seq });
    this.room.broadcast(message);
  }

  /** The stored seq, so the scenario can check that the floor wrote every message it was sent. */
  async onRequest(): Promise<Response> {
    return Response.json({ seq: (await this.room.storage.get<number>(SEQ_KEY)) ?? 0 });
  }
}
