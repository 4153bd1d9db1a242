/**
 * The host's clock (party/host/clock.ts) keeps an event running while what it
 * set going is pending. `drain` waits for every timer and tracked request;
 * `since(mark)` only for the timers set after the mark, so a socket's open
 * waits neither for a presence window another event set nor for a report to
 * the directory.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventClock } from "../../party/host/clock";
import { until } from "../helpers/wait";

/** A promise with its resolver, for work the test settles itself. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `p` settled once everything already queued has run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  return done;
}

test("since(mark) waits for the event's own timer, not for an earlier event's timer or a tracked request; drain waits for all", async () => {
  const clock = new EventClock();
  // Another event's presence window, far off.
  const other = clock.setTimeout(() => undefined, 60_000);
  const start = clock.mark();
  const request = deferred();
  clock.track(request.promise);
  // The event's own timer, far off too (a short real one could fire while the test looks, on a loaded machine).
  const own = clock.setTimeout(() => undefined, 60_000);
  const since = clock.since(start);
  assert.equal(await settled(since), false, "pending while its own timer is");
  clock.clearTimeout(own);
  assert.equal(await settled(since), true, "settled once its own timer is done (cleared), the request and the other's timer still pending");
  clock.clearTimeout(other);
  const drained = clock.drain();
  assert.equal(await settled(drained), false, "drain waits for the request");
  request.resolve();
  assert.equal(await settled(drained), true, "and settles once it is done");
});

test("since(mark) settles when its own timer fires", async () => {
  const clock = new EventClock();
  const start = clock.mark();
  let fired = false;
  clock.setTimeout(() => (fired = true), 5);
  await clock.since(start);
  assert.equal(fired, true);
});

test("drain waits for an earlier event's timer", async () => {
  const clock = new EventClock();
  const other = clock.setTimeout(() => undefined, 60_000);
  assert.equal(await settled(clock.drain()), false);
  clock.clearTimeout(other);
  assert.equal(await settled(clock.drain()), true, "and settles once it is cleared");
});

test("since(mark) settles at once when the event set nothing going", async () => {
  const clock = new EventClock();
  const other = clock.setTimeout(() => undefined, 60_000);
  assert.equal(await settled(clock.since(clock.mark())), true);
  clock.clearTimeout(other);
});

test("a tracked request that fails still ends the wait", async () => {
  const clock = new EventClock();
  const start = clock.mark();
  const failing = Promise.reject(new Error("directory unreachable"));
  clock.track(failing);
  await clock.since(start);
  await clock.drain();
});

test("afterReply runs its function once the event's own work is done, and neither since nor drain waits for it", async () => {
  const clock = new EventClock();
  const start = clock.mark();
  let ran = false;
  clock.afterReply(() => (ran = true));
  assert.equal(ran, false, "not during the event");
  await clock.since(start);
  assert.equal(ran, false, "the event's answer does not wait for it");
  await clock.drain();
  assert.equal(ran, false, "nor does the end of the event");
  await until(() => ran, "afterReply's function", 2_000);
});
