/**
 * Issue 15, the directory of rooms: rooms report when they start, change
 * size (debounced) and empty; `/parties/directory/rooms/list` lists them with
 * their counts for an admin only, and its metrics parse with a Prometheus
 * parser. Runs on the shared server, where other tests' rooms are listed too:
 * only this test's rooms are checked.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { REPORT_EVERY_MS } from "../../party/core/directory-report";
import type { DirectoryEntry, DirectoryList } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { SseClient } from "../helpers/http-session";
import { sample, scrape } from "../helpers/prometheus";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;

before(async () => {
  server = await sharedServer();
});
after(async () => {
  await server.stop();
});

const entry = async (room: string): Promise<DirectoryEntry | undefined> => (await getJson<DirectoryList>(server.http, "/parties/directory/rooms/list")).body.rooms.find((r) => r.room === room);

test("rooms appear when they start, follow their size, and show empty when everyone left", async () => {
  const a = uniqueRoom("dir-a");
  const b = uniqueRoom("dir-b");
  const inA = await Promise.all([TestClient.join(server.ws, a), TestClient.join(server.ws, a), TestClient.join(server.ws, a)]);
  const inB = await SseClient.open(server.http, b, { name: "Sse" });

  const first = await until(async () => {
    const [ea, eb] = [await entry(a), await entry(b)];
    return ea?.connections === 3 && eb?.connections === 1 ? { ea, eb } : null;
  }, "both rooms listed with their sizes", 10_000);
  assert.deepEqual(first.ea.byKind, { app: 3 });
  assert.deepEqual(first.eb.byTransport, { sse: 1 });
  assert.ok(first.ea.startedAt !== null && first.ea.startedAt <= first.ea.reportedAt);

  const metrics = await scrape(`${server.http}/parties/directory/rooms/metrics`);
  assert.equal(sample(metrics, "partyroom_directory_room_connections", { room: a }), 3);
  assert.equal(sample(metrics, "partyroom_directory_room_connections", { room: b }), 1);
  assert.ok((sample(metrics, "partyroom_directory_rooms", { state: "active" }) ?? 0) >= 2);
  assert.ok((sample(metrics, "partyroom_directory_reports_total") ?? 0) >= 2);

  // One leaves: the size follows (within the debounce window).
  await inA[0]!.client.close();
  await until(async () => (await entry(a))?.connections === 2, "room A to shrink to 2", 10_000);

  for (const c of inA.slice(1)) await c.client.close();
  inB.close();
  const emptied = await until(async () => {
    const e = await entry(a);
    return e?.connections === 0 && e.state === "emptied" ? e : null;
  }, "room A to be listed as emptied", 10_000);
  assert.equal(emptied.startedAt, null);
});

test("a room's start is reported when its first window closes, although nothing else happens in it", async () => {
  // One raw socket that sends nothing after its open: no later event of this room runs, so the start (reported a
  // window after it, core/directory-report.ts) goes out from the window's job, run by the storage alarm, or never.
  const room = uniqueRoom("dir-silent");
  const startedAfter = Date.now();
  const socket = new WebSocket(`${server.ws}/parties/main/${room}`);
  try {
    await withTimeout(once(socket, "open"), 10_000, "the silent socket to open");
    const listed = await until(async () => {
      const e = await entry(room);
      return e?.connections === 1 ? e : null;
    }, "the silent socket's room listed with 1 connection", 10_000);
    assert.equal(listed.state, "started");
    assert.ok(listed.startedAt !== null && listed.startedAt >= startedAfter, "listed with when it started");
    assert.ok(listed.reportedAt - listed.startedAt >= REPORT_EVERY_MS, `reported ${listed.reportedAt - listed.startedAt} ms after the start, not at it`);
  } finally {
    socket.close();
  }
});

test("the directory answers only an admin, and only GET", async () => {
  for (const path of ["/parties/directory/rooms/list", "/parties/directory/rooms/metrics"]) {
    const res = await fetch(`${server.http}${path}`);
    assert.equal(res.status, 401, path);
    await res.body?.cancel();
  }
  const report = await fetch(`${server.http}/parties/directory/rooms/report`, { method: "POST", body: JSON.stringify({ room: "forged", connections: 99, reportedAt: Date.now() }) });
  assert.equal(report.status, 401, "nobody outside can report a room");
  await report.body?.cancel();
  const other = await fetch(`${server.http}/parties/directory/another/list`, { headers: { authorization: "Bearer x" } });
  assert.equal(other.status, 404, "the directory has one instance");
  await other.body?.cancel();
  assert.equal(await entry("forged"), undefined);
});
