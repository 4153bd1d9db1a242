/**
 * The hibernating null room: the null room (null-room.ts) with PartyKit's
 * hibernation on, so that partyroom, which hibernates, has a floor on the same
 * socket path (the runtime holds the sockets; the party is called per frame).
 * Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import NullRoom from "./null-room";

export default class HibernatingNullRoom extends NullRoom {
  override readonly options: Party.ServerOptions = { hibernate: true };
}
