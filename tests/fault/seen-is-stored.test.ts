/**
 * Nothing another client has seen can be lost (issue 12): if a kill -9 comes
 * the instant a receiver gets a document update or a chat message, the room
 * must have it in storage when it comes back. The room forwards an update,
 * and broadcasts a chat message, only once it is stored (or, if that is ever
 * relaxed in favour of the runtime's output gates, only what the runtime
 * guarantees is durable). This test would catch a wrong answer either way:
 * the writes are made large (so they take time) and the kill is sent from
 * inside the receiver's message handler, before the next event-loop turn.
 * Its own server: this file kills it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { DOC_TEXT_NAME, YjsFrame } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { type DevServer, killGroup, startServer, uniqueRoom } from "../helpers/server";
import { withTimeout } from "../helpers/wait";

const ROUNDS = 6;

let server: DevServer;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

/** A sync update frame appending `text` to `doc`'s content. */
function append(doc: Y.Doc, text: string): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText(DOC_TEXT_NAME).insert(doc.getText(DOC_TEXT_NAME).length, text);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.sync);
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc, before));
  return encoding.toUint8Array(e);
}

test("what a receiver saw survives a kill -9 sent the instant it saw it", async () => {
  const room = uniqueRoom("seen");
  const writerDoc = new Y.Doc();
  for (let round = 0; round < ROUNDS; round++) {
    const { client: writer } = await TestClient.join(server.ws, room, { clientId: "writer" });
    const { client: receiver } = await TestClient.join(server.ws, room, { clientId: "receiver" });
    // Sync the writer's replica first, so its updates apply on top of what is stored.
    const chatFirst = round % 2 === 0;
    const tag = `[round-${round}-${Math.random().toString(36).slice(2, 10)}]`;
    const seen = new Promise<"doc" | "chat">((resolve) => {
      receiver.ws.on("message", (data, isBinary) => {
        const bytes = data as Buffer;
        const text = isBinary ? "" : bytes.toString();
        const sawDoc = isBinary && bytes.includes(Buffer.from(tag));
        const sawChat = !isBinary && text.startsWith('{"type":"chat"') && text.includes(tag);
        if (!sawDoc && !sawChat) return;
        // Now, from inside the handler: no chance for the room to finish anything it had not finished.
        killGroup(server.process(), "SIGKILL");
        resolve(sawDoc ? "doc" : "chat");
      });
    });
    if (chatFirst) writer.send({ type: "chat", id: `c${round}`, text: `${tag} ${"y".repeat(1_900)}` });
    else writer.sendRaw(append(writerDoc, `${tag}${"z".repeat(400_000)}`));
    const what = await withTimeout(seen, 15_000, `the receiver to see round ${round}`);
    await server.restart();
    if (what === "doc") {
      const text = await (await fetch(`${server.http}/parties/main/${room}/doc`)).text();
      assert.ok(text.includes(tag), `round ${round}: the update the receiver saw is in storage`);
    } else {
      const { body } = await getJson<{ messages: { text: string }[] }>(server.http, `/parties/main/${room}/messages?before=999999&limit=5`);
      assert.ok(body.messages.some((m) => m.text.startsWith(tag)), `round ${round}: the message the receiver saw is in storage`);
    }
    writer.terminate();
    receiver.terminate();
  }
});
