/**
 * Chat pages a room builds at once (core/page-reads.ts): at most
 * MEMORY.pageReads run together, the rest wait in order, and a failing one
 * still frees its slot.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PageReads } from "../../party/core/page-reads";

test("at most max pages are read at once; the others wait their turn, in order, and a failure frees its slot", async () => {
  const reads = new PageReads(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const releases: Array<() => void> = [];
  const jobs = Array.from({ length: 6 }, (_, i) =>
    reads
      .run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        order.push(i);
        if (i === 1) throw new Error("storage failed");
        return i;
      })
      .catch(() => -1),
  );
  // Let the first ones start, then release whatever runs, one at a time.
  for (let done = 0; done < 6; done++) {
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(releases.length > 0, "something is running");
    if (done === 0) assert.equal(reads.queued, 4, "two run, four wait");
    releases.shift()!();
  }
  assert.deepEqual(await Promise.all(jobs), [0, -1, 2, 3, 4, 5]);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  assert.equal(reads.queued, 0);
});
