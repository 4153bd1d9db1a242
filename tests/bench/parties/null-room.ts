/**
 * The null room: a PartyKit party that only re-broadcasts every frame it
 * receives to every socket in the room (the sender included), except a
 * heartbeat, which it answers to its sender alone with a pong as partyroom
 * does. No parsing, no storage, no presence. The benchmarks use it as the platform floor: whatever
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

  onMessage(message: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void {
    // Answered, not broadcast: 10,000 heartbeating sockets would otherwise cost the floor a fan-out per beat, and the
    // idle-CPU floor is only like-for-like when it does per beat what partyroom must (receive one frame, send one).
    if (typeof message === "string" && message.startsWith('{"type":"heartbeat"')) return sender.send('{"type":"pong"}');
    this.room.broadcast(message);
  }
}
