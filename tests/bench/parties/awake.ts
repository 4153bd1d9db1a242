/**
 * The `awake` bench party: the real room (party/server.ts) with hibernation
 * off, so the hibernation benchmark can put today's hosting next to the
 * hibernating one in the same run. Only the option differs; every hook is the
 * room's own. Bench-only: declared in tests/bench/partykit.json, never deployed.
 */
import type * as Party from "partykit/server";
import RoomHost from "../../../party/server";

export default class AwakeRoom extends RoomHost {
  override readonly options: Party.ServerOptions = { hibernate: false };
}
