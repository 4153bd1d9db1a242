import assert from "node:assert/strict";
import { test } from "node:test";
import { Outbox } from "../../party/core/outbox";

test("events keep growing ids and stay until acknowledged", () => {
  const box = new Outbox(10);
  box.push("a");
  box.push(new Uint8Array([1]));
  box.push("c");
  assert.deepEqual(box.read(0).events.map((e) => e.id), [1, 2, 3]);
  assert.deepEqual(box.read(2).events.map((e) => e.data), ["c"], "reading does not drop");
  box.ack(2);
  assert.equal(box.size, 1);
  assert.equal(box.read(2).gap, false);
  assert.equal(box.read(0).gap, true, "events 1-2 are gone: resuming from 0 is a gap");
});

test("past the bound the oldest go, and resuming from before them is a gap; so is an id from the future", () => {
  const box = new Outbox(3);
  for (let i = 1; i <= 5; i++) box.push(`e${i}`);
  assert.deepEqual(box.read(0).events.map((e) => e.id), [3, 4, 5]);
  assert.equal(box.read(1).gap, true);
  assert.equal(box.read(2).gap, false);
  assert.equal(box.read(5).gap, false);
  assert.equal(box.read(99).gap, true);
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
