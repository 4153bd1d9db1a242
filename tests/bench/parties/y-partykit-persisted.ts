/**
 * The platform's floor for a cold document load: y-partykit's own server with
 * its document persisted to room storage (`persist: { mode: "snapshot" }`, the
 * mode y-partykit recommends). When its last client leaves, y-partykit compacts
 * the document into storage and drops it from memory, so the next client's
 * load reads storage into a new Y.Doc: what partyroom's cold load does, without
 * partyroom's own work. Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

export default class YPartyKitPersisted implements Party.Server {
  /** New with every instance: the cold load checks it changed, so the floor's loads were cold too. */
  private readonly instanceId = crypto.randomUUID();

  constructor(readonly room: Party.Room) {}

  /** The instance id, in the shape partyroom's room state gives it (`internals.instanceId`). */
  onRequest(): Response {
    return Response.json({ internals: { instanceId: this.instanceId } });
  }

  onConnect(conn: Party.Connection): Promise<void> {
    return onConnect(conn, this.room, { persist: { mode: "snapshot" } });
  }
}
