/**
 * The hibernating null room: the null room (null-room.ts) with PartyKit's
 * hibernation on, so that partyroom, which hibernates, has a floor on the same
 * socket path (the runtime holds the sockets; the party is called per frame).
 * The plain null room, which holds every socket in the party, dies near
 * 10,000 sockets under `partykit dev` ("accept: Too many open files"), so at
 * that size it is no floor. Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import NullRoom from "./null-room";

export default class HibernatingNullRoom extends NullRoom {
  override readonly options: Party.ServerOptions = { hibernate: true };
}
