import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CloseCode } from "../../party/protocol";
import { getJson, pub, TestClient } from "../helpers/client";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

// A server of its own with short timing, so a TTL sweep takes seconds, not half a minute.
const HEARTBEAT_MS = 500;
const TTL_MS = 1500;
let server: DevServer;
before(async () => {
  server = await startServer({ vars: { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_TTL_MS: String(TTL_MS), HELLO_TIMEOUT_MS: "1500" } });
});
after(() => server.stop());

test("joins and leaves go out as deltas; a closed socket leaves at once", async () => {
  const room = uniqueRoom();
  const { client: a, welcome } = await TestClient.join(server.ws, room, { clientId: "alice01", name: "Alice" });
  assert.equal(welcome.ttlMs, TTL_MS);
  const { client: b } = await TestClient.join(server.ws, room, { clientId: "bobby01", name: "Bob" });
  const join = await a.next("presence", (d) => !!d.join);
  assert.deepEqual(join.join?.map((p) => [p.name, p.connections, p.status]), [["Bob", 1, "active"]]);
  const started = Date.now();
  const closing = b.close(); // dev does not acknowledge a client close (PARTYKIT-NOTES 8): don't wait for it first
  const leave = await a.next("presence", (d) => !!d.leave);
  assert.deepEqual(leave.leave, [pub("bobby01")]);
  assert.ok(Date.now() - started < TTL_MS, "a close is not left to the TTL");
  await Promise.all([closing, a.close()]);
});

test("one person in two tabs is one person with two connections; updates reach everyone", async () => {
  const room = uniqueRoom();
  const { client: watcher } = await TestClient.join(server.ws, room, { clientId: "watch01", name: "Watcher" });
  const { client: tab1 } = await TestClient.join(server.ws, room, { clientId: "ada0001", name: "Ada" });
  const { client: tab2, welcome } = await TestClient.join(server.ws, room, { clientId: "ada0001", name: "Ada" });
  assert.equal(welcome.presence.find((p) => p.clientId === pub("ada0001"))?.connections, 2);
  assert.equal(welcome.presence.length, 2);
  // Two tabs joining close together may arrive as one merged join with two connections.
  await watcher.next("presence", (d) => [...(d.join ?? []), ...(d.update ?? [])].some((p) => p.clientId === pub("ada0001") && p.connections === 2));
  tab1.send({ type: "presence", name: "Ada Lovelace", color: "#aa00aa", status: "idle" });
  const renamed = await watcher.next("presence", (d) => d.update?.[0]?.name === "Ada Lovelace");
  assert.equal(renamed.update?.[0]?.color, "#aa00aa");
  assert.equal(renamed.update?.[0]?.status, "active", "the other tab is still active");
  await tab2.next("presence", (d) => d.update?.[0]?.name === "Ada Lovelace");
  await tab2.close();
  const down = await watcher.next("presence", (d) => d.update?.[0]?.connections === 1);
  assert.equal(down.update?.[0]?.status, "idle");
  await Promise.all([tab1.close(), watcher.close()]);
});

test("a socket that goes silent without closing is swept within the TTL and announced as gone", async () => {
  const room = uniqueRoom();
  const { client: live } = await TestClient.join(server.ws, room, { clientId: "live001", name: "Live" });
  const { client: ghost } = await TestClient.join(server.ws, room, { clientId: "ghost01", name: "Ghost" });
  await live.next("presence", (d) => !!d.join);
  // The live client keeps beating; the ghost says nothing and never closes.
  const beat = setInterval(() => live.send({ type: "heartbeat" }), HEARTBEAT_MS);
  try {
    const silentSince = Date.now();
    const leave = await live.next("presence", (d) => !!d.leave, TTL_MS + 5_000);
    const took = Date.now() - silentSince;
    assert.deepEqual(leave.leave, [pub("ghost01")]);
    assert.ok(took >= TTL_MS - 100, `not before the TTL (${took} ms)`);
    const closed = await ghost.waitClose();
    assert.equal(closed.code, CloseCode.HeartbeatTimeout.code);
    const { body } = await getJson(server.http, `/parties/main/${room}`);
    assert.deepEqual(body.presence.map((p: { clientId: string }) => p.clientId), [pub("live001")]);
    assert.equal(body.internals.presenceEntries, 1);
    const pong = await live.next("pong");
    assert.ok(pong.serverTime > 0);
  } finally {
    clearInterval(beat);
  }
  await live.close();
});

test("a socket that never says hello is closed after the hello timeout", async () => {
  const client = await TestClient.open(server.ws, uniqueRoom());
  const { code } = await client.waitClose(6_000);
  assert.equal(code, CloseCode.HelloTimeout.code);
});

test("a burst of joins reaches others as a few merged deltas, with the right final state", async () => {
  const room = uniqueRoom();
  const { client: watcher } = await TestClient.join(server.ws, room, { clientId: "watch02" });
  const joiners = await Promise.all(Array.from({ length: 30 }, (_, i) => TestClient.open(server.ws, room)));
  const before = watcher.messages.filter((m) => m.type === "presence").length;
  await Promise.all(joiners.map((c, i) => c.hello({ clientId: `burst${String(i).padStart(3, "0")}`, name: `Burst ${i}` })));
  await until(() => {
    const seen = new Set<string>();
    for (const m of watcher.messages) if (m.type === "presence") for (const p of m.join ?? []) seen.add(p.clientId);
    return seen.size === 30;
  }, "all 30 joins at the watcher");
  const frames = watcher.messages.filter((m) => m.type === "presence").length - before;
  assert.ok(frames < 30, `30 joins arrived in ${frames} presence frames`);
  const final = watcher.messages.filter((m) => m.type === "presence").flatMap((m) => (m.type === "presence" ? (m.join ?? []) : []));
  assert.ok(final.every((p) => p.connections === 1 && p.status === "active"));
  await Promise.all(joiners.map((c) => c.close()));
  await watcher.close();
});
