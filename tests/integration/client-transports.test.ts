/**
 * The room client on every transport, and its automatic choice: WebSocket
 * first, SSE then long polling when upgrades are refused (by a real proxy that
 * refuses them), and back to WebSocket once the block is lifted.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EventSource } from "eventsource";
import type { RoomClientOptions } from "../../app/src/room/client";
import type { TransportName } from "../../app/src/room/transport";
import type { RoomClient } from "../../app/src/room/types";
import { DOC_TEXT_NAME } from "../../party/protocol";
import { Clients } from "../helpers/room";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { UpgradeBlocker } from "../helpers/upgrade-blocker";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
const clients = new Clients();
before(async () => {
  server = await sharedServer();
});
after(async () => {
  clients.destroyAll();
  await server.stop();
});

/** A room client that can use every transport (Node has no EventSource of its own). */
const join = (host: string, room: string, name: string, extra: Partial<RoomClientOptions> = {}): RoomClient =>
  clients.join(host, room, name, { EventSource: EventSource as unknown as typeof globalThis.EventSource, offlineCache: false, backoff: { baseMs: 100, capMs: 500, floorMs: 20 }, ...extra });

const texts = (c: RoomClient) => c.getSnapshot().chat.flatMap((l) => (l.kind === "message" ? [l.message.text] : []));
const connectedOn = (c: RoomClient, t: TransportName) => {
  const s = c.getSnapshot().connection;
  return s.state === "connected" && s.transport === t;
};

for (const transport of ["sse", "poll"] as const) {
  test(`forced ${transport}: chat and the document work between it and a WebSocket client`, async () => {
    const host = new URL(server.http).host;
    const room = uniqueRoom();
    const http = join(host, room, "Http", { transport });
    const ws = join(host, room, "Socket");
    await until(() => connectedOn(http, transport) && connectedOn(ws, "websocket"), "both connected on their transports");
    http.sendChat(`hello over ${transport}`);
    ws.sendChat("hello over websocket");
    await until(() => texts(http).length === 2 && texts(ws).length === 2, "both messages on both");
    assert.deepEqual(texts(http), texts(ws));
    await until(() => http.getSnapshot().docSynced, "the document synced over HTTP");
    http.doc.getText(DOC_TEXT_NAME).insert(0, `${transport} edit; `);
    ws.doc.getText(DOC_TEXT_NAME).insert(0, "ws edit; ");
    await until(() => {
      const a = http.doc.getText(DOC_TEXT_NAME).toString();
      return a === ws.doc.getText(DOC_TEXT_NAME).toString() && a.includes(`${transport} edit; `) && a.includes("ws edit; ");
    }, "the documents to converge");
    await until(() => http.getSnapshot().people.length === 2, "presence across transports");
    http.destroy();
    ws.destroy();
  });
}

test("blocked upgrades: the client falls back to SSE then long polling, keeps working, and upgrades when the block lifts", async () => {
  const blocker = await UpgradeBlocker.start(Number(new URL(server.http).port));
  try {
    const room = uniqueRoom();
    const blocked = join(`127.0.0.1:${blocker.port}`, room, "Blocked", { probeEveryMs: 500 });
    const open = join(new URL(server.http).host, room, "Open");
    // Two refused upgrades in a row: SSE. SSE through this proxy works, so it stays there.
    await until(() => connectedOn(blocked, "sse"), "the blocked client on SSE", 20_000);
    assert.ok(blocker.refused >= 2);
    blocked.sendChat("from behind the proxy");
    open.sendChat("from the open network");
    await until(() => texts(blocked).length === 2 && texts(open).length === 2, "chat both ways");
    blocked.doc.getText(DOC_TEXT_NAME).insert(0, "typed while blocked");
    await until(() => open.doc.getText(DOC_TEXT_NAME).toString() === "typed while blocked", "the edit across");
    // The block lifts: the background probe finds WebSocket and the client moves back up.
    blocker.blocking = false;
    await until(() => connectedOn(blocked, "websocket"), "the upgrade back to WebSocket", 15_000);
    open.sendChat("after the upgrade");
    await until(() => texts(blocked).includes("after the upgrade"), "chat after the upgrade");
    assert.deepEqual(texts(blocked), texts(open), "nothing lost or doubled across the switches");
    blocked.destroy();
    open.destroy();
  } finally {
    await blocker.stop();
  }
});
