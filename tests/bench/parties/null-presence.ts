/**
 * The announcing null room: the hibernating null room (null-hibernating.ts)
 * that also tells its sockets who is here, as any room with presence must. On
 * each connect it sends every other socket in the room one frame naming the
 * newcomer, and the newcomer one frame naming everyone already there, each
 * person as partyroom describes one (protocol/messages.ts `Person`). Nothing
 * else: no hello, no batching, no heartbeat TTL, no storage.
 *
 * It is the floor for connecting a crowd: the null rooms send a joiner one pong,
 * where a room that tells everyone who joined sends a frame to every socket
 * already in the room on every join, and in a room of a hundred that is most
 * of the platform's work while a crowd connects (docs/bench/profile-connect.md
 * counts partyroom's frames per hello). Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";
import HibernatingNullRoom from "./null-hibernating";

const person = (id: string) => ({ clientId: id, name: "bench", color: "#336699", status: "active", connections: 1, lastSeen: Date.now() });

export default class AnnouncingNullRoom extends HibernatingNullRoom {
  onConnect(connection: Party.Connection): void {
    const joined = JSON.stringify({ type: "presence", join: [person(connection.id)] });
    const here = [];
    for (const other of this.room.getConnections()) {
      if (other.id === connection.id) continue;
      other.send(joined);
      here.push(person(other.id));
    }
    connection.send(JSON.stringify({ type: "presence", join: here }));
  }
}
