import assert from "node:assert/strict";
import { test } from "node:test";
import { BucketMap, StrikeWindow, TokenBucket } from "../../party/core/rate";

test("token bucket allows a burst, then refills at its rate", () => {
  const bucket = new TokenBucket(3, 2, 0);
  assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
  assert.equal(bucket.retryAfterMs(0), 500);
  assert.equal(bucket.take(499), false);
  assert.equal(bucket.take(1000), true);
  // Refill never exceeds the burst.
  assert.deepEqual([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)], [true, true, true, false]);
});

test("strike window trips only when strikes cluster", () => {
  const strikes = new StrikeWindow(3, 1000);
  assert.equal(strikes.record(0), false);
  assert.equal(strikes.record(100), false);
  assert.equal(strikes.record(200), false);
  assert.equal(strikes.record(300), true);
  const spaced = new StrikeWindow(3, 1000);
  for (let t = 0; t < 20_000; t += 400) assert.equal(spaced.record(t), false);
});

test("bucket map keeps buckets per key and forgets the oldest", () => {
  const map = new BucketMap(1, 1, 2);
  assert.equal(map.take("a", 0), true);
  assert.equal(map.take("a", 0), false);
  assert.equal(map.take("b", 0), true);
  assert.equal(map.take("c", 0), true);
  assert.equal(map.size, 2);
  // "a" was forgotten, so it starts full again.
  assert.equal(map.take("a", 0), true);
});

test("bucket map forgets buckets idle long enough to have refilled", () => {
  const map = new BucketMap(2, 1);
  map.take("old", 0);
  map.take("recent", 1_500);
  assert.equal(map.size, 2);
  map.take("new", 2_100);
  assert.equal(map.size, 2, "the idle one is gone; the recently used one stays");
});
