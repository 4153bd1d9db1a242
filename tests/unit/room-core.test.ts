/**
 * The room core's rules, on a fake clock with recording links: hello gating,
 * strikes, roles, identity, sweeps, token expiry, per-user limits, and the one
 * chat path shared by sockets, HTTP sessions and `POST …/messages`.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { clientIdFromKey, CloseCode, PROTOCOL_VERSION, RATE_LIMIT, USER_LIMITS } from "../../party/protocol";
import { handleHttp } from "../../party/host/http";
import { OPEN, room, settle, step1Frame, disposeRooms } from "../helpers/core";

after(disposeRooms);

const grant = (userId: string, role: "view" | "chat" | "edit" = "edit", exp = Number.POSITIVE_INFINITY) => ({ role, userId, exp });

test("a connection must say hello first; a second hello, a bad version and garbage get typed answers", async () => {
  const h = await room();
  const a = h.connect();
  await h.send(a, { type: "chat", id: "m1", text: "too early" });
  assert.deepEqual(a.of("error").map((e) => [e.code, e.ref]), [["hello_required", "chat"]]);
  await h.send(a, "{nope");
  assert.equal(a.of("error")[1]?.code, "bad_json");
  await h.send(a, { type: "hello", v: PROTOCOL_VERSION, clientId: "ada", name: "Ada", color: "#112233" });
  const welcome = a.of("welcome")[0]!;
  assert.equal(welcome.clientId, clientIdFromKey("ada"), "the public id is derived from what the client sent");
  await h.send(a, { type: "hello", v: PROTOCOL_VERSION, clientId: "ada", name: "Ada", color: "#112233" });
  assert.equal(a.of("error").at(-1)?.code, "already_hello");
  const old = h.connect();
  await h.send(old, { type: "hello", v: 99, clientId: "bob", name: "Bob", color: "#112233" });
  assert.equal(old.closeCode, CloseCode.VersionMismatch.code);
  assert.match(old.closed!.reason, /99; this room speaks 1/);
  assert.deepEqual(old.of("close").map((c) => c.code), [CloseCode.VersionMismatch.code], "told before the close");
});

test("a connection whose first frame is binary is a Yjs peer and is never sent text, even when it sends text", async () => {
  const h = await room();
  const y = h.connect();
  await h.binary(y, step1Frame());
  await h.send(y, { type: "hello", v: 1, clientId: "x", name: "X", color: "#112233" });
  assert.equal(y.messages.length, 0);
  assert.ok(y.binary.length >= 2, "step 1 and the step 2 reply");
  assert.equal(y.closed, null);
});

test("more than RATE_LIMIT.strikes refused frames in the window close the connection 4429", async () => {
  const h = await room();
  const a = await h.join("ada");
  for (let i = 0; i < RATE_LIMIT.strikes; i++) await h.send(a, { type: "bogus" });
  assert.equal(a.closed, null, "at the limit: still open");
  await h.send(a, { type: "bogus" });
  assert.equal(a.closeCode, CloseCode.Abuse.code);
});

test("roles: a view connection cannot chat or edit; a chat connection cannot edit", async () => {
  const h = await room();
  const v = await h.join("v", {}, grant("viewer", "view"));
  await h.send(v, { type: "chat", id: "m1", text: "hi" });
  assert.deepEqual(v.of("error").map((e) => [e.code, e.ref]), [["forbidden", "m1"]]);
  assert.equal(h.core.chat.seq, 0);
  const { updateFrame } = await import("../helpers/core");
  const c = await h.join("c", {}, grant("chatter", "chat"));
  await h.binary(c, updateFrame("not allowed"));
  assert.equal(c.of("error").at(-1)?.code, "forbidden");
  assert.equal(h.core.doc!.store.doc.getText("content").toString(), "");
});

test("identity: a hello naming someone else's public id does not become them; with a token the token's user is who you are", async () => {
  const h = await room();
  const ada = await h.join("ada-secret");
  const adaId = ada.of("welcome")[0]!.clientId!;
  const thief = await h.join(adaId);
  assert.notEqual(thief.of("welcome")[0]!.clientId, adaId);
  assert.equal(h.core.presence.person(adaId)?.connections, 1, "Ada is still one connection");
  const keyed = await h.join("ignored", { key: "k".repeat(30) });
  assert.equal(keyed.of("welcome")[0]!.clientId, clientIdFromKey("k".repeat(30)));
  const tok = await h.join("whatever", {}, grant("user-7"));
  assert.equal(tok.of("welcome")[0]!.clientId, "user-7");
});

test("presence: a silent connection is swept at its TTL with 4408 and its leave goes out once", async () => {
  const h = await room({ config: { heartbeatMs: 1_000, ttlMs: 3_000 } });
  const watcher = await h.join("watcher");
  const ghost = await h.join("ghost");
  for (let t = 0; t < 4; t++) {
    await h.wait(1_000);
    await h.send(watcher, { type: "heartbeat" });
  }
  assert.equal(ghost.closeCode, CloseCode.HeartbeatTimeout.code);
  const leaves = watcher.of("presence").filter((p) => p.leave?.includes(clientIdFromKey("ghost")));
  assert.equal(leaves.length, 1);
  assert.equal(watcher.closed, null, "heartbeats keep the watcher");
  assert.equal(h.core.presence.size, 1);
});

test("a pending connection is closed after the hello timeout; a token's expiry closes 4401 unless refreshed", async () => {
  const h = await room({
    config: { helloTimeoutMs: 2_000 },
    verifyToken: async (token) => (token === "good" ? grant("u1", "edit", Date.now() + 3_600_000) : token === "other" ? grant("u2") : { status: 401, reason: "invalid token" }),
  });
  const silent = h.connect();
  const exp = h.clock.t + 5_000;
  const a = await h.join("a", {}, grant("u1", "edit", exp));
  const b = await h.join("b", {}, grant("u1", "edit", exp));
  await h.wait(2_100);
  assert.equal(silent.closeCode, CloseCode.HelloTimeout.code);
  await h.send(b, { type: "auth", token: "other" });
  assert.equal(b.of("error").at(-1)?.code, "forbidden", "a refresh must be for the same user");
  await h.send(b, { type: "auth", token: "good" });
  assert.equal(b.of("auth")[0]?.role, "edit");
  for (let i = 0; i < 4; i++) {
    await h.wait(1_000);
    await h.send(a, { type: "heartbeat" });
    await h.send(b, { type: "heartbeat" });
  }
  assert.equal(a.closeCode, CloseCode.TokenExpired.code);
  assert.equal(b.closed, null, "the refreshed connection stays");
});

test("an open room answers auth with authExp 0", async () => {
  const h = await room();
  const a = await h.join("a");
  await h.send(a, { type: "auth", token: "anything" });
  assert.deepEqual(a.of("auth")[0], { type: "auth", role: "edit", authExp: 0 });
});

test("one chat path: a socket, an HTTP session and a POST get the same ack, the same idempotency and the same limits", async () => {
  const h = await room();
  const sock = await h.join("ada");
  await h.send(sock, { type: "chat", id: "m1", text: "over the socket" });
  const ack = sock.of("ack")[0]!;
  assert.equal(ack.seq, 1);
  // The same sender over HTTP: same id, same original message.
  const post = (body: unknown) => handleHttp(new Request("http://x/parties/main/unit/messages", { method: "POST", body: JSON.stringify(body) }), h.core);
  const again = await post({ clientId: "ada", id: "m1", text: "resent by POST" });
  assert.equal(again.status, 200);
  assert.deepEqual((await again.json()).message.seq, 1, "duplicate returns the original");
  const fresh = await post({ clientId: "ada", id: "m2", text: "by POST" });
  assert.equal(fresh.status, 201);
  assert.equal((await fresh.json()).message.clientId, clientIdFromKey("ada"));
  // And an HTTP session.
  const opened = await h.core.http.openSession(JSON.stringify({ type: "hello", v: 1, clientId: "ada", name: "Ada", color: "#112233" }), "poll", OPEN, "");
  assert.ok("id" in opened);
  const handle = h.core.http.handle(opened.id, OPEN)!;
  await handle.deliver(JSON.stringify({ type: "chat", id: "m2", text: "resent over a session" }));
  await settle();
  const events = handle.outbox.read(0).events.flatMap((e) => (typeof e.data === "string" ? [JSON.parse(e.data)] : []));
  assert.deepEqual(events.filter((e) => e.type === "ack").map((e) => [e.seq, e.duplicate]), [[2, true]]);
  assert.equal(h.core.chat.seq, 2);
  // Everyone on the socket saw each new message once.
  assert.deepEqual(sock.of("chat").map((c) => c.message.seq), [1, 2]);
});

test("chat limits are per user across every connection: more sockets buy no more throughput", async () => {
  const h = await room();
  const tabs = await Promise.all([1, 2, 3, 4].map(() => h.join("same-user")));
  let acked = 0;
  let limited = 0;
  for (let i = 0; i < USER_LIMITS.chatBurst + 20; i++) {
    const tab = tabs[i % tabs.length]!;
    await h.send(tab, { type: "chat", id: `m${i}`, text: `${i}` });
  }
  for (const t of tabs) {
    acked += t.of("ack").length;
    limited += t.of("error").filter((e) => e.code === "rate_limited").length;
  }
  assert.equal(acked, USER_LIMITS.chatBurst);
  assert.equal(limited, 20);
});

test("frames are limited per address across its sockets, and an address past its strikes loses each socket at its next strike", async () => {
  const h = await room();
  const address = "203.0.113.5";
  const socks = await Promise.all(Array.from({ length: 20 }, (_, i) => h.join(`many-${i}`, {}, OPEN, address)));
  // Each socket stays within its own rate (15 frames each); together they pass the address's burst.
  for (let i = 0; i < 15; i++) for (const s of socks) await h.send(s, { type: "history", before: 1 });
  const pages = socks.reduce((n, s) => n + s.of("messages").length, 0);
  assert.equal(pages, USER_LIMITS.addressFrameBurst, "the address's burst, no more: the fake clock stands still");
  // No socket reached its own 20 strikes, but the address passed its 60, and each socket struck again after that.
  assert.equal(socks.filter((s) => s.closeCode === CloseCode.Abuse.code).length, socks.length);
  // Another address is untouched.
  const other = await h.join("elsewhere", {}, OPEN, "198.51.100.9");
  await h.send(other, { type: "heartbeat" });
  assert.equal(other.of("pong").length, 1);
});

test("heartbeats are not limited per address: a room of many people behind one address keeps beating", async () => {
  const h = await room();
  const address = "203.0.113.6";
  const socks = await Promise.all(Array.from({ length: 20 }, (_, i) => h.join(`office-${i}`, {}, OPEN, address)));
  // 300 heartbeats, past the address's burst of text frames, each socket within its own rate.
  for (let i = 0; i < 15; i++) for (const s of socks) await h.send(s, { type: "heartbeat" });
  assert.equal(socks.reduce((n, s) => n + s.of("pong").length, 0), 15 * socks.length);
  assert.equal(socks.filter((s) => s.closeCode !== null && s.closeCode !== undefined).length, 0);
});

test("frames are limited per user across its tabs, and a user past its strikes loses each tab at its next strike", async () => {
  const h = await room();
  const tabs = await Promise.all(Array.from({ length: 8 }, () => h.join("one-user")));
  for (let i = 0; i < 14; i++) for (const t of tabs) await h.send(t, { type: "history", before: 1 });
  const pages = tabs.reduce((n, t) => n + t.of("messages").length, 0);
  assert.equal(pages, USER_LIMITS.frameBurst, "the user's burst, no more");
  assert.equal(tabs.filter((t) => t.closeCode === CloseCode.Abuse.code).length, tabs.length, `past ${USER_LIMITS.userStrikes} strikes every striking tab is closed`);
  const other = await h.join("someone-else");
  await h.send(other, { type: "heartbeat" });
  assert.equal(other.of("pong").length, 1, "another user is untouched");
});

test("per-user and per-room connection caps refuse at the door with their codes", async () => {
  const h = await room({ config: { maxConnectionsPerUser: 2, maxConnections: 4 } });
  await h.join("a", {}, grant("u1"));
  await h.join("b", {}, grant("u1"));
  const third = h.connect(grant("u1"));
  assert.equal(third.closeCode, CloseCode.TooManyConnections.code);
  // In open rooms the user is known at hello.
  await h.join("same");
  await h.join("same");
  const full = h.connect();
  assert.equal(full.closeCode, CloseCode.RoomFull.code);
});

test("in an open room an HTTP session past its user's cap is refused too_many_connections, not opened closed", async () => {
  const h = await room({ config: { maxConnectionsPerUser: 2 } });
  const hello = JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: "same-secret", name: "Ada", color: "#112233" });
  for (let i = 0; i < 2; i++) assert.ok("id" in (await h.core.http.openSession(hello, "poll", OPEN, "")));
  assert.deepEqual(await h.core.http.openSession(hello, "poll", OPEN, ""), { error: "too_many_connections", message: CloseCode.TooManyConnections.reason });
  assert.equal(h.core.http.size, 2);
});

test("a frame refused over the rate names what it was: the chat id, or the message type (a client retries its sync)", async () => {
  const h = await room();
  const tab = await h.join("reader");
  // The hello took one token: the rest of the burst goes on heartbeats.
  for (let i = 1; i < RATE_LIMIT.burst; i++) await h.send(tab, { type: "heartbeat" });
  await h.send(tab, { type: "sync", after: 0 });
  await h.send(tab, { type: "chat", id: "late1", text: "over" });
  assert.deepEqual(tab.of("error").map((e) => [e.code, e.ref]), [["rate_limited", "sync"], ["rate_limited", "late1"]]);
});

test("a heartbeat behind a frame still being handled waits its turn: its pong follows that frame's answer", async () => {
  const h = await room();
  const tab = await h.join("reader");
  await h.send(tab, { type: "chat", id: "m1", text: "one" });
  tab.clear();
  // The sync awaits its page from storage; the heartbeat arrives meanwhile.
  const sync = h.core.frame(tab, JSON.stringify({ type: "sync", after: 0 }));
  const beat = h.core.frame(tab, '{"type":"heartbeat","read":10}');
  await Promise.all([sync, beat]);
  assert.deepEqual(tab.messages.map((m) => m.type), ["messages", "pong"]);
  // With nothing queued, a heartbeat is answered at once, within the same call.
  tab.clear();
  void h.core.frame(tab, '{"type":"heartbeat","read":20}');
  assert.deepEqual(tab.messages.map((m) => m.type), ["pong"]);
});

test("heartbeats answered at once still count against the connection's rate", async () => {
  const h = await room();
  const tab = await h.join("beater");
  // The hello took one token.
  for (let i = 0; i < RATE_LIMIT.burst; i++) void h.core.frame(tab, '{"type":"heartbeat"}');
  assert.equal(tab.of("pong").length, RATE_LIMIT.burst - 1);
  assert.deepEqual(tab.of("error").map((e) => [e.code, e.ref]), [["rate_limited", "heartbeat"]]);
});
