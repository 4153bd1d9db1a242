import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { DOC_TEXT_NAME } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

// Its own server: this file kills it.
let server: DevServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test("after kill -9 and a restart, chat history, sequence numbers and the document are all still there", async () => {
  const room = uniqueRoom();
  const { client } = await TestClient.join(server.ws, room, { clientId: "alice01" });
  const acked: number[] = [];
  for (let i = 1; i <= 20; i++) acked.push((await client.chat(`m${i}`, `message ${i}`)).seq);
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.ws}/parties/main`, room, doc, { WebSocketPolyfill: WebSocket as never });
  await until(() => provider.synced, "the provider to sync");
  const text = doc.getText(DOC_TEXT_NAME);
  for (let i = 0; i < 300; i++) text.insert(text.length, String(i % 10));
  const expected = text.toString();
  // Wait until the server holds every edit (its HTTP view is the server's doc), then crash it.
  await until(async () => (await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text())) === expected, "the server to hold all edits");
  const socket = provider.ws;
  provider.destroy();
  (socket as unknown as WebSocket | null)?.terminate();
  doc.destroy();
  client.terminate();

  await server.kill9();
  await server.restart();

  const history = await getJson(server.http, `/parties/main/${room}/messages?after=0&limit=200`);
  assert.deepEqual(history.body.messages.map((m: { seq: number }) => m.seq), acked, "every acknowledged message survived");
  assert.equal(history.body.seq, 20);
  const res = await fetch(`${server.http}/parties/main/${room}/doc`);
  assert.equal(await res.text(), expected, "every document edit survived");
  // The sequence continues; it never repeats.
  const { client: back, welcome } = await TestClient.join(server.ws, room, { clientId: "alice01", lastSeq: 20 });
  assert.equal(welcome.seq, 20);
  const ack = await back.chat("m21", "after the crash");
  assert.equal(ack.seq, 21);
  // A resend of a message from before the crash is still recognised.
  const dup = await back.chat("m5", "message 5");
  assert.deepEqual([dup.seq, dup.duplicate], [5, true]);
  await back.close();
});
