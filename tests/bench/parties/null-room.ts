/**
 * The null room: a PartyKit party that only re-broadcasts every frame it
 * receives to every socket in the room (the sender included). No parsing, no
 * storage, no presence. The benchmarks use it as the platform floor: whatever
 * partyroom costs above it is partyroom's own.
 *
 * Not hibernating: it is the floor of PartyKit's plain (awake) socket path,
 * which the `awake` party shares; the hibernation benchmark shows what the
 * hibernating path costs next to it. Bench-only (tests/bench/partykit.json):
 * the deployed project has no such party.
 */
import type * as Party from "partykit/server";

export default class NullRoom implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: false };

  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer | ArrayBufferView): void {
    this.room.broadcast(message);
  }
}
