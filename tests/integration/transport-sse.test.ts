import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { getJson, pub, TestClient } from "../helpers/client";
import { SseClient } from "../helpers/http-session";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

// Short timing so TTL and stream clean-up are observable in seconds.
let server: DevServer;
before(async () => {
  server = await startServer({ vars: { HEARTBEAT_INTERVAL_MS: "500", PRESENCE_TTL_MS: "1500", SSE_KEEPALIVE_MS: "500" } });
});
after(() => server.stop());

test("an SSE client chats with a WebSocket client: same order, acks, each message once", async () => {
  const room = uniqueRoom();
  const sse = await SseClient.open(server.http, room, { clientId: "sse0001", name: "Streamer" });
  const { client: ws } = await TestClient.join(server.ws, room, { clientId: "wsock01", name: "Socket" });
  // One presence for both transports (checked before the short test TTL can pass).
  const joined = await sse.next("presence", (d) => !!d.join?.some((p) => p.clientId === pub("wsock01")));
  assert.equal(joined.join?.[0]?.name, "Socket");
  const state = await getJson(server.http, `/parties/main/${room}`);
  assert.deepEqual(state.body.presence.map((p: { name: string }) => p.name).sort(), ["Socket", "Streamer"]);
  for (let i = 1; i <= 5; i++) {
    await sse.send({ type: "chat", id: `s${i}`, text: `from sse ${i}` });
    ws.send({ type: "chat", id: `w${i}`, text: `from ws ${i}` });
  }
  await until(() => sse.messages().filter((m) => m.type === "chat").length === 10 && ws.chats().length === 10, "ten chats on both");
  const sseChats = sse.messages().flatMap((m) => (m.type === "chat" ? [m.message] : []));
  assert.deepEqual(sseChats, ws.chats(), "both transports see one order");
  assert.deepEqual(sseChats.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const acks = sse.messages().filter((m) => m.type === "ack");
  assert.equal(acks.length, 5);
  sse.close();
  await ws.close();
});

test("a reconnecting EventSource resumes with Last-Event-ID and misses nothing", async () => {
  const room = uniqueRoom();
  const sse = await SseClient.open(server.http, room, { clientId: "sse0002" });
  const { client: ws } = await TestClient.join(server.ws, room);
  await ws.chat("m1", "one");
  await sse.next("chat", (m) => m.message.seq === 1);
  const resumeFrom = sse.lastId();
  sse.disconnect();
  for (let i = 2; i <= 6; i++) await ws.chat(`m${i}`, `while cut ${i}`);
  await sse.send({ type: "heartbeat" }); // stays present while the stream is down
  sse.connect(resumeFrom);
  await until(() => sse.messages().filter((m) => m.type === "chat").length === 6, "the missed chats");
  const seqs = sse.messages().flatMap((m) => (m.type === "chat" ? [m.message.seq] : []));
  assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6], "exactly the missed messages, in order, none twice");
  const ids = sse.received.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "event ids only grow");
  assert.equal(new Set(ids).size, ids.length, "no event delivered twice");
  sse.close();
  await ws.close();
});

test("heartbeats by POST keep an SSE client present; when they stop the TTL removes it and the stream is closed", async () => {
  const room = uniqueRoom();
  const { client: watcher } = await TestClient.join(server.ws, room, { clientId: "watch01" });
  const sse = await SseClient.open(server.http, room, { clientId: "sse0003", name: "Beating" });
  const beat = setInterval(() => void sse.send({ type: "heartbeat" }).catch(() => undefined), 400);
  const wbeat = setInterval(() => watcher.send({ type: "heartbeat" }), 400);
  try {
    // Present well past the TTL while beating.
    await sse.next("pong");
    const started = Date.now();
    await until(() => Date.now() - started > 2500, "time to pass beyond one TTL", 5000, 100);
    assert.equal(watcher.messages.some((m) => m.type === "presence" && m.leave?.includes(pub("sse0003"))), false);
    clearInterval(beat);
    const stopped = Date.now();
    const leave = await watcher.next("presence", (d) => !!d.leave?.includes(pub("sse0003")), 6_000);
    assert.ok(leave);
    assert.ok(Date.now() - stopped < 1500 + 1500, "gone within about one TTL");
    await until(() => sse.closed, "the stream's close event");
    assert.equal(sse.closed?.code, 4408);
    const gone = await fetch(`${server.http}${sse.opened.send}`, { method: "POST", body: '{"type":"heartbeat"}' });
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { error: { code: string } }).error.code, "session_gone");
  } finally {
    clearInterval(beat);
    clearInterval(wbeat);
  }
  sse.close();
  await watcher.close();
});

test("open streams are counted and cleaned up when clients go away", async () => {
  const room = uniqueRoom();
  const clients = await Promise.all([1, 2, 3].map((i) => SseClient.open(server.http, room, { clientId: `gone00${i}` })));
  const open = await getJson(server.http, `/parties/main/${room}`);
  assert.equal(open.body.internals.sseStreams, 3);
  assert.equal(open.body.internals.httpSessions, 3);
  for (const c of clients) c.disconnect();
  // Streams notice at the next keep-alive (500 ms here); sessions go at the TTL.
  await until(async () => (await getJson(server.http, `/parties/main/${room}`)).body.internals.sseStreams === 0, "streams to be released", 5_000);
  await until(async () => (await getJson(server.http, `/parties/main/${room}`)).body.internals.httpSessions === 0, "sessions to expire", 6_000);
  const state = await getJson(server.http, `/parties/main/${room}`);
  assert.equal(state.body.internals.presenceEntries, 0);
  assert.equal(state.body.internals.outboxEvents, 0);
});
