import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pub, seedMessages, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("two clients sending at once see one order, with contiguous sequence numbers, each message once", async () => {
  const room = uniqueRoom();
  const { client: a } = await TestClient.join(server.ws, room, { clientId: "alice01", name: "Alice" });
  const { client: b } = await TestClient.join(server.ws, room, { clientId: "bobby01", name: "Bob" });
  const n = 25;
  for (let i = 0; i < n; i++) {
    a.send({ type: "chat", id: `a${i}`, text: `a says ${i}` });
    b.send({ type: "chat", id: `b${i}`, text: `b says ${i}` });
  }
  await until(() => a.chats().length >= 2 * n && b.chats().length >= 2 * n, "all broadcasts");
  const seqA = a.chats().map((m) => m.seq);
  const seqB = b.chats().map((m) => m.seq);
  assert.deepEqual(seqA, Array.from({ length: 2 * n }, (_, i) => i + 1), "contiguous and in order");
  assert.deepEqual(a.chats(), b.chats(), "both see the same messages in the same order");
  assert.equal(new Set(seqB).size, 2 * n, "no duplicates");
  // Each sender's own messages keep their send order.
  const fromA = a.chats().filter((m) => m.clientId === pub("alice01")).map((m) => m.id);
  assert.deepEqual(fromA, Array.from({ length: n }, (_, i) => `a${i}`));
  // Acks carry the same seq as the broadcast.
  const acks = a.messages.flatMap((m) => (m.type === "ack" ? [m] : []));
  assert.equal(acks.length, n);
  for (const ack of acks) assert.equal(a.chats().find((m) => m.id === ack.id && m.clientId === pub("alice01"))?.seq, ack.seq);
  // Sender names come from presence.
  assert.equal(a.chats().find((m) => m.clientId === pub("bobby01"))?.name, "Bob");
  await Promise.all([a.close(), b.close()]);
});

test("history pages older messages from storage", async () => {
  const room = uniqueRoom();
  await seedMessages(server.http, room, 260);
  const { client, welcome } = await TestClient.join(server.ws, room);
  assert.equal(welcome.seq, 260);
  assert.deepEqual(welcome.messages.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => i + 211), "welcome has the latest 50");
  client.send({ type: "history", before: 61, limit: 50 });
  const page = await client.next("messages", (m) => m.for === "history");
  assert.deepEqual(page.messages.map((m) => m.seq), Array.from({ length: 50 }, (_, i) => i + 11));
  assert.equal(page.hasMore, true);
  client.send({ type: "history", before: 11 });
  const first = await client.next("messages", (m) => m.for === "history");
  assert.deepEqual(first.messages.map((m) => m.seq), Array.from({ length: 10 }, (_, i) => i + 1));
  assert.equal(first.hasMore, false);
  await client.close();
});
