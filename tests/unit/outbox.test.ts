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

test("reads, acks and written windows agree with a plain model of what is held, over a long mixed run", () => {
  // The outbox finds events by index and subtracts instead of walking; the model filters and walks, the obvious way.
  let seed = 7;
  const next = (n: number) => {
    // xorshift32: a fixed, well-mixed sequence (an LCG's low bits cycle, and would pick the operations in a fixed order).
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const box = new Outbox(40);
  let model: { id: number; bytes: number }[] = [];
  let lastId = 39;
  for (let step = 0; step < 2000; step++) {
    const op = next(4);
    if (op < 2) {
      const bytes = 1 + next(9);
      assert.equal(box.push("y".repeat(bytes)), bytes);
      model.push({ id: ++lastId, bytes });
    } else if (op === 2) {
      const upTo = lastId - next(6);
      box.ack(upTo);
      model = model.filter((e) => e.id > upTo);
    } else {
      const upTo = lastId - next(4);
      const keep = next(40); // small sizes and windows, so a window often fits its events exactly
      box.written(upTo, keep);
      let kept = 0;
      let cut = -1;
      for (let i = model.length - 1; i >= 0; i--) {
        if (model[i]!.id > upTo) continue;
        kept += model[i]!.bytes;
        if (kept > keep) {
          cut = model[i]!.id;
          break;
        }
      }
      model = model.filter((e) => e.id > cut);
    }
    const after = lastId - next(12);
    assert.deepEqual(box.read(after).events.map((e) => e.id), model.filter((e) => e.id > after).map((e) => e.id), `step ${step}: read(${after})`);
    assert.equal(box.bytes, model.reduce((sum, e) => sum + e.bytes, 0), `step ${step}: bytes held`);
  }
});

test("a frame's size counted by the caller is the size the outbox holds", () => {
  const box = new Outbox();
  assert.equal(box.push("é", 2), 2);
  assert.equal(box.push(new Uint8Array(3), 3), 3);
  assert.equal(box.bytes, 5);
});
