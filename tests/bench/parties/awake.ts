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

  /** The room's HTTP routes live under /parties/main/<room> (PROTOCOL.md): answer them here too, e.g. the room state with its instance id. */
  override onRequest(req: Party.Request): Promise<Response> {
    const url = new URL(req.url);
    url.pathname = url.pathname.replace(/^\/parties\/awake\//, "/parties/main/");
    return super.onRequest(new Request(url, req as unknown as Request) as unknown as Party.Request);
  }
}
