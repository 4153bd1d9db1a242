/**
 * The Yjs document path of the room core, frame by frame: peers converge, an
 * update reaches other peers only once the store has taken it, the step 2
 * receipt waits for storage, garbage is refused, and a document over its
 * budget refuses the edit.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { COMPACT_AFTER_UPDATES, DocStore } from "../../party/core/doc-store";
import { DocSync } from "../../party/core/doc-sync";
import { BUDGETS, YjsFrame } from "../../party/protocol";
import { room, settle, step1Frame, updateFrame, disposeRooms } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";

after(disposeRooms);

/** A client Y.Doc that answers what the room sends it, like y-websocket does. */
function replica() {
  const doc = new Y.Doc();
  const read = (frames: Uint8Array[]): Uint8Array[] => {
    const replies: Uint8Array[] = [];
    for (const frame of frames) {
      const decoder = decoding.createDecoder(frame);
      if (decoding.readVarUint(decoder) !== YjsFrame.sync) continue;
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, YjsFrame.sync);
      syncProtocol.readSyncMessage(decoder, reply, doc, "room");
      if (encoding.length(reply) > 1) replies.push(encoding.toUint8Array(reply));
    }
    return replies;
  };
  return { doc, read, text: () => doc.getText("content").toString() };
}

test("an update is forwarded only once the store has it; the step 2 receipt waits for it too", async () => {
  let release: () => void = () => undefined;
  const stored: Uint8Array[] = [];
  const forwarded: Uint8Array[] = [];
  const sync = new DocSync(new Y.Doc(), (u) => new Promise<void>((r) => (release = () => (stored.push(u), r()))), {
    update: (frame) => forwarded.push(frame),
    awareness: () => undefined,
  });
  const writer = new Y.Doc();
  writer.getText("content").insert(0, "hello");
  sync.applyUpdate(Y.encodeStateAsUpdate(writer), "writer");
  let receipt = false;
  sync.whenStored(() => (receipt = true));
  await settle();
  assert.equal(forwarded.length, 0, "nothing is forwarded while the write is pending");
  assert.equal(receipt, false, "nor is a step 2 receipt sent");
  release();
  await settle();
  assert.equal(stored.length, 1);
  assert.equal(forwarded.length, 1);
  assert.equal(receipt, true);
  sync.destroy();
});

test("two peers converge through the room; a peer's own update is not echoed to it", async () => {
  const h = await room();
  const a = h.connect();
  const b = h.connect();
  const ra = replica();
  const rb = replica();
  await h.binary(a, step1Frame(ra.doc));
  await h.binary(b, step1Frame(rb.doc));
  for (const r of ra.read(a.binary)) await h.binary(a, r);
  for (const r of rb.read(b.binary)) await h.binary(b, r);
  a.clear();
  b.clear();
  const before = Y.encodeStateVector(ra.doc);
  ra.doc.getText("content").insert(0, "hello");
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.sync);
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(ra.doc, before));
  await h.binary(a, encoding.toUint8Array(e));
  rb.read(b.binary);
  assert.equal(rb.text(), "hello");
  assert.equal(a.binary.filter((f) => f[0] === YjsFrame.sync && f[1] === 2).length, 0, "not echoed to its sender");
  assert.equal(h.core.doc!.store.doc.getText("content").toString(), "hello");
});

test("garbage frames are refused without touching the document, as strikes", async () => {
  const h = await room();
  const y = h.connect();
  await h.binary(y, updateFrame("keep"));
  for (const junk of [new Uint8Array([9]), new Uint8Array([0, 7, 1]), new Uint8Array([0, 2, 200, 1, 2])]) await h.binary(y, junk);
  assert.equal(h.core.doc!.store.doc.getText("content").toString(), "keep");
  assert.equal(y.messages.length, 0, "a Yjs connection is never sent text");
  assert.equal(h.core.counters.refusals.get("bad_message"), 3);
});

test("an edit that would take the document past its budget is refused doc_too_large and not applied", async () => {
  const h = await room();
  const a = await h.join("writer");
  const doc = new Y.Doc();
  const chunk = "x".repeat(900 * 1024);
  await h.binary(a, updateFrame(chunk, doc));
  await h.binary(a, updateFrame(chunk, doc));
  assert.equal(a.of("error").length, 0, "under the budget");
  await h.binary(a, updateFrame(chunk, doc));
  const err = a.of("error").at(-1);
  assert.equal(err?.code, "doc_too_large");
  assert.ok(h.core.doc!.store.measure() <= BUDGETS.docBytes);
  assert.equal(h.core.doc!.store.doc.getText("content").length, 2 * chunk.length);
});

test("the document store keeps y-partykit's layout: y-partykit's loader reads what it stores and compacts, and it reads what y-partykit stored, with the clocks to go on from", async () => {
  const { MemoryStorage } = await import("../helpers/memory-storage");
  const storage = new MemoryStorage();
  const store = await DocStore.open(storage, "room-a");
  const writer = new Y.Doc();
  for (let i = 0; i < COMPACT_AFTER_UPDATES + 50; i++) {
    const before = Y.encodeStateVector(writer);
    writer.getText("content").insert(writer.getText("content").length, i % 10 === 0 ? "x".repeat(200_000) : `${i};`);
    const update = Y.encodeStateAsUpdate(writer, before);
    Y.applyUpdate(store.doc, update);
    await store.store(update);
  }
  // Before compaction: many updates, some of several chunks, read back in one list with their clocks.
  const uncompacted = await DocStore.open(storage, "room-a");
  assert.equal(uncompacted.doc.getText("content").toString(), writer.getText("content").toString());
  assert.equal((await uncompacted.stats()).storedUpdates, (await store.stats()).storedUpdates);
  await store.compact();
  const stats = await store.stats();
  assert.ok(stats.compactions >= 1 && stats.storedUpdates <= 2, `compacted (${JSON.stringify(stats)})`);
  assert.ok([...storage.data.values()].every((v) => !(v instanceof Uint8Array) || v.byteLength <= 128 * 1024), "no value over 128 KiB");
  const reloaded = await DocStore.open(storage, "room-a");
  assert.equal(reloaded.doc.getText("content").toString(), writer.getText("content").toString());
  const { YPartyKitStorage } = await import("y-partykit/storage");
  const layer = new YPartyKitStorage(storage as unknown as ConstructorParameters<typeof YPartyKitStorage>[0]);
  assert.equal((await layer.getYDoc("room-a")).getText("content").toString(), writer.getText("content").toString(), "y-partykit's own loader reads it");
  // A reloaded store goes on from the newest clock: an update stored after the reload is read after the snapshot.
  writer.getText("content").insert(0, "after reload;");
  const tail = Y.encodeStateAsUpdate(writer, Y.encodeStateVector(reloaded.doc));
  Y.applyUpdate(reloaded.doc, tail);
  await reloaded.store(tail);
  assert.equal((await DocStore.open(storage, "room-a")).doc.getText("content").toString(), writer.getText("content").toString());
  // And what y-partykit itself stored, the room reads.
  const theirs = new Y.Doc();
  for (const word of ["one ", "two ", "three"]) {
    const before = Y.encodeStateVector(theirs);
    theirs.getText("content").insert(theirs.getText("content").length, word);
    await layer.storeUpdate("room-c", Y.encodeStateAsUpdate(theirs, before));
  }
  assert.equal((await DocStore.open(storage, "room-c")).doc.getText("content").toString(), "one two three");
  const other = await DocStore.open(storage, "room-b");
  assert.equal(other.doc.getText("content").toString(), "", "documents of other names are apart");
});

test("when the room empties, the document's update log is compacted into one snapshot that a wake reads back whole", async () => {
  const h = await room();
  const writer = h.connect();
  const doc = new Y.Doc();
  for (let i = 0; i < 5; i++) await h.binary(writer, updateFrame(`edit ${i}; `, doc));
  const store = h.core.doc!.store;
  assert.equal((await store.stats()).storedUpdates, 5, "one stored update per edit while someone is in the room");
  const reader = h.connect();
  h.core.disconnect(writer);
  await settle();
  assert.equal((await store.stats()).compactions, 0, "not while the room still has someone");
  h.core.disconnect(reader);
  await settle();
  assert.equal((await store.stats()).storedUpdates, 1, "one snapshot once the room is empty");
  // A new instance on the same storage (a wake) reads the whole text from it.
  const woken = await room({ storage: h.storage });
  const loaded = await woken.core.loadDoc();
  assert.equal(loaded.store.doc.getText("content").toString(), doc.getText("content").toString());
  // Emptying again with nothing new stored writes nothing.
  woken.core.disconnect(woken.connect());
  await settle();
  assert.equal((await loaded.store.stats()).compactions, 0);
});

test("a failed document read is tried again by the next caller, not kept as the room's answer", async () => {
  const storage = new MemoryStorage();
  const seeded = await room({ storage });
  const writer = seeded.connect();
  await seeded.core.frame(writer, step1Frame());
  await seeded.core.frame(writer, updateFrame("kept text"));
  await settle();
  // A new instance whose document read fails once (a storage error).
  class FailingOnce extends MemoryStorage {
    failList = false;
    override async list<T>(o?: Parameters<MemoryStorage["list"]>[0]): Promise<Map<string, T>> {
      if (this.failList) {
        this.failList = false;
        throw new Error("storage read failed");
      }
      return super.list<T>(o);
    }
  }
  const flaky = new FailingOnce();
  for (const [k, v] of storage.data) flaky.data.set(k, v);
  const woken = await room({ storage: flaky });
  flaky.failList = true;
  await assert.rejects(woken.core.loadDoc(), /storage read failed/);
  const loaded = await woken.core.loadDoc();
  assert.equal(loaded.store.doc.getText("content").toString(), "kept text");
});

test("a room woken on a lone stored update answers a new client with that update as stored, not encoded again, until the document changes", async () => {
  // An update that is not byte for byte what encoding its document gives: deleted text kept (gc off), which a
  // document with gc on drops when it applies it.
  const author = new Y.Doc({ gc: false });
  author.getText("content").insert(0, "hello world");
  author.getText("content").delete(0, 6);
  const stored = Y.encodeStateAsUpdate(author);
  const storage = new MemoryStorage();
  await (await DocStore.open(storage, "unit")).store(stored);
  const woken = await room({ storage });
  const { store } = await woken.core.loadDoc();
  assert.notDeepEqual(Y.encodeStateAsUpdate(store.doc), stored, "the case this test needs: a fresh encoding differs");
  assert.deepEqual(store.whole.get(), stored, "the stored update is the document's encoding");
  const reader = woken.connect();
  await woken.binary(reader, step1Frame());
  const client = replica();
  client.read(reader.binary);
  assert.equal(client.text(), "world", "a new client's step 2 builds the document");
  // A change drops it: the next encoding is made from the document.
  await woken.binary(reader, updateFrame("!", client.doc));
  assert.deepEqual(store.whole.get(), Y.encodeStateAsUpdate(store.doc));
  assert.equal(store.doc.getText("content").toString(), "world!");
});
