/**
 * What a room keeps in memory of its past stays bounded however long it stays
 * awake (MEMORY in party/protocol/limits.ts; tests/bench/heap.ts found both):
 * the chat log's idempotency cache, and y-protocols' bookkeeping of awareness
 * ids that left. Forgetting never loses a guarantee: a retried post is still
 * found in storage, and a state that just left is still not brought back by
 * an echo.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as encoding from "lib0/encoding";
import { ChatLog } from "../../party/core/chat";
import { MEMORY, YjsFrame } from "../../party/protocol";
import { disposeRooms, room } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";

after(disposeRooms);

test("the chat log keeps the ids of its newest MEMORY.chatIdsCached posts; an older retry is still a duplicate", async () => {
  const log = await ChatLog.load(new MemoryStorage());
  const posts = MEMORY.chatIdsCached + 100;
  for (let i = 1; i <= posts; i++) await log.post({ id: `m${i}`, clientId: "c1", name: "Ada", color: "#ff0000", text: `hello ${i}` }, i);
  assert.equal(log.idsInMemory, MEMORY.chatIdsCached);
  const retry = await log.post({ id: "m1", clientId: "c1", name: "Ada", color: "#ff0000", text: "hello 1" }, posts + 1);
  assert.equal(retry.duplicate, true);
  assert.equal(retry.message.seq, 1);
  assert.equal(log.seq, posts);
});

/** A stock provider's awareness frame announcing `id` at `clock`. */
function awarenessFrame(id: number, clock: number): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, id);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, JSON.stringify({ user: { name: `peer ${id}` } }));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
  return encoding.toUint8Array(e);
}

test("awareness ids of peers that left are remembered up to MEMORY.awarenessRemovedKept; the latest still refuse an echo", async () => {
  const h = await room();
  const visits = MEMORY.awarenessRemovedKept + 300;
  for (let i = 0; i < visits; i++) {
    const link = h.connect();
    await h.binary(link, awarenessFrame(1_000 + i, 1));
    h.core.disconnect(link);
  }
  const aw = h.core.doc!.sync.awareness;
  assert.equal(aw.states.size, 0);
  assert.ok(aw.meta.size <= MEMORY.awarenessRemovedKept, `${aw.meta.size} removed ids remembered`);
  // The peer that left last is remembered: another provider echoing its old state does not bring it back.
  const echo = h.connect();
  await h.binary(echo, awarenessFrame(1_000 + visits - 1, 1));
  assert.equal(aw.states.has(1_000 + visits - 1), false);
});
