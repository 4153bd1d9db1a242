import assert from "node:assert/strict";
import { USER_LIMITS } from "../../party/protocol";
import { after, before, test } from "node:test";
import { getJson, seedMessages, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

const post = (room: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.http}/parties/main/${room}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

test("GET room state: presence, latest messages, seq and document stats", async () => {
  const room = uniqueRoom();
  const { client } = await TestClient.join(server.ws, room, { clientId: "alice01", name: "Alice" });
  await client.chat("m1", "hello");
  const { status, body } = await getJson(server.http, `/parties/main/${room}`);
  assert.equal(status, 200);
  assert.equal(body.room, room);
  assert.equal(body.seq, 1);
  assert.deepEqual(body.presence.map((p: { name: string }) => p.name), ["Alice"]);
  assert.deepEqual(body.messages.map((m: { text: string }) => m.text), ["hello"]);
  assert.equal(typeof body.doc.bytes, "number");
  assert.equal(typeof body.doc.storedUpdates, "number");
  assert.equal(body.internals.appSockets, 1);
  await client.close();
});

test("GET messages pages forwards and backwards; POST is idempotent and reaches sockets", async () => {
  const room = uniqueRoom();
  await seedMessages(server.http, room, 30);
  const fwd = await getJson(server.http, `/parties/main/${room}/messages?after=10&limit=5`);
  assert.deepEqual(fwd.body.messages.map((m: { seq: number }) => m.seq), [11, 12, 13, 14, 15]);
  assert.equal(fwd.body.hasMore, true);
  assert.equal(fwd.body.seq, 30);
  const back = await getJson(server.http, `/parties/main/${room}/messages?before=4`);
  assert.deepEqual(back.body.messages.map((m: { seq: number }) => m.seq), [1, 2, 3]);
  assert.equal(back.body.hasMore, false);

  const { client } = await TestClient.join(server.ws, room);
  const first = await post(room, { clientId: "httpuser", id: "h1", text: "from http", name: "Curl" });
  assert.equal(first.status, 201);
  const created = (await first.json()) as { message: { seq: number; name: string }; duplicate: boolean };
  assert.deepEqual([created.message.seq, created.message.name, created.duplicate], [31, "Curl", false]);
  const broadcast = await client.next("chat");
  assert.equal(broadcast.message.text, "from http");
  const again = await post(room, { clientId: "httpuser", id: "h1", text: "from http" });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { message: { seq: number } }).message.seq, 31);
  await client.close();
});

test("GET doc returns the document as plain text", async () => {
  const res = await fetch(`${server.http}/parties/main/${uniqueRoom()}/doc`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  assert.equal(await res.text(), "");
});

test("errors are JSON with stable codes: 400, 404, 405, 413, 429", async () => {
  const room = uniqueRoom();
  const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
  assert.deepEqual(await code(await post(room, "{not json")), [400, "bad_json"]);
  assert.deepEqual(await code(await post(room, { clientId: "u1", id: "x", text: 42 })), [400, "bad_message"]);
  assert.deepEqual(await code(await post(room, { clientId: "u1", id: "x", text: "y".repeat(2001) })), [400, "bad_message"]);
  assert.deepEqual(await code(await fetch(`${server.http}/parties/main/${room}/messages?after=-3`)), [400, "bad_message"]);
  assert.deepEqual(await code(await fetch(`${server.http}/parties/main/${room}/messages?limit=999`)), [400, "bad_message"]);
  assert.deepEqual(await code(await fetch(`${server.http}/parties/main/${room}/nope`)), [404, "not_found"]);
  const del = await fetch(`${server.http}/parties/main/${room}/messages`, { method: "DELETE" });
  assert.equal(del.headers.get("allow"), "GET, POST");
  assert.deepEqual(await code(del), [405, "method_not_allowed"]);
  assert.deepEqual(await code(await post(room, { clientId: "u1", id: "x", text: "z".repeat(20_000) })), [413, "too_large"]);
  const statuses: number[] = [];
  // The same user bucket as a socket's chat: the burst passes, then 429.
  for (let i = 0; i < USER_LIMITS.chatBurst + 10; i++) statuses.push((await post(room, { clientId: "flooder", id: `f${i}`, text: "spam" })).status);
  assert.ok(statuses.slice(0, USER_LIMITS.chatBurst - 5).every((s) => s === 201), "the burst is allowed");
  const limited = statuses.indexOf(429);
  assert.ok(limited >= USER_LIMITS.chatBurst - 5, `then 429 (${statuses.join(",")})`);
  const res = await post(room, { clientId: "flooder", id: "f99", text: "spam" });
  if (res.status === 429) assert.equal(res.headers.get("retry-after"), "1");
  // Nothing refused was stored.
  const { body } = await getJson(server.http, `/parties/main/${room}/messages?after=0&limit=200`);
  assert.ok(body.messages.every((m: { text: string }) => m.text === "spam"));
  assert.equal(body.messages.length, statuses.filter((s) => s === 201).length + (res.status === 201 ? 1 : 0));
});
