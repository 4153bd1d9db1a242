import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { seedMessages, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("a client that reconnects with lastSeq receives exactly the messages it missed, in order", async () => {
  const room = uniqueRoom();
  const { client: a } = await TestClient.join(server.ws, room, { clientId: "alice01" });
  const { client: b } = await TestClient.join(server.ws, room, { clientId: "bobby01" });
  for (let i = 1; i <= 3; i++) await a.chat(`a${i}`, `before ${i}`);
  const lastSeen = 3;
  b.terminate(); // gone without a goodbye
  for (let i = 4; i <= 10; i++) await a.chat(`a${i}`, `while away ${i}`);
  const { client: back, welcome } = await TestClient.join(server.ws, room, { clientId: "bobby01", lastSeq: lastSeen });
  assert.equal(welcome.seq, 10);
  assert.deepEqual(welcome.messages.map((m) => m.seq), [4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(welcome.messages.map((m) => m.text), [4, 5, 6, 7, 8, 9, 10].map((i) => `while away ${i}`));
  // Caught up: nothing is missed, and a lastSeq at the head gives an empty page.
  const { welcome: current } = await TestClient.join(server.ws, room, { lastSeq: 10 });
  assert.deepEqual(current.messages, []);
  await Promise.all([a.close(), back.close()]);
});

test("a long absence resumes in pages: welcome carries the first page, sync fetches the rest", async () => {
  const room = uniqueRoom();
  await seedMessages(server.http, room, 450);
  const { client, welcome } = await TestClient.join(server.ws, room, { lastSeq: 5 });
  assert.equal(welcome.seq, 450);
  assert.deepEqual([welcome.messages[0]?.seq, welcome.messages.at(-1)?.seq, welcome.messages.length], [6, 205, 200]);
  const seen = welcome.messages.map((m) => m.seq);
  let hasMore = true;
  while (hasMore) {
    client.send({ type: "sync", after: seen.at(-1)! });
    const page = await client.next("messages", (m) => m.for === "sync" && m.messages[0]?.seq === seen.at(-1)! + 1);
    seen.push(...page.messages.map((m) => m.seq));
    hasMore = page.hasMore;
  }
  assert.deepEqual(seen, Array.from({ length: 445 }, (_, i) => i + 6), "every missed message once, in order");
  await client.close();
});
