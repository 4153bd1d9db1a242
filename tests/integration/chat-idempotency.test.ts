import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { getJson, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("resending a client message id (retry, double click, after reconnect) stores one message and returns the original ack", async () => {
  const room = uniqueRoom();
  const { client: a } = await TestClient.join(server.ws, room, { clientId: "alice01" });
  const { client: watcher } = await TestClient.join(server.ws, room, { clientId: "watch01" });
  // Double click: the same id twice back to back.
  a.send({ type: "chat", id: "dup1", text: "hello" });
  a.send({ type: "chat", id: "dup1", text: "hello" });
  const acks = [await a.next("ack", (x) => x.id === "dup1"), await a.next("ack", (x) => x.id === "dup1")];
  assert.deepEqual(acks.map((x) => [x.seq, x.duplicate]), [[1, false], [1, true]]);
  assert.equal(acks[0]!.ts, acks[1]!.ts, "the original ack, not a new one");
  await a.close();
  // After a reconnect, a resend with different text still returns the original.
  const { client: again } = await TestClient.join(server.ws, room, { clientId: "alice01", lastSeq: 1 });
  const ack = await again.chat("dup1", "hello (resent)");
  assert.deepEqual([ack.seq, ack.duplicate], [1, true]);
  // The same id over HTTP is the same message too.
  const res = await fetch(`${server.http}/parties/main/${room}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientId: "alice01", id: "dup1", text: "hello" }),
  });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { duplicate: boolean }).duplicate, true);
  // A new id is a new message, and the watcher saw each message exactly once.
  await again.chat("dup2", "second");
  await until(() => watcher.chats().length === 2, "two broadcasts");
  assert.deepEqual(watcher.chats().map((m) => [m.seq, m.id]), [[1, "dup1"], [2, "dup2"]]);
  const { body } = await getJson(server.http, `/parties/main/${room}/messages?after=0`);
  assert.deepEqual(body.messages.map((m: { text: string }) => m.text), ["hello", "second"]);
  await Promise.all([again.close(), watcher.close()]);
});
