import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SignJWT } from "jose";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { mintToken } from "../../party/host/auth";
import { DOC_TEXT_NAME, type Role } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { openSession } from "../helpers/http-session";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

// A server with a signing secret and an origin allow-list: every connection needs a token.
const SECRET = "test-secret-0123456789";
let server: DevServer;
before(async () => {
  server = await startServer({ vars: { PARTYROOM_TOKEN_SECRET: SECRET, PARTYROOM_ALLOWED_ORIGINS: "http://allowed.example" } });
});
after(() => server.stop());

const token = (room: string, role: Role, extra: Partial<{ userId: string; name: string; ttlSeconds: number; roomPrefix: string }> = {}) =>
  mintToken(SECRET, { room, role, userId: extra.userId ?? `user-${role}`, ttlSeconds: extra.ttlSeconds ?? 600, ...(extra.name ? { name: extra.name } : {}) });

const closeOf = async (room: string, query: string) => (await TestClient.open(server.ws, room, query)).waitClose();

test("missing, forged, expired and wrong-room tokens are refused with documented codes, over sockets and HTTP", async () => {
  const room = uniqueRoom();
  assert.equal((await closeOf(room, "")).code, 4401, "missing");
  const forged = await mintToken("not-the-secret", { room, role: "edit", userId: "mallory", ttlSeconds: 600 });
  assert.equal((await closeOf(room, `?token=${forged}`)).code, 4401, "forged");
  const expired = await new SignJWT({ role: "edit", room }).setProtectedHeader({ alg: "HS256" }).setSubject("late").setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(new TextEncoder().encode(SECRET));
  const exp = await closeOf(room, `?token=${expired}`);
  assert.deepEqual([exp.code, exp.reason], [4401, "token expired"]);
  const other = await token("some-other-room", "edit");
  assert.equal((await closeOf(room, `?token=${other}`)).code, 4403, "wrong room");
  const status = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${server.http}/parties/main/${room}${path}`, init);
    return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
  };
  assert.deepEqual(await status(""), [401, "unauthorized"]);
  assert.deepEqual(await status(`?token=${forged}`), [401, "unauthorized"]);
  assert.deepEqual(await status("", { headers: { authorization: `Bearer ${other}` } }), [403, "forbidden"]);
  const good = await token(room, "view");
  assert.deepEqual(await status("", { headers: { authorization: `Bearer ${good}` } }), [200, undefined]);
  // A prefix token opens every room under the prefix.
  const prefixed = await mintToken(SECRET, { roomPrefix: "team-a-", role: "view", userId: "p1", ttlSeconds: 600 });
  const ok = await TestClient.open(server.ws, "team-a-standup", `?token=${prefixed}`);
  assert.equal((await ok.hello()).role, "view");
  await ok.close();
  assert.equal((await closeOf("team-b-standup", `?token=${prefixed}`)).code, 4403);
});

test("an origin not on the allow-list is refused; an allowed one and non-browser clients are served", async () => {
  const room = uniqueRoom();
  const t = await token(room, "view");
  const bad = await fetch(`${server.http}/parties/main/${room}?token=${t}`, { headers: { origin: "http://evil.example" } });
  assert.equal(bad.status, 403);
  const good = await fetch(`${server.http}/parties/main/${room}?token=${t}`, { headers: { origin: "http://allowed.example" } });
  assert.equal(good.status, 200);
  assert.equal(good.headers.get("access-control-allow-origin"), "http://allowed.example");
  const { default: WebSocket } = await import("ws");
  const ws = new WebSocket(`${server.ws}/parties/main/${room}?token=${t}`, { headers: { origin: "http://evil.example" } });
  const code = await new Promise<number>((resolve) => ws.on("close", (c) => resolve(c)));
  assert.equal(code, 4403);
});

/** A Yjs update frame inserting `text`, as a client would send it. */
function updateFrame(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(DOC_TEXT_NAME).insert(0, text);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(e);
}

test("roles are enforced by the server: view reads, chat also chats, edit also edits", async () => {
  const room = uniqueRoom();
  const join = async (role: Role) => {
    const client = await TestClient.open(server.ws, room, `?token=${await token(room, role, { name: `The ${role}er` })}`);
    const welcome = await client.hello({ clientId: "ignored-claim", name: "Claimed Name" });
    return { client, welcome };
  };
  const viewer = await join("view");
  assert.equal(viewer.welcome.role, "view");
  assert.ok(viewer.welcome.presence.some((p) => p.clientId === "user-view" && p.name === "The viewer"), "identity comes from the token");
  viewer.client.send({ type: "chat", id: "v1", text: "can I?" });
  assert.equal((await viewer.client.next("error", (e) => e.ref === "v1")).code, "forbidden");
  viewer.client.sendRaw(updateFrame("viewer was here"));
  assert.equal((await viewer.client.next("error", (e) => e.code === "forbidden" && e.ref === undefined)).code, "forbidden");

  const chatter = await join("chat");
  assert.equal((await chatter.client.chat("c1", "chatting")).seq, 1);
  chatter.client.sendRaw(updateFrame("chatter was here"));
  await chatter.client.next("error", (e) => e.code === "forbidden");

  const editor = await join("edit");
  editor.client.sendRaw(updateFrame("editor was here"));
  await until(async () => (await fetch(`${server.http}/parties/main/${room}/doc?token=${await token(room, "view")}`).then((r) => r.text())) === "editor was here", "the editor's change (and only it) in the document");
  assert.equal((await editor.client.chat("e1", "editing")).seq, 2);

  // HTTP follows the same roles.
  const post = async (role: Role) =>
    (await fetch(`${server.http}/parties/main/${room}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token(room, role)}` },
      body: JSON.stringify({ clientId: "x", id: `http-${role}`, text: "over http" }),
    })).status;
  assert.equal(await post("view"), 403);
  assert.equal(await post("chat"), 201);
  const noToken = await openSession(`${server.http}`, room, {}, "sse").catch((e: Error) => e.message);
  assert.match(String(noToken), /401/, "HTTP sessions need a token too");
  // A session belongs to its user: another user's valid token cannot use its id.
  const mine = await fetch(`${server.http}/parties/main/${room}/sessions?token=${await token(room, "chat", { userId: "owner" })}`, { method: "POST", body: "" });
  const { send } = (await mine.json()) as { send: string };
  const hijack = await fetch(`${server.http}${send}?token=${await token(room, "edit", { userId: "intruder" })}`, { method: "POST", body: '{"type":"heartbeat"}' });
  assert.equal(hijack.status, 404);
  const own = await fetch(`${server.http}${send}?token=${await token(room, "chat", { userId: "owner" })}`, { method: "POST", body: '{"type":"hello","v":1,"clientId":"x","name":"Owner","color":"#000000"}' });
  assert.equal(own.status, 202);
  const state = await getJson(server.http, `/parties/main/${room}?token=${await token(room, "view")}`);
  assert.deepEqual(state.body.messages.map((m: { clientId: string }) => m.clientId), ["user-chat", "user-edit", "user-chat"]);
  await Promise.all([viewer.client.close(), chatter.client.close(), editor.client.close()]);
});

test("a token is refreshed without reconnecting, and an expired connection is closed", async () => {
  const room = uniqueRoom();
  const client = await TestClient.open(server.ws, room, `?token=${await token(room, "view", { userId: "refresher", ttlSeconds: 3 })}`);
  const welcome = await client.hello();
  assert.ok(welcome.authExp && welcome.authExp - Date.now() < 4000);
  client.send({ type: "auth", token: await token(room, "edit", { userId: "refresher", ttlSeconds: 600 }) });
  const refreshed = await client.next("auth");
  assert.equal(refreshed.role, "edit");
  assert.equal((await client.chat("r1", "upgraded without reconnecting")).seq, 1);
  client.send({ type: "auth", token: await token(room, "edit", { userId: "someone-else" }) });
  assert.equal((await client.next("error", (e) => e.ref === "auth")).code, "forbidden");
  // A short token that is not refreshed ends the connection with 4401.
  const short = await TestClient.open(server.ws, room, `?token=${await token(room, "edit", { userId: "shorty", ttlSeconds: 2 })}`);
  await short.hello();
  const closed = await short.waitClose(8_000);
  assert.deepEqual([closed.code, closed.reason], [4401, "token expired"]);
  await client.close();
});
