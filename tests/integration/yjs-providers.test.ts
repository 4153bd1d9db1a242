import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import YPartyKitProvider from "y-partykit/provider";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { DOC_TEXT_NAME } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";
import { dispose, synced } from "../helpers/yjs-peers";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("stock y-websocket and y-partykit providers on the room URL sync the document without errors", async () => {
  const room = uniqueRoom();
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  const host = server.http.replace(/^http:\/\//, "");
  // y-websocket: serverUrl + "/" + room. PartyKit's own provider: host + party.
  const a = new WebsocketProvider(`${server.ws}/parties/main`, room, docA, { WebSocketPolyfill: WebSocket as never });
  const b = new YPartyKitProvider(host, room, docB, { party: "main", WebSocketPolyfill: WebSocket as never });
  const errors: unknown[] = [];
  for (const p of [a, b]) p.on("connection-error", (e: unknown) => errors.push(e));
  try {
    await synced(a, "y-websocket to sync");
    await synced(b, "y-partykit provider to sync");
    docA.getText(DOC_TEXT_NAME).insert(0, "hello from y-websocket");
    await until(() => docB.getText(DOC_TEXT_NAME).toString() === "hello from y-websocket", "B to receive A's edit");
    docB.getText(DOC_TEXT_NAME).insert(0, ">> ");
    await until(() => docA.getText(DOC_TEXT_NAME).toString() === ">> hello from y-websocket", "A to receive B's edit");
    // Awareness flows between stock providers too.
    a.awareness.setLocalStateField("user", { name: "Ada" });
    await until(() => [...b.awareness.getStates().values()].some((s) => s.user?.name === "Ada"), "awareness to reach B");
    // The HTTP view of the document agrees, and a stock socket never got a text frame (it would have failed to decode).
    const res = await fetch(`${server.http}/parties/main/${room}/doc`);
    assert.equal(await res.text(), ">> hello from y-websocket");
    assert.deepEqual(errors, []);
    // A chatting app client in the same room does not disturb the stock providers.
    const { client } = await TestClient.join(server.ws, room);
    await client.chat("m1", "chat next to Yjs");
    docA.getText(DOC_TEXT_NAME).insert(0, "still ");
    await until(() => docB.getText(DOC_TEXT_NAME).toString().startsWith("still "), "edits after chat");
    const { body } = await getJson(server.http, `/parties/main/${room}`);
    assert.equal(body.internals.yjsSockets, 2);
    assert.equal(body.internals.appSockets, 1);
    await client.close();
  } finally {
    dispose(a);
    dispose(b);
  }
});

test("document storage stays bounded while the room is occupied", async () => {
  const room = uniqueRoom();
  const doc = new Y.Doc();
  const p = new WebsocketProvider(`${server.ws}/parties/main`, room, doc, { WebSocketPolyfill: WebSocket as never });
  try {
    await synced(p, "provider to sync");
    const text = doc.getText(DOC_TEXT_NAME);
    for (let i = 0; i < 1000; i++) text.insert(text.length, `${i % 10}`);
    const expected = text.toString();
    // Edits past the update rate are not applied at once: the room asks for them again (sync step 1) and the provider's step 2 brings them.
    await until(async () => (await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text())) === expected, "the server to have all 1000 edits", 20_000);
    const { body } = await getJson(server.http, `/parties/main/${room}`);
    assert.ok(body.doc.updatesReceived > 200 && body.doc.updatesReceived <= 1000, `updates stored (${body.doc.updatesReceived})`);
    assert.ok(body.doc.compactions >= 1, `compacted while occupied (${body.doc.compactions})`);
    await until(async () => (await getJson(server.http, `/parties/main/${room}`)).body.doc.storedUpdates <= 201, "stored updates to stay under the compaction threshold");
  } finally {
    dispose(p);
  }
});
