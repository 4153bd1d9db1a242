/**
 * The room client (app/src/room) against a real `partykit dev`, through real
 * partysocket + `ws` sockets. Network faults are real too: a TCP proxy that
 * cuts or stalls connections, and a server killed with SIGKILL and restarted.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ChatMessage } from "../../party/protocol";
import { DOC_TEXT_NAME } from "../../party/protocol";
import type { KeyValueStore } from "../../app/src/room/pending";
import type { ConnectionState, RoomClient } from "../../app/src/room/types";
import { TcpProxy } from "../helpers/proxy";
import { Clients, recordStates, testIdentity } from "../helpers/room";
import { type DevServer, sharedServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let shared: { http: string; ws: string; stop(): Promise<void> };
let sharedHost: string;
const proxies = new Set<TcpProxy>();

before(async () => {
  shared = await sharedServer();
  sharedHost = new URL(shared.http).host;
});

after(async () => {
  clients.destroyAll();
  for (const p of proxies) await p.close();
  await shared.stop();
});

/** RoomClients in Node (`ws` sockets, no localStorage, fast backoff), destroyed after the file. */
const clients = new Clients();
const join = clients.join.bind(clients);
const leave = clients.leave.bind(clients);

async function startProxy(targetPort: number): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(targetPort);
  proxies.add(proxy);
  return proxy;
}

const messages = (c: RoomClient): ChatMessage[] => c.getSnapshot().chat.flatMap((l) => (l.kind === "message" ? [l.message] : []));
const pendingCount = (c: RoomClient) => c.getSnapshot().chat.filter((l) => l.kind === "pending").length;
const connected = (c: RoomClient, what: string, ms = 15_000) => until(() => c.getSnapshot().connection.state === "connected", `${what} to be connected`, ms);

/** Every seq once, ascending and contiguous; every client message id once. */
function assertCleanLog(list: ChatMessage[], label: string): void {
  const seqs = list.map((m) => m.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => (seqs[0] ?? 1) + i), `${label}: seqs ${seqs.join(",")} are not contiguous`);
  assert.equal(new Set(list.map((m) => `${m.clientId}/${m.id}`)).size, list.length, `${label}: a message id shows twice`);
}

type Retry = Extract<ConnectionState, { state: "reconnecting" }> & { at: number };

/** Each scheduled retry once (a retry is re-reported when its close reason arrives). */
function retriesOf(states: Array<ConnectionState & { at: number }>): Retry[] {
  const byTime = new Map<string, Retry>();
  for (const s of states) if (s.state === "reconnecting" && !byTime.has(`${s.attempt}@${s.nextRetryAt}`)) byTime.set(`${s.attempt}@${s.nextRetryAt}`, s);
  return [...byTime.values()];
}

test("chat goes both ways exactly once, in seq order", async () => {
  const room = uniqueRoom("client-chat");
  const a = join(sharedHost, room, "Alice");
  const b = join(sharedHost, room, "Bob");
  await connected(a, "Alice");
  await connected(b, "Bob");
  for (let i = 1; i <= 3; i++) {
    a.sendChat(`a${i}`);
    b.sendChat(`b${i}`);
  }
  for (const c of [a, b]) await until(() => messages(c).length === 6 && pendingCount(c) === 0, "six messages, none pending");
  const la = messages(a);
  const lb = messages(b);
  assertCleanLog(la, "Alice");
  assert.deepEqual(la, lb, "both see the same log");
  assert.deepEqual(la.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(la.filter((m) => m.clientId === a.identity.clientId).map((m) => m.text), ["a1", "a2", "a3"], "each sender's order is kept");
  assert.deepEqual(la.filter((m) => m.clientId === b.identity.clientId).map((m) => m.text), ["b1", "b2", "b3"]);
  assert.ok(a.getSnapshot().chat.every((l) => l.kind !== "message" || l.own === (l.message.clientId === a.identity.clientId)));
  assert.equal(a.getSnapshot().lastSeq, 6);

  // A newcomer gets the history in its welcome, and older pages on request.
  const c = join(sharedHost, room, "Carol");
  await until(() => messages(c).length === 6, "Carol to see the log");
  assert.equal(c.getSnapshot().hasOlder, false);
  leave(a, b, c);
});

test("document edits converge and cursors carry user name and colour", async () => {
  const room = uniqueRoom("client-doc");
  const a = join(sharedHost, room, "Alice");
  const b = join(sharedHost, room, "Bob");
  await until(() => a.getSnapshot().docSynced && b.getSnapshot().docSynced, "both documents to sync");
  a.doc.getText(DOC_TEXT_NAME).insert(0, "hello ");
  b.doc.getText(DOC_TEXT_NAME).insert(0, "world ");
  a.doc.getText(DOC_TEXT_NAME).insert(a.doc.getText(DOC_TEXT_NAME).length, "!");
  const text = (c: RoomClient) => c.doc.getText(DOC_TEXT_NAME).toString();
  await until(() => text(a).length === 13 && text(a) === text(b), `documents to converge ("${text(a)}" / "${text(b)}")`);
  const users = (c: RoomClient) => [...c.awareness.getStates().values()].map((s) => (s as { user?: { name: string } }).user?.name).sort();
  await until(() => users(b).join() === "Alice,Bob", "Bob to see both cursors");
  a.setIdentity({ name: "Alicia", color: "#00aa00" });
  await until(() => users(b).join() === "Alicia,Bob", "the renamed cursor");
  leave(a, b);
});

test("presence shows both people, follows renames and leaves", async () => {
  const room = uniqueRoom("client-presence");
  const a = join(sharedHost, room, "Alice");
  const b = join(sharedHost, room, "Bob");
  const names = (c: RoomClient) => c.getSnapshot().people.map((p) => p.name).sort().join();
  await until(() => names(a) === "Alice,Bob" && names(b) === "Alice,Bob", "both to see both");
  b.setIdentity({ name: "Robert" });
  b.setStatus("away");
  await until(() => a.getSnapshot().people.some((p) => p.name === "Robert" && p.status === "away"), "Alice to see Robert away");
  leave(b);
  await until(() => names(a) === "Alice", "Alice to see Bob leave");
  leave(a);
});

test("a terminal close code stops retrying", async () => {
  const c = join(sharedHost, "bad!room", "Eve");
  const states = recordStates(c);
  const closed = await until(() => {
    const s = c.getSnapshot().connection;
    return s.state === "closed" ? s : null;
  }, "the client to give up");
  assert.equal(closed.code, 4400);
  assert.equal(closed.reason, "invalid room id");
  // Absence of retries cannot be awaited: watch for three backoff windows, then check none started.
  const count = states.length;
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(states.length, count, `no retry after the terminal close: ${JSON.stringify(states.slice(count))}`);
  leave(c);
});

test("after an outage a client reconnects by itself with jittered backoff, gets what it missed once and delivers its queued message once", async (t) => {
  const room = uniqueRoom("client-outage");
  const proxy = await startProxy(Number(new URL(shared.http).port));
  // A small cap so several retries sit at it: without jitter those delays would all be equal.
  const b = join(proxy.host, room, "Bob", { backoff: { baseMs: 100, capMs: 200, floorMs: 20 } });
  const a = join(sharedHost, room, "Alice");
  await connected(a, "Alice");
  await connected(b, "Bob");
  a.sendChat("before the outage");
  await until(() => messages(b).length === 1, "Bob to see the first message");
  const states = recordStates(b);

  proxy.refuse();
  await until(() => b.getSnapshot().connection.state === "reconnecting", "Bob to notice the outage");
  b.sendChat("written during the outage");
  for (let i = 1; i <= 3; i++) a.sendChat(`missed ${i}`);
  await until(() => pendingCount(a) === 0, "Alice's messages to be acked");
  const cutAt = proxy.accepts.length;
  await until(() => proxy.accepts.length - cutAt >= 7, "seven refused reconnect attempts", 20_000);

  // The delays the client scheduled (reported in ConnectionState) and the gaps the proxy saw.
  const retries = retriesOf(states);
  const delays = retries.map((s) => s.nextRetryAt - s.at);
  const atCap = retries.filter((s) => s.attempt >= 2).map((s) => s.nextRetryAt - s.at);
  assert.ok(atCap.length >= 5, `retries at the cap: ${JSON.stringify(delays)}`);
  for (const d of delays) assert.ok(d >= 0 && d <= 200, `delay ${d} outside [0, cap]`);
  assert.ok(Math.max(...atCap) - Math.min(...atCap) > 20, `delays at the cap are not jittered: ${atCap.join(", ")}`);
  const attempts = proxy.accepts.slice(cutAt);
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
  t.diagnostic(`scheduled retry delays (ms): ${delays.join(", ")}; gaps seen by the proxy: ${gaps.join(", ")}`);
  assert.ok(Math.max(...gaps) - Math.min(...gaps) > 20, `observed gaps between attempts are not jittered: ${gaps.join(", ")}`);
  assert.ok(retries.some((s) => s.attempt >= 3), "attempt numbers grow while it keeps failing");

  proxy.forward();
  await connected(b, "Bob after the outage");
  await until(() => messages(b).length === 5 && pendingCount(b) === 0, "Bob to catch up and deliver");
  await until(() => messages(a).length === 5, "Alice to get Bob's queued message");
  for (const [c, label] of [[a, "Alice"], [b, "Bob"]] as const) {
    const list = messages(c);
    assertCleanLog(list, label);
    assert.equal(list.filter((m) => m.text === "written during the outage").length, 1, `${label}: queued message once`);
    for (let i = 1; i <= 3; i++) assert.equal(list.filter((m) => m.text === `missed ${i}`).length, 1, `${label}: missed ${i} once`);
  }
  assert.deepEqual(messages(a), messages(b));
  leave(a, b);
});

test("a burst larger than the server's rate limit arrives whole: every message once, in order", async () => {
  const room = uniqueRoom("client-burst");
  const a = join(sharedHost, room, "Alice");
  const b = join(sharedHost, room, "Bob");
  await connected(a, "Alice");
  await connected(b, "Bob");
  // The server's bucket holds 30 frames; the client paces itself below that, so none is refused out of order.
  for (let i = 1; i <= 40; i++) a.sendChat(`burst ${i}`);
  await until(() => messages(b).length === 40 && pendingCount(a) === 0, "all forty to arrive", 30_000);
  assertCleanLog(messages(b), "Bob");
  assert.deepEqual(messages(b).map((m) => m.text), Array.from({ length: 40 }, (_, i) => `burst ${i + 1}`));
  leave(a, b);
});

test("unsent messages survive a reload through storage and are delivered once", async () => {
  const room = uniqueRoom("client-reload");
  const data = new Map<string, string>();
  const storage: KeyValueStore = {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
  const identity = testIdentity("Rita", "#aa3300");
  // First page: the network is down, so the message can only be queued.
  const proxy = await startProxy(Number(new URL(shared.http).port));
  proxy.refuse();
  const first = join(proxy.host, room, "Rita", { identity, storage });
  first.sendChat("typed while offline");
  assert.equal(pendingCount(first), 1);
  leave(first);
  // Second page, same browser storage, network back.
  const second = join(sharedHost, room, "Rita", { identity, storage });
  assert.equal(pendingCount(second), 1, "the queue was restored");
  const watcher = join(sharedHost, room, "Walt");
  await until(() => pendingCount(second) === 0 && messages(watcher).length === 1, "the restored message to be delivered");
  assert.equal(messages(watcher)[0]!.text, "typed while offline");
  assert.equal(data.size, 0, "nothing left in storage once acked");
  leave(second, watcher);
});

test("server restart and a silent link: clients recover on their own", async (t) => {
  // A private server: it is killed, and its heartbeat is short so the watchdog acts fast.
  const server: DevServer = await startServer({ vars: { HEARTBEAT_INTERVAL_MS: "400" } });
  t.after(() => server.stop());
  const room = uniqueRoom("client-restart");
  const host = `127.0.0.1:${server.port}`;
  const a = join(host, room, "Alice");
  const b = join(host, room, "Bob");
  await connected(a, "Alice");
  await connected(b, "Bob");
  a.sendChat("one");
  await until(() => messages(b).length === 1, "Bob to see the first message");

  await t.test("kill -9 and restart", async () => {
    await server.kill9();
    await until(() => a.getSnapshot().connection.state !== "connected" && b.getSnapshot().connection.state !== "connected", "both to notice");
    b.sendChat("queued while the server is down");
    a.doc.getText(DOC_TEXT_NAME).insert(0, "offline edit");
    await server.restart();
    await connected(a, "Alice after the restart", 30_000);
    await connected(b, "Bob after the restart", 30_000);
    await until(() => messages(a).length === 2 && pendingCount(b) === 0, "the queued message to arrive");
    await until(() => b.doc.getText(DOC_TEXT_NAME).toString() === "offline edit", "the offline edit to reach Bob");
    a.sendChat("three");
    await until(() => messages(b).length === 3 && messages(a).length === 3, "a message after the restart");
    assertCleanLog(messages(a), "Alice");
    assert.deepEqual(messages(a), messages(b));
    assert.deepEqual(messages(b).map((m) => m.text), ["one", "queued while the server is down", "three"]);
  });

  await t.test("a stalled link is detected by the watchdog", async () => {
    const proxy = await startProxy(server.port);
    const c = join(proxy.host, room, "Carol");
    await connected(c, "Carol");
    const firstId = c.getSnapshot().connectionId;
    const states = recordStates(c);
    proxy.stall();
    // 2.5 heartbeats of 400 ms plus a check interval: well under 5 s.
    await until(() => c.getSnapshot().connection.state === "connected" && c.getSnapshot().connectionId !== firstId, "Carol to reconnect on her own", 5_000);
    const closedBy = states.find((s) => (s.state === "reconnecting" || s.state === "connecting") && s.lastClose !== undefined);
    assert.ok(closedBy && "lastClose" in closedBy, `a reconnect with its reason: ${JSON.stringify(states)}`);
    assert.equal(closedBy.lastClose?.code, 4000, "closed by the watchdog");
    a.sendChat("after the stall");
    await until(() => messages(c).some((m) => m.text === "after the stall"), "Carol to get new messages");
    assertCleanLog(messages(c), "Carol");
    leave(c);
  });
  leave(a, b);
});
