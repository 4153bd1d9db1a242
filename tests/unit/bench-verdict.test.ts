/** The benchmark's judgement: every goal can fail, and a goal that cannot be judged says so instead of passing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { interleave, pairedRatio, roundPlan, spreadOf, trialOf } from "../bench/lib/rounds";
import { slope } from "../bench/lib/stats";
import { checkLoad, loadFields, memoryGoal, ratioGoal, saturationOf } from "../bench/lib/verdict";
import type { WorkerStatus } from "../bench/load/protocol";
import type { BenchContext } from "../bench/scenarios/types";

const status = (cpuPct: number, eventLoopP99Ms = 12): WorkerStatus => ({ open: 0, pongs: 0, unexpectedCloses: 0, closeCodes: {}, cpuPct, eventLoopP99Ms, rssMB: 0 });
const ctx = (quick: boolean, overrides: Record<string, number> = {}): BenchContext => ({ quick, serverCpu: "0", loadCpu: "1", loadCores: 1, log: () => undefined, setting: (k, v) => overrides[k] ?? v });

test("the load generator is saturated by CPU across its workers, or by a stalled event loop", () => {
  assert.equal(checkLoad([status(40), status(40)], 1).saturated, null);
  assert.match(checkLoad([status(50), status(40)], 1).saturated ?? "", /90% of its cores/);
  assert.equal(checkLoad([status(50), status(40)], 2).saturated, null, "two load cores: 45%");
  assert.match(checkLoad([status(5, 250)], 1).saturated ?? "", /event loop p99 250 ms/);
  assert.equal(checkLoad([status(95)], 1, false).saturated, null, "a single client's own work is not saturation");
});

test("a saturated trial makes the ratio invalid: no verdict, no ratio", () => {
  const trials = [{ x: 1, ...loadFields(checkLoad([status(10)], 1)) }, { x: 2, ...loadFields(checkLoad([status(99)], 1)) }];
  const why = saturationOf(trials, "100 clients");
  assert.match(why ?? "", /saturated in 1 of 2 trials/);
  const g = ratioGoal("p99 <= 1.2x", spreadOf([1.0, 1.1, 1.0]), 1.2, "", why);
  assert.equal(g.pass, null);
  assert.match(g.measured, /^invalid: /);
  assert.doesNotMatch(g.measured, /1\.0/);
});

test("ratio goals are judged on the median of per-round ratios and can fail", () => {
  const a = [{ p: 12 }, { p: 13 }, { p: 30 }];
  const b = [{ p: 10 }, { p: 10 }, { p: 10 }];
  const r = pairedRatio(a, b, "p");
  assert.deepEqual([r.median, r.min, r.max, r.n], [1.3, 1.2, 3, 3]);
  assert.equal(ratioGoal("<= 1.2x", r, 1.2, "", null).pass, false);
  assert.equal(ratioGoal("<= 1.5x", r, 1.5, "", null).pass, true);
  assert.equal(ratioGoal("<= 1.5x", spreadOf([]), 1.5, "", null).pass, false, "no data fails");
});

test("memory per socket: over the threshold by more than the noise fails; other noise at or above the threshold is not measurable; below it the goal can pass and fail", () => {
  const t = (kib: number, noiseKib = 0.1) => ({ kibPerSocket: kib, noiseKib });
  const noisy = memoryGoal("<= 2 KiB", [t(150), t(170), t(140)], [t(160), t(150), t(165)], 2, null);
  assert.equal(noisy.pass, null);
  assert.match(noisy.measured, /^not measurable: -/);
  assert.equal(memoryGoal("<= 2 KiB", [t(151), t(151.2), t(151.1)], [t(150), t(150.1), t(150)], 2, null).pass, true);
  assert.equal(memoryGoal("<= 2 KiB", [t(155), t(155.2), t(155.1)], [t(150), t(150.1), t(150)], 2, null).pass, false);
  assert.equal(memoryGoal("<= 2 KiB", [t(151, 3)], [t(150)], 2, null).pass, null, "within-trial noise counts too");
  const farOver = memoryGoal("<= 2 KiB", [t(239, 14)], [t(186)], 2, null);
  assert.equal(farOver.pass, false, "over the threshold by more than the noise is a miss, however noisy");
  assert.match(farOver.measured, /53\.00 KiB per socket over .*noise ±14\.10 KiB: over the 2 KiB threshold by more than the noise/);
  assert.equal(memoryGoal("<= 2 KiB", [t(163, 14)], [t(150)], 2, null).pass, null, "over, but not by more than threshold + noise");
});

test("a full run keeps at least three rounds; a quick run may keep fewer and skips the warm-up", async () => {
  assert.throws(() => roundPlan(ctx(false, { "x.rounds": 2 }), "x.rounds", 5, 1), /at least 3/);
  assert.deepEqual(roundPlan(ctx(false), "x.rounds", 5, 1), { warmup: true, kept: 5 });
  assert.deepEqual(roundPlan(ctx(true), "x.rounds", 5, 1), { warmup: false, kept: 1 });
  const seen: string[] = [];
  const kept = await interleave(["a", "b"], { warmup: true, kept: 3 }, async (p, r) => (seen.push(`${p}${r}`), { r }));
  assert.deepEqual(seen, ["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"], "rotated order, round 0 first");
  assert.deepEqual(kept.a.map((t) => t.r), [1, 2, 3], "the warm-up is discarded");
});

test("the memory slope comes with its standard error", () => {
  const flat = slope(Array.from({ length: 20 }, (_, i) => ({ x: i, y: 100 + (i % 2) })));
  assert.ok(Math.abs(flat.slope) < 0.1 && flat.se < 0.1);
  const rising = slope(Array.from({ length: 20 }, (_, i) => ({ x: i, y: 100 + 2 * i })));
  assert.equal(rising.slope, 2);
  assert.equal(rising.se, 0);
});

test("a trial's figures never overwrite each other: the load generator's idle check is not the server's idle CPU", () => {
  const idle = checkLoad([status(40)], 1);
  assert.throws(() => trialOf({ idleCpuPct: 9 }, loadFields(idle, "idle")), /"idleCpuPct" given twice/);
  const t = trialOf({ idleCpuPct: 9 }, loadFields(idle, "idleLoad"));
  assert.equal(t.idleCpuPct, 9, "the server's figure stays");
  assert.equal(t.idleLoadCpuPct, 40);
});
