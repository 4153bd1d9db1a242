import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, backoffWindow, DEFAULT_BACKOFF, seededRandom } from "../../app/src/room/backoff";

test("the window doubles from the base and stops at the cap", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffWindow(n)),
    [0, 500, 1000, 2000, 4000, 8000, 15_000, 15_000],
  );
  assert.equal(backoffWindow(10_000), DEFAULT_BACKOFF.capMs, "huge attempt counts stay at the cap");
});

test("attempt 0 (first connection, forced reconnect) is immediate", () => {
  assert.equal(backoffDelay(0, () => 0.99), 0);
});

test("delays stay within [floor, window] and reach both ends", () => {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const window = backoffWindow(attempt);
    assert.equal(backoffDelay(attempt, () => 0), DEFAULT_BACKOFF.floorMs);
    assert.equal(backoffDelay(attempt, () => 0.999_999), window);
  }
  const random = seededRandom(7);
  for (let i = 0; i < 1000; i++) {
    const attempt = 1 + (i % 10);
    const d = backoffDelay(attempt, random);
    assert.ok(d >= DEFAULT_BACKOFF.floorMs && d <= backoffWindow(attempt), `attempt ${attempt}: ${d}`);
  }
});

test("jitter spreads clients that fail together", () => {
  // 100 clients all on their 4th retry: with no jitter they would all pick the same instant.
  const random = seededRandom(42);
  const delays = Array.from({ length: 100 }, () => backoffDelay(4, random));
  const distinct = new Set(delays).size;
  assert.ok(distinct > 90, `only ${distinct} distinct delays`);
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  // Uniform over [100, 4000]: mean ~2050.
  assert.ok(mean > 1700 && mean < 2400, `mean ${mean}`);
});

test("a floor larger than the window is clamped to it", () => {
  const options = { baseMs: 50, capMs: 1000, floorMs: 200 };
  assert.equal(backoffDelay(1, () => 0.5, options), 50);
  assert.equal(backoffDelay(3, () => 0, options), 200);
});

test("seededRandom is deterministic and in [0, 1)", () => {
  const a = seededRandom(1);
  const b = seededRandom(1);
  for (let i = 0; i < 100; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});
