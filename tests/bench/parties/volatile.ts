/**
 * The `volatile` bench party: the real room (party/server.ts) with its
 * storage in memory and hibernation off. Every write is taken at once, so no
 * frame waits on the runtime's output gate for a storage commit. Next to
 * `partyroom` in the Yjs fan-out it measures what the durable write before
 * each forward costs: the rule that nothing a client has seen can be lost to a
 * crash. It keeps nothing across a restart. Bench-only: declared in
 * tests/bench/partykit.json, never deployed.
 */
import type * as Party from "partykit/server";
import RoomHost from "../../../party/server";
import { MemoryStorage } from "../../helpers/memory-storage";

export default class VolatileRoom extends RoomHost {
  override readonly options: Party.ServerOptions = { hibernate: false };

  constructor(room: Party.Room) {
    const memory = new MemoryStorage();
    // Alarms stay the runtime's, so the room's deadlines (presence TTL, sweeps) fire as in the real room.
    memory.getAlarm = () => room.storage.getAlarm();
    memory.setAlarm = (at: number) => room.storage.setAlarm(at);
    super(
      new Proxy(room, {
        get: (target, key) => {
          if (key === "storage") return memory;
          const value = Reflect.get(target, key) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
    );
  }
}
