import assert from "node:assert/strict";
import { test } from "node:test";
import { Outbox } from "../../party/core/outbox";

test("events keep growing ids, are counted in bytes, and stay until acknowledged", () => {
  const box = new Outbox();
  box.push("a");
  box.push(new Uint8Array([1, 2]));
  box.push("é");
  assert.deepEqual(box.read(0).events.map((e) => e.id), [1, 2, 3]);
  assert.equal(box.bytes, 1 + 2 + 2, "UTF-8 bytes of text, length of binary");
  assert.deepEqual(box.read(2).events.map((e) => e.data), ["é"], "reading does not drop");
  box.ack(2);
  assert.equal(box.size, 1);
  assert.equal(box.bytes, 2);
  assert.equal(box.read(2).gap, false);
  assert.equal(box.read(0).gap, true, "events 1-2 are gone: resuming from 0 is a gap");
});

test("an SSE stream's written events are let go but for the newest replay window; a resume from before it, or from the future, is a gap", () => {
  const box = new Outbox();
  for (let i = 1; i <= 5; i++) box.push("x".repeat(100));
  box.written(4, 250);
  assert.deepEqual(box.read(0).events.map((e) => e.id), [3, 4, 5], "events 3-4 kept (200 bytes), 5 was not written yet");
  assert.equal(box.read(1).gap, true);
  assert.equal(box.read(2).gap, false);
  assert.equal(box.read(5).gap, false);
  assert.equal(box.read(99).gap, true);
});

test("a woken room's outbox numbers from where it is told, so an old id reads as a gap", () => {
  const box = new Outbox(1_000_000);
  box.push("welcome");
  assert.equal(box.read(57).gap, true);
  assert.deepEqual(box.read(999_999).events.map((e) => e.id), [1_000_000]);
});

test("waiters wake on a push or a close, and time out otherwise", async () => {
  const box = new Outbox();
  assert.equal(await box.waitFor(0, 10), false);
  const woke = box.waitFor(0, 5_000);
  assert.equal(box.waiting, 1);
  box.push("x");
  assert.equal(await woke, true);
  assert.equal(box.waiting, 0);
  assert.equal(await box.waitFor(0, 5_000), true, "already newer: no wait");
  const closing = box.waitFor(1, 5_000);
  box.close(4408, "gone");
  assert.equal(await closing, true);
  box.push("ignored after close");
  assert.equal(box.lastId, 1);
  assert.deepEqual(box.closed, { code: 4408, reason: "gone" });
});
