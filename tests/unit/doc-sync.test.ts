import assert from "node:assert/strict";
import { test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { DocSync, MESSAGE_SYNC, type YjsPeer } from "../../party/doc-sync";

/** A client-side Y.Doc wired to a DocSync through in-memory frames (no sockets involved). */
function client(sync: DocSync) {
  const doc = new Y.Doc();
  const inbox: Uint8Array[] = [];
  const peer: YjsPeer = { sendBinary: (d) => inbox.push(d) };
  const deliver = () => {
    while (inbox.length) {
      const decoder = decoding.createDecoder(inbox.shift()!);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) continue;
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE_SYNC);
      syncProtocol.readSyncMessage(decoder, reply, doc, "server");
      if (encoding.length(reply) > 1) sync.receive(peer, encoding.toUint8Array(reply));
    }
  };
  doc.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin === "server") return;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, MESSAGE_SYNC);
    syncProtocol.writeUpdate(e, update);
    sync.receive(peer, encoding.toUint8Array(e));
  });
  return { doc, peer, deliver, inbox };
}

const flush = () => new Promise((r) => setImmediate(r));

test("two peers converge through the room doc, and updates are persisted before they go out", async () => {
  const roomDoc = new Y.Doc();
  const stored: Uint8Array[] = [];
  const sync = new DocSync(roomDoc, async (u) => {
    stored.push(u);
  });
  const a = client(sync);
  const b = client(sync);
  sync.addPeer(a.peer);
  sync.addPeer(b.peer);
  a.deliver();
  b.deliver();
  a.doc.getText("content").insert(0, "hello");
  assert.equal(b.inbox.length, 0, "nothing is broadcast before the store resolves");
  await flush();
  b.deliver();
  assert.equal(b.doc.getText("content").toString(), "hello");
  assert.equal(stored.length, 1);
  b.doc.getText("content").insert(5, " world");
  await flush();
  a.deliver();
  assert.equal(a.doc.getText("content").toString(), "hello world");
  sync.destroy();
});

test("garbage frames are refused without touching the document; read-only peers cannot write", () => {
  const roomDoc = new Y.Doc();
  roomDoc.getText("content").insert(0, "keep");
  const sync = new DocSync(roomDoc, async () => undefined);
  const peer: YjsPeer = { sendBinary: () => undefined };
  sync.addPeer(peer);
  for (const junk of [new Uint8Array([]), new Uint8Array([9]), new Uint8Array([0, 7, 1]), new Uint8Array([0, 2, 200, 1, 2])]) {
    assert.equal(sync.receive(peer, junk).ok, false);
  }
  const other = new Y.Doc();
  other.getText("content").insert(0, "evil ");
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(other));
  assert.equal(sync.receive(peer, encoding.toUint8Array(e), true).ok, true);
  assert.equal(roomDoc.getText("content").toString(), "keep");
  sync.destroy();
});
