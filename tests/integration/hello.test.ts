import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CloseCode } from "../../party/protocol";
import { PROTOCOL_VERSION } from "../../party/protocol";
import { TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("hello is answered with a welcome: connection id, presence, latest messages, seq", async () => {
  const room = uniqueRoom();
  const { client: a } = await TestClient.join(server.ws, room, { clientId: "alice01", name: "Alice" });
  await a.chat("m1", "first");
  const { client: b, welcome } = await TestClient.join(server.ws, room, { clientId: "bobby01", name: "Bob", color: "#00aa00" });
  assert.equal(welcome.v, PROTOCOL_VERSION);
  assert.equal(welcome.roomId, room);
  assert.match(welcome.connectionId, /^[0-9a-f-]{36}$/);
  assert.equal(welcome.seq, 1);
  assert.deepEqual(welcome.messages.map((m) => m.text), ["first"]);
  assert.deepEqual(welcome.presence.map((p) => p.name).sort(), ["Alice", "Bob"]);
  assert.equal(welcome.heartbeatMs, 10_000);
  assert.equal(welcome.ttlMs, 30_000);
  // Connection ids are per socket, even for one client id in two tabs.
  const { welcome: again } = await TestClient.join(server.ws, room, { clientId: "bobby01", name: "Bob" });
  assert.notEqual(again.connectionId, welcome.connectionId);
  await Promise.all([a.close(), b.close()]);
});

test("an unsupported protocol version gets a clear close, not silence", async () => {
  const client = await TestClient.open(server.ws, uniqueRoom());
  client.send({ type: "hello", v: 99, clientId: "abc", name: "X", color: "#000000" });
  const { code, reason } = await client.waitClose();
  assert.equal(code, CloseCode.VersionMismatch.code);
  assert.match(reason, /unsupported protocol version 99/);
});

test("messages before hello are refused with a typed error and the socket stays usable", async () => {
  const client = await TestClient.open(server.ws, uniqueRoom());
  client.send({ type: "chat", id: "m1", text: "too early" });
  const err = await client.next("error");
  assert.equal(err.code, "hello_required");
  const welcome = await client.hello();
  assert.equal(welcome.seq, 0, "the early chat was not stored");
  await client.close();
});

test("an invalid room id is closed with 4400 and refused over HTTP with 400", async () => {
  const client = await TestClient.open(server.ws, "bad.room");
  const { code } = await client.waitClose();
  assert.equal(code, CloseCode.BadRoom.code);
  const res = await fetch(`${server.http}/parties/main/${"x".repeat(65)}`);
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, "bad_room");
});

test("a client's own close is answered by the room: it completes at once, not as 1006 after the client's timeout", async () => {
  const client = await TestClient.open(server.ws, uniqueRoom());
  await client.hello();
  const started = Date.now();
  client.ws.close(1000, "bye");
  const { code } = await client.waitClose(5_000);
  assert.equal(code, 1000, "a clean close, echoed by the room");
  assert.ok(Date.now() - started < 3_000, `closed in ${Date.now() - started} ms`);
});

test("chat text is limited in UTF-16 code units, as documented: 2,000 emoji (4,000 units) are refused", async () => {
  const { client } = await TestClient.join(server.ws, uniqueRoom());
  client.send({ type: "chat", id: "e1", text: "😀".repeat(2_000) });
  const err = await client.next("error", (e) => e.ref === "e1");
  assert.equal(err.code, "bad_message");
  assert.equal((await client.chat("e2", "😀".repeat(1_000))).seq, 1, "1,000 emoji are 2,000 units: accepted");
  await client.close();
});
