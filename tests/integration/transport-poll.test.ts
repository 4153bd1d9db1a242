import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { getJson, pub, TestClient } from "../helpers/client";
import { openSession, PollClient } from "../helpers/http-session";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("a poll returns at once when something newer exists, and holds otherwise until something arrives", async () => {
  const room = uniqueRoom();
  const { client: ws } = await TestClient.join(server.ws, room);
  const poller = new PollClient(server.http, await openSession(server.http, room, { clientId: "poll001" }, "poll"));
  // The welcome is already waiting: the first poll does not wait.
  let t = Date.now();
  const first = await poller.pollOnce(10);
  assert.ok(Date.now() - t < 1000, `answered at once (${Date.now() - t} ms)`);
  assert.equal(first.events[0] && (first.events[0].message as { type: string }).type, "welcome");
  // Drain what joining produced (presence from a burst is merged and may include this session's own join).
  for (let i = 0; i < 5 && (await poller.pollOnce(0.2)).events.length > 0; i++);
  // Nothing new: the poll holds until a message is published, then returns promptly.
  t = Date.now();
  const held = poller.pollOnce(10);
  setTimeout(() => void ws.chat("m1", "wake up"), 700);
  const woke = await held;
  const took = Date.now() - t;
  assert.ok(took >= 600 && took < 3000, `held, then answered when the message came (${took} ms)`);
  assert.ok(woke.events.some((e) => (e.message as { type?: string })?.type === "chat"));
  // Nothing at all: the poll ends when its wait ends, empty.
  t = Date.now();
  const empty = await poller.pollOnce(1);
  assert.deepEqual(empty.events, []);
  assert.ok(Date.now() - t >= 900);
  await ws.close();
});

test("a message published while no poll is open is delivered by the next poll at once, never held until a timeout", async () => {
  const room = uniqueRoom();
  const { client: ws } = await TestClient.join(server.ws, room);
  const poller = new PollClient(server.http, await openSession(server.http, room, { clientId: "poll002" }, "poll"));
  await poller.pollOnce(0);
  for (let round = 1; round <= 20; round++) {
    // Published between polls...
    await ws.chat(`m${round}`, `between polls ${round}`);
    const t = Date.now();
    const body = await poller.pollOnce(20);
    // ...and the next poll returns it immediately, not after its 20 s wait.
    assert.ok(Date.now() - t < 1000, `round ${round}: ${Date.now() - t} ms`);
    assert.ok(body.events.some((e) => (e.message as { message?: { seq: number } })?.message?.seq === round));
  }
  const chats = poller.messages().flatMap((m) => (m.type === "chat" ? [m.message.seq] : []));
  assert.deepEqual(chats, Array.from({ length: 20 }, (_, i) => i + 1), "all 20, in order, none twice");
  await ws.close();
});

test("a polling client chats, stays present by heartbeat POSTs, and its requests are counted", async () => {
  const room = uniqueRoom();
  const poller = await PollClient.open(server.http, room, { clientId: "poll003", name: "Poller" }, 5);
  const { client: ws } = await TestClient.join(server.ws, room, { clientId: "wsock03" });
  await poller.send({ type: "chat", id: "p1", text: "from a poller" });
  const got = await ws.next("chat");
  assert.equal(got.message.name, "Poller");
  await poller.next("ack", (a) => a.id === "p1");
  await until(async () => (await getJson(server.http, `/parties/main/${room}`)).body.internals.pendingPolls === 1, "a held poll to be counted");
  const stopping = poller.stop();
  await poller.send({ type: "heartbeat" }); // its pong ends the held poll
  await stopping;
  await until(async () => (await getJson(server.http, `/parties/main/${room}`)).body.internals.pendingPolls === 0, "no held polls");
  const del = await fetch(`${server.http}${poller.opened.send}`, { method: "DELETE" });
  assert.equal(del.status, 204);
  const left = await ws.next("presence", (d) => !!d.leave?.includes(pub("poll003")));
  assert.ok(left);
  const state = await getJson(server.http, `/parties/main/${room}`);
  assert.equal(state.body.internals.httpSessions, 0);
  await ws.close();
});
