/**
 * nginx in front (docs/nginx.conf, Debian's nginx): the room socket (chat,
 * presence, Yjs on one socket), a stock Yjs provider, and the HTTP API all
 * work through it, and clients behind nginx recover by themselves when nginx
 * goes away and comes back (a proxy restart drops every long-lived socket).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { DOC_TEXT_NAME } from "../../party/protocol";
import { startNginx, type Nginx } from "../helpers/nginx";
import { assertCleanLog, Clients, connected, docText, messagesOf, pendingOf, serverDoc, serverMessages } from "../helpers/room";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let shared: Awaited<ReturnType<typeof sharedServer>>;
let nginx: Nginx;
const clients = new Clients();

before(async () => {
  shared = await sharedServer();
  nginx = await startNginx(Number(new URL(shared.http).port));
});

after(async () => {
  clients.destroyAll();
  await nginx?.stop();
  await shared?.stop();
});

test("the HTTP API through nginx: state, post, history, typed errors, CORS preflight", async () => {
  const room = uniqueRoom("fault-nginx-http");
  const base = `${nginx.http}/parties/main/${room}`;
  const post = (body: string) => fetch(`${base}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const created = await post(JSON.stringify({ clientId: "via-nginx", id: "m1", text: "posted through nginx" }));
  assert.equal(created.status, 201);
  const again = await post(JSON.stringify({ clientId: "via-nginx", id: "m1", text: "posted through nginx" }));
  assert.equal(again.status, 200, "an idempotent repeat");
  assert.equal(((await again.json()) as { duplicate: boolean }).duplicate, true);
  const state = await fetch(base);
  assert.equal(state.status, 200);
  assert.equal(state.headers.get("cache-control"), "no-store");
  assert.equal(((await state.json()) as { seq: number }).seq, 1);
  const history = await fetch(`${base}/messages?after=0`);
  assert.deepEqual(((await history.json()) as { messages: { text: string }[] }).messages.map((m) => m.text), ["posted through nginx"]);
  // Errors come from the room, typed, not from nginx.
  const tooLarge = await post(JSON.stringify({ clientId: "via-nginx", id: "m2", text: "x".repeat(20_000) }));
  assert.equal(tooLarge.status, 413);
  assert.equal(((await tooLarge.json()) as { error: { code: string } }).error.code, "too_large");
  const badJson = await post("{nope");
  assert.equal(badJson.status, 400);
  assert.equal(((await badJson.json()) as { error: { code: string } }).error.code, "bad_json");
  const preflight = await fetch(`${base}/messages`, { method: "OPTIONS" });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  const doc = await fetch(`${base}/doc`);
  assert.equal(doc.status, 200);
});

test("room sockets through nginx: chat exactly once, presence, and the document with a stock Yjs provider", async () => {
  const room = uniqueRoom("fault-nginx-ws");
  const ada = clients.join(nginx.host, room, "Ada");
  const bo = clients.join(nginx.host, room, "Bo");
  const direct = clients.join(new URL(shared.http).host, room, "Cy");
  for (const [c, n] of [[ada, "Ada"], [bo, "Bo"], [direct, "Cy"]] as const) await connected(c, n);
  await until(() => ada.getSnapshot().people.length === 3, "Ada to see three people");
  for (let i = 1; i <= 5; i++) {
    ada.sendChat(`ada ${i}`);
    bo.sendChat(`bo ${i}`);
  }
  direct.sendChat("cy direct");
  await until(() => [ada, bo, direct].every((c) => messagesOf(c).length === 11 && pendingOf(c) === 0), "eleven messages everywhere");
  const stored = await serverMessages(shared.http, room);
  assertCleanLog(stored, "server", 1);
  for (const c of [ada, bo, direct]) assert.deepEqual(messagesOf(c), stored);

  // A stock y-websocket provider, also through nginx, edits alongside the room clients.
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://${nginx.host}/parties/main`, room, ydoc, { WebSocketPolyfill: WebSocket as never });
  try {
    await until(() => provider.synced && ada.getSnapshot().docSynced && bo.getSnapshot().docSynced, "every document to sync");
    ada.doc.getText(DOC_TEXT_NAME).insert(0, "[ada]");
    bo.doc.getText(DOC_TEXT_NAME).insert(0, "[bo]");
    ydoc.getText(DOC_TEXT_NAME).insert(0, "[stock]");
    const all = () => [docText(ada), docText(bo), docText(direct), ydoc.getText(DOC_TEXT_NAME).toString()];
    await until(() => new Set(all()).size === 1 && all()[0]!.length === "[ada][bo][stock]".length, `documents to converge: ${JSON.stringify(all())}`);
    assert.equal(await serverDoc(nginx.http, room), docText(ada), "the server's document, read through nginx, is the same");
  } finally {
    provider.destroy();
    ydoc.destroy();
  }
  clients.leave(ada, bo, direct);
});

test("nginx restarts: clients behind it reconnect by themselves, with what they wrote meanwhile", async (t) => {
  const room = uniqueRoom("fault-nginx-restart");
  const backoff = { baseMs: 100, capMs: 500, floorMs: 20 };
  const ada = clients.join(nginx.host, room, "Ada", { backoff });
  const bo = clients.join(nginx.host, room, "Bo", { backoff });
  await connected(ada, "Ada");
  await connected(bo, "Bo");
  ada.sendChat("before");
  await until(() => messagesOf(bo).length === 1, "Bo to see the first message");
  const port = nginx.port;
  await nginx.stop();
  await until(() => ada.getSnapshot().connection.state !== "connected" && bo.getSnapshot().connection.state !== "connected", "both to notice nginx is gone");
  ada.sendChat("while nginx is down");
  bo.doc.getText(DOC_TEXT_NAME).insert(0, "[bo offline]");
  nginx = await startNginx(Number(new URL(shared.http).port), port);
  const upAt = Date.now();
  await Promise.all([connected(ada, "Ada again"), connected(bo, "Bo again")]);
  t.diagnostic(`both reconnected within ${Date.now() - upAt} ms of nginx answering again`);
  await until(() => [ada, bo].every((c) => messagesOf(c).length === 2 && !c.hasUnsyncedWork() && docText(c) === "[bo offline]"), "the queued message and the offline edit everywhere");
  const stored = await serverMessages(shared.http, room);
  assertCleanLog(stored, "server", 1);
  assert.deepEqual(messagesOf(ada), stored);
  assert.deepEqual(messagesOf(bo), stored);
  assert.equal(await serverDoc(shared.http, room), "[bo offline]");
  clients.leave(ada, bo);
});
