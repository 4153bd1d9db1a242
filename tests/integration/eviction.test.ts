/**
 * Hibernation for real: `partykit dev` evicts a hibernating room after about
 * 10 s without events, and the next event builds a new instance from storage
 * and the connections' saved state. This file lets a room go idle until it is
 * evicted, proves the instance was rebuilt (its instance id changed), and then
 * checks that the room carries on as if nothing happened: no spurious leave or
 * join, the next chat seq, the same document for stock y-websocket and
 * y-partykit providers, SSE and long-poll sessions that resume (their outbox
 * restarted, so a fresh welcome), a connection that goes silent after the
 * eviction swept at its TTL, and a token that still expires on time.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import YPartyKitProvider from "y-partykit/provider";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { mintToken } from "../../party/host/auth";
import { CloseCode, DOC_TEXT_NAME } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { PollClient, SseClient } from "../helpers/http-session";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

const SECRET = "eviction-test-secret-0123456789";
// Heartbeats rarer than the ~10 s idle eviction, and a TTL long enough to outlive the idle stretch.
const HEARTBEAT_MS = 8_000;
const TTL_MS = 24_000;
/** Longer than partykit dev's idle eviction (~10 s) after the SSE stream notices its client left: time that has to pass with no event at all. */
const IDLE_MS = 15_000;
/** An open SSE request keeps a room awake until a write tells it the client left: keep-alives every 2 s. */
const KEEPALIVE_MS = 2_000;

let server: DevServer;
before(async () => {
  server = await startServer({ vars: { PARTYROOM_TOKEN_SECRET: SECRET, HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_TTL_MS: String(TTL_MS), SSE_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
});
after(() => server.stop());

const token = (room: string, userId: string, ttlSeconds = 3_600) => mintToken(SECRET, { room, role: "edit", userId, name: userId, ttlSeconds });
const state = async (room: string, t: string) => (await getJson(server.http, `/parties/main/${room}?token=${encodeURIComponent(t)}`)).body;
/** Starts of the room since it was created, as the inspector gives them (kept in storage). */
const wakeupsTotal = async (room: string) => (await getJson(server.http, `/parties/main/${room}/inspect`)).body.instance.wakeupsTotal as number;

test("an evicted room carries on as if nothing happened", async () => {
  const room = uniqueRoom("evict");
  const admin = await token(room, "observer");
  const join = async (user: string, ttlSeconds?: number) => {
    const client = await TestClient.open(server.ws, room, `?token=${encodeURIComponent(await token(room, user, ttlSeconds))}`);
    await client.hello({ clientId: user, name: user });
    return client;
  };
  const ada = await join("ada");
  const bob = await join("bob");
  const quiet = await join("quiet");
  const expiring = await join("expiring", 28);
  const expiresAt = Date.now() + 28_000;
  // Stock Yjs providers, with no awareness of their own (so they do not renew it every 15 s and keep the room awake).
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  const wsProvider = new WebsocketProvider(`${server.ws}/parties/main`, room, docA, { WebSocketPolyfill: WebSocket as never, params: { token: await token(room, "yws") } });
  const pkProvider = new YPartyKitProvider(server.http.replace(/^http:\/\//, ""), room, docB, { party: "main", WebSocketPolyfill: WebSocket as never, params: { token: await token(room, "ypk") } });
  wsProvider.awareness.setLocalState(null);
  pkProvider.awareness.setLocalState(null);
  const sse = await SseClient.open(server.http, room, { clientId: "sse" }, await token(room, "sse"));
  const poll = await PollClient.open(server.http, room, { clientId: "poll" }, 1, await token(room, "poll"));
  try {
    await until(() => (wsProvider as unknown as { synced: boolean }).synced && (pkProvider as unknown as { synced: boolean }).synced, "providers synced");
    docA.getText(DOC_TEXT_NAME).insert(0, "before the eviction. ");
    await until(() => docB.getText(DOC_TEXT_NAME).toString() === "before the eviction. ", "the edit at the other provider");
    await ada.chat("m1", "before");
    const before = await state(room, admin);
    const instance = before.internals.instanceId as string;
    const startsBefore = await wakeupsTotal(room);
    assert.equal(before.internals.appSockets, 6, "four sockets and two HTTP sessions said hello");
    // Nothing may reach the room now: HTTP readers stop, sockets stay open and silent.
    sse.disconnect();
    await poll.stop();
    const presenceBefore = [ada, bob].map((c) => c.messages.filter((m) => m.type === "presence").length);
    await new Promise((r) => setTimeout(r, IDLE_MS));

    // The next event wakes a new instance.
    const woken = await state(room, admin);
    assert.notEqual(woken.internals.instanceId, instance, "the room was evicted and rebuilt");
    assert.ok(Number(woken.internals.instanceStartedAt) > Number(before.internals.instanceStartedAt));
    // The new instance's wake timeline (what a cold load waits for): the host's steps, in order; no socket opened since.
    const steps = ["id", "core", "ops", "ready"].map((s) => woken.internals[`wake.${s}`]);
    assert.ok(steps.every((ms, i) => typeof ms === "number" && ms >= 0 && (i === 0 || ms >= steps[i - 1])), `the wake's steps in order: ${JSON.stringify(steps)}`);
    assert.equal(woken.internals["wake.connected"], undefined, "no socket opened since the wake");
    // The evicted instance stored its start after its first event had answered (host/clock.ts, afterReply): counted.
    assert.equal(await wakeupsTotal(room), startsBefore + 1, "the wake is counted on top of the stored count");
    assert.deepEqual(woken.presence.map((p: { clientId: string }) => p.clientId).sort(), ["ada", "bob", "expiring", "poll", "quiet", "sse"]);
    assert.equal(woken.seq, 1);

    const ack = await bob.chat("m2", "after");
    assert.equal(ack.seq, 2, "the next seq");
    assert.equal((await ada.next("chat", (m) => m.message.seq === 2)).message.text, "after");
    assert.deepEqual([ada, bob].map((c) => c.messages.filter((m) => m.type === "presence").length), presenceBefore, "nobody saw a leave or a join");

    docB.getText(DOC_TEXT_NAME).insert(docB.getText(DOC_TEXT_NAME).length, "after the eviction.");
    const expected = "before the eviction. after the eviction.";
    await until(() => docA.getText(DOC_TEXT_NAME).toString() === expected, "the edit reaches the other provider");
    await until(async () => (await fetch(`${server.http}/parties/main/${room}/doc?token=${encodeURIComponent(admin)}`).then((r) => r.text())) === expected, "the room's document");

    // HTTP sessions resume: their outbox restarted, so a fresh welcome, with the room as it is.
    sse.connect(sse.lastId());
    const sseWelcome = await sse.next("welcome", (w) => w.seq === 2);
    assert.equal(sseWelcome.presence.length, 6);
    poll.start(1);
    await poll.next("welcome", (w) => w.seq === 2);

    // Ada keeps beating; Quiet said one thing after the eviction and then nothing: swept at its TTL.
    const beat = setInterval(() => {
      ada.send({ type: "heartbeat" });
      bob.send({ type: "heartbeat" });
      if (expiring.closeCode === null) expiring.send({ type: "heartbeat" });
      void sse.send({ type: "heartbeat" }).catch(() => undefined);
      void poll.send({ type: "heartbeat" }).catch(() => undefined);
    }, HEARTBEAT_MS / 2);
    try {
      quiet.send({ type: "heartbeat" });
      const quietSince = Date.now();
      const closedExpiring = await expiring.waitClose(Math.max(0, expiresAt - Date.now()) + 5_000);
      assert.equal(closedExpiring.code, CloseCode.TokenExpired.code);
      assert.ok(Date.now() - expiresAt < 3_000, `the token expired on time (${Date.now() - expiresAt} ms late)`);
      const leave = await ada.next("presence", (d) => !!d.leave?.includes("quiet"), TTL_MS + 10_000);
      const took = Date.now() - quietSince;
      assert.ok(leave && took >= TTL_MS - 500 && took < TTL_MS + 3_000, `swept at its TTL (${took} ms)`);
      assert.equal((await quiet.waitClose()).code, CloseCode.HeartbeatTimeout.code);
    } finally {
      clearInterval(beat);
    }
  } finally {
    for (const p of [wsProvider, pkProvider] as unknown as { ws: WebSocket | null; destroy(): void }[]) {
      const socket = p.ws;
      p.destroy();
      socket?.terminate();
    }
    docA.destroy();
    docB.destroy();
    sse.close();
    await poll.stop();
    await Promise.all([ada, bob, quiet, expiring].map((c) => c.close()));
  }
});
