/**
 * The kept encoding of a whole document (party/core/whole-update.ts): after
 * any change, from any listener, it equals a fresh `Y.encodeStateAsUpdate`;
 * a transaction that changes nothing keeps it; structs waiting for missing
 * ones are never kept stale; and a new peer's step 2 is built from it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { DocSync } from "../../party/core/doc-sync";
import { holdsNothing, WholeUpdate } from "../../party/core/whole-update";

const fresh = (doc: Y.Doc) => Y.encodeStateAsUpdate(doc);

test("equals a fresh encoding after inserts, deletes, map sets and other clients' updates, in random order", () => {
  const doc = new Y.Doc();
  const whole = new WholeUpdate(doc);
  const other = new Y.Doc();
  const text = doc.getText("content");
  const map = doc.getMap("meta");
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let i = 0; i < 300; i++) {
    const op = rand(5);
    if (op === 0) text.insert(rand(text.length + 1), `w${i} `);
    else if (op === 1 && text.length > 2) text.delete(rand(text.length - 1), 1 + rand(2));
    else if (op === 2) map.set(`k${rand(5)}`, i);
    else if (op === 3) {
      other.getText("content").insert(0, `o${i}`);
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)));
    } else Y.applyUpdate(doc, Y.encodeStateAsUpdate(doc)); // changes nothing
    assert.deepEqual(whole.get(), fresh(doc), `after step ${i} (op ${op})`);
  }
});

test("is encoded once while nothing changes, and a listener that ran before it was made never reads a stale one", () => {
  const doc = new Y.Doc();
  const seen: boolean[] = [];
  let whole: WholeUpdate | null = null;
  // Registered before the cache exists, so it runs before any `update` listener the cache could have added.
  doc.on("update", () => seen.push(whole !== null && Buffer.from(whole.get()).equals(fresh(doc))));
  whole = new WholeUpdate(doc);
  doc.getText("content").insert(0, "hello");
  const first = whole.get();
  assert.equal(whole.get(), first, "the same bytes, not a new encoding");
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(doc));
  assert.equal(whole.get(), first, "an update the document already holds keeps it");
  doc.transact(() => undefined);
  assert.equal(whole.get(), first, "an empty transaction keeps it");
  doc.getText("content").insert(5, " world");
  doc.getText("content").delete(0, 1);
  assert.deepEqual(seen, [true, true, true]);
  assert.notEqual(whole.get(), first);
});

test("structs waiting for missing ones are in every encoding, and are never kept", () => {
  const writer = new Y.Doc();
  const updates: Uint8Array[] = [];
  writer.on("update", (u: Uint8Array) => updates.push(u));
  writer.getText("content").insert(0, "a");
  writer.getText("content").insert(1, "b");
  writer.getText("content").insert(2, "c");
  const doc = new Y.Doc();
  const whole = new WholeUpdate(doc);
  Y.applyUpdate(doc, updates[0]!);
  assert.deepEqual(whole.get(), fresh(doc));
  Y.applyUpdate(doc, updates[2]!); // depends on the missing second update: held as pending
  assert.ok(doc.store.pendingStructs !== null, "the third update waits for the second");
  assert.deepEqual(whole.get(), fresh(doc), "the waiting structs are in the encoding");
  Y.applyUpdate(doc, updates[1]!);
  assert.equal(doc.getText("content").toString(), "abc");
  assert.deepEqual(whole.get(), fresh(doc));
});

test("a state vector that holds nothing is answered with the whole document, any other with the difference", () => {
  const doc = new Y.Doc();
  doc.getText("content").insert(0, "some text");
  const sync = new DocSync(doc, async () => undefined, { update: () => undefined, awareness: () => undefined });
  const payload = (frame: Uint8Array) => {
    const d = decoding.createDecoder(frame);
    decoding.readVarUint(d);
    decoding.readVarUint(d);
    return decoding.readVarUint8Array(d);
  };
  const empty = Y.encodeStateVector(new Y.Doc());
  assert.ok(holdsNothing(empty));
  assert.deepEqual(payload(sync.step2(empty)), Y.encodeStateAsUpdate(doc, empty));
  assert.equal(sync.step2(empty), sync.step2(empty), "one frame for every new peer while the document stays as it is");
  // Clients listed at clock 0 hold nothing either.
  const zeros = encoding.createEncoder();
  encoding.writeVarUint(zeros, 2);
  for (const client of [doc.clientID, 12345]) {
    encoding.writeVarUint(zeros, client);
    encoding.writeVarUint(zeros, 0);
  }
  assert.ok(holdsNothing(encoding.toUint8Array(zeros)));
  assert.deepEqual(payload(sync.step2(encoding.toUint8Array(zeros))), Y.encodeStateAsUpdate(doc, encoding.toUint8Array(zeros)));
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
  doc.getText("content").insert(0, "more ");
  const held = Y.encodeStateVector(peer);
  assert.ok(!holdsNothing(held));
  assert.deepEqual(payload(sync.step2(held)), Y.encodeStateAsUpdate(doc, held), "a peer that holds some gets only what it lacks");
  assert.deepEqual(payload(sync.step2(empty)), Y.encodeStateAsUpdate(doc), "a new peer's frame follows the change");
  Y.applyUpdate(peer, payload(sync.step2(held)));
  assert.equal(peer.getText("content").toString(), "more some text");
});
