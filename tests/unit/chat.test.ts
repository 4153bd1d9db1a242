import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatLog } from "../../party/core/chat";
import { LIMITS } from "../../party/protocol";
import { MemoryStorage } from "../helpers/memory-storage";

const msg = (id: string, text = id) => ({ id, clientId: "c1", name: "Ada", color: "#ff0000", text });

test("sequence numbers are contiguous, start at 1 and survive a reload", async () => {
  const storage = new MemoryStorage();
  const log = await ChatLog.load(storage);
  for (let i = 1; i <= 5; i++) assert.equal((await log.post(msg(`m${i}`), i)).message.seq, i);
  const reloaded = await ChatLog.load(storage);
  assert.equal(reloaded.seq, 5);
  assert.equal((await reloaded.post(msg("m6"), 6)).message.seq, 6);
});

test("the same (clientId, id) is stored once and returns the original, even raced and after a reload", async () => {
  const storage = new MemoryStorage();
  const log = await ChatLog.load(storage);
  const [a, b] = await Promise.all([log.post(msg("x", "first"), 1), log.post(msg("x", "second"), 2)]);
  assert.equal(a.duplicate, false);
  assert.equal(b.duplicate, true);
  assert.deepEqual(b.message, a.message);
  assert.equal(log.seq, 1);
  const reloaded = await ChatLog.load(storage);
  const again = await reloaded.post(msg("x", "third"), 3);
  assert.equal(again.duplicate, true);
  assert.equal(again.message.text, "first");
  // Another client may use the same id: ids are per client.
  assert.equal((await reloaded.post({ ...msg("x"), clientId: "c2" }, 4)).message.seq, 2);
});

test("a failed write assigns nothing: the next message takes the same seq", async () => {
  const storage = new MemoryStorage();
  const log = await ChatLog.load(storage);
  await log.post(msg("a"), 1);
  storage.failNext = true;
  await assert.rejects(log.post(msg("b"), 2), /disk full/);
  assert.equal(log.seq, 1);
  assert.equal((await log.post(msg("b"), 3)).message.seq, 2);
});

test("pages after and before come from memory and from storage alike", async () => {
  const storage = new MemoryStorage();
  const log = await ChatLog.load(storage, { recentMax: 10 });
  assert.equal(await log.get(1), undefined, "reads the (empty) recent page");
  for (let i = 1; i <= 30; i++) await log.post(msg(`m${i}`), i);
  assert.equal(log.inMemory, 10, "memory is bounded");
  const after = await log.after(5, 4);
  assert.deepEqual(after.messages.map((m) => m.seq), [6, 7, 8, 9]);
  assert.equal(after.hasMore, true);
  assert.deepEqual((await log.after(25, 100)).messages.map((m) => m.seq), [26, 27, 28, 29, 30]);
  assert.equal((await log.after(30, 10)).messages.length, 0);
  const before = await log.before(4, 10);
  assert.deepEqual(before.messages.map((m) => m.seq), [1, 2, 3]);
  assert.equal(before.hasMore, false);
  const latest = await log.latest(3);
  assert.deepEqual(latest.messages.map((m) => m.seq), [28, 29, 30]);
  assert.equal(latest.hasMore, true);
  assert.equal((await log.get(2))?.id, "m2");
});

test("the recent page is read lazily, in order with posts: a post racing the first read is not lost", async () => {
  const storage = new MemoryStorage();
  const first = await ChatLog.load(storage, { recentMax: 5 });
  for (let i = 1; i <= 3; i++) await first.post(msg(`m${i}`), i);
  const log = await ChatLog.load(storage, { recentMax: 5 });
  assert.equal(log.inMemory, 0, "nothing read on load");
  const [page, posted] = await Promise.all([log.latest(5), log.post(msg("m4"), 4)]);
  assert.deepEqual(page.messages.map((m) => m.seq).filter((s) => s <= 3), [1, 2, 3]);
  assert.equal(posted.message.seq, 4);
  assert.deepEqual((await log.latest(5)).messages.map((m) => m.seq), [1, 2, 3, 4]);
});

test("a page stops at LIMITS.pageBytes of JSON (at least one message), and says there is more", async () => {
  const log = await ChatLog.load(new MemoryStorage());
  const long = "部".repeat(LIMITS.chatTextMax);
  for (let i = 1; i <= 60; i++) await log.post(msg(`m${i}`, long), i);
  const bytes = (page: { messages: unknown[] }) => page.messages.reduce<number>((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);
  const after = await log.after(0, LIMITS.pageMax);
  assert.ok(after.messages.length > 1 && after.messages.length < 60, `${after.messages.length} messages`);
  assert.ok(bytes(after) <= LIMITS.pageBytes);
  assert.equal(after.messages[0]!.seq, 1, "oldest first, from `after` on");
  assert.equal(after.hasMore, true);
  const latest = await log.latest(LIMITS.pageMax);
  assert.equal(latest.messages.at(-1)!.seq, 60, "the newest are kept");
  assert.ok(bytes(latest) <= LIMITS.pageBytes);
  assert.equal(latest.hasMore, true);
  assert.deepEqual((await log.after(0, 10, 1)).messages.map((m) => m.seq), [1], "one message even when it alone is over");
  assert.deepEqual((await log.before(61, 10, 1)).messages.map((m) => m.seq), [60]);
});
