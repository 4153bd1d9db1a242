/**
 * The Yjs floor on this platform: y-partykit's own server (`onConnect`), in
 * memory, as PartyKit's documentation sets it up. Stock y-websocket providers
 * speak to it as to partyroom. Whatever partyroom costs above it on the Yjs
 * fan-out is partyroom's own (roles, budgets, flow control, and storing every
 * update before anyone sees it, which this floor does not do); what it costs
 * above @y/websocket-server is the platform's. Bench-only
 * (tests/bench/partykit.json): the deployed project has no such party.
 */
import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

export default class YPartyKitFloor implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection): Promise<void> {
    return onConnect(conn, this.room);
  }
}
