/**
 * Judging a scenario: is the load generator itself the bottleneck (then the
 * scenario is invalid and reports no ratio), and does a ratio or a limit meet
 * its goal. Every goal can fail: a goal that cannot be judged says so
 * (pass null) instead of passing.
 */
import type { WorkerStatus } from "../load/protocol";
import type { BacklogStats } from "./backlog";
import type { Cell, GoalCheck, Spread } from "../scenarios/types";
import { pairedRatio, showSpread, spreadOfKey, type Trial } from "./rounds";

/**
 * The load workers share the load cores; above this share of them the
 * generator, not the server, sets the pace (its timers fire late and its
 * receive timestamps drift).
 */
export const LOAD_CPU_LIMIT_PCT = 85;
/** An event loop that stalls this long cannot timestamp a delivery to the millisecond. */
export const LOAD_LOOP_P99_LIMIT_MS = 100;
/**
 * Unread bytes in the generator's sockets, median over a trial (lib/backlog.ts),
 * above which it is behind: a generator that keeps pace empties its queues
 * between deliveries, so the median sample is near zero; 64 KiB is hundreds
 * of deliveries waiting.
 */
export const LOAD_BACKLOG_LIMIT_BYTES = 64 * 1024;

export type LoadCheck = {
  /** Worker CPU summed, as % of the load cores' capacity. */
  cpuPct: number;
  /** The worst worker event-loop delay p99. */
  loopP99Ms: number;
  /** Median unread bytes in the generator's sockets (0 when not sampled). */
  backlogBytes: number;
  /** Why the generator is saturated, or null. */
  saturated: string | null;
};

/**
 * Checks the workers' status taken at the end of a measured phase (status()
 * resets their counters). `byCpu` false for a phase that is one client's own
 * work (a single document load keeps its core busy for its few milliseconds
 * by design): then only a stalled event loop counts. `backlog`, when the
 * phase sampled it, catches a generator behind without a stalled loop.
 */
export function checkLoad(status: readonly WorkerStatus[], loadCores: number, byCpu = true, backlog?: BacklogStats): LoadCheck {
  const cpuPct = status.reduce((s, w) => s + w.cpuPct, 0) / Math.max(1, loadCores);
  const loopP99Ms = Math.max(0, ...status.map((w) => w.eventLoopP99Ms));
  const backlogBytes = backlog?.p50Bytes ?? 0;
  const saturated =
    byCpu && cpuPct >= LOAD_CPU_LIMIT_PCT ? `load generator at ${cpuPct.toFixed(0)}% of its cores (limit ${LOAD_CPU_LIMIT_PCT}%)`
    : loopP99Ms >= LOAD_LOOP_P99_LIMIT_MS ? `load generator event loop p99 ${loopP99Ms.toFixed(0)} ms (limit ${LOAD_LOOP_P99_LIMIT_MS} ms)`
    : backlogBytes > LOAD_BACKLOG_LIMIT_BYTES ? `load generator behind: median ${(backlogBytes / 1024).toFixed(0)} KiB unread in its sockets (limit ${LOAD_BACKLOG_LIMIT_BYTES / 1024} KiB)`
    : null;
  return { cpuPct, loopP99Ms, backlogBytes, saturated };
}

/**
 * Trial fields recording a load check (`loadCpuPct`, `loadLoopP99Ms`,
 * `loadSaturated`), so saturation can be found after the fact; `phase`
 * prefixes them when a trial checks several phases (`connectCpuPct`...).
 */
export function loadFields(c: LoadCheck, phase = "load"): Record<string, number> {
  return { [`${phase}CpuPct`]: c.cpuPct, [`${phase}LoopP99Ms`]: c.loopP99Ms, [`${phase}BacklogKiB`]: c.backlogBytes / 1024, [`${phase}Saturated`]: c.saturated ? 1 : 0 };
}

/** Whether the load generator saturated in any of `trials` (during `phase`), as a reason, or null. */
export function saturationOf(trials: readonly Record<string, number>[], what: string, phase = "load"): string | null {
  const bad = trials.filter((t) => t[`${phase}Saturated`]);
  if (!bad.length) return null;
  const worst = Math.max(...bad.map((t) => t[`${phase}CpuPct`] ?? 0));
  const loop = Math.max(...bad.map((t) => t[`${phase}LoopP99Ms`] ?? 0));
  const behind = Math.max(...bad.map((t) => t[`${phase}BacklogKiB`] ?? 0));
  return `${what}: the load generator saturated in ${bad.length} of ${trials.length} trials (up to ${worst.toFixed(0)}% of its cores, event loop p99 up to ${loop.toFixed(0)} ms, median unread up to ${behind.toFixed(0)} KiB)`;
}

/** A table cell partyroom / peer for `key`, or "invalid" when the load generator saturated: no ratio is shown then. */
export function ratioCell(a: readonly Trial[], b: readonly Trial[], key: string, invalid: string | null): Cell {
  return invalid ? "invalid (load generator saturated)" : pairedRatio(a, b, key);
}

/** A goal "partyroom / peer <= limit" judged on the median of per-round ratios; invalid when the generator saturated. */
export function ratioGoal(goal: string, r: Spread, limit: number, detail: string, invalid: string | null): GoalCheck {
  if (invalid) return { goal, measured: `invalid: ${invalid}`, pass: null };
  return { goal, measured: `${showSpread(r, "x", 2)}; ${detail}`, pass: Number.isFinite(r.median) ? r.median <= limit : false };
}

/** A goal "value <= limit" (or >= with `atLeast`); invalid when the generator saturated. */
export function limitGoal(goal: string, value: number, limit: number, measured: string, invalid: string | null, atLeast = false): GoalCheck {
  if (invalid) return { goal, measured: `invalid: ${invalid}`, pass: null };
  return { goal, measured, pass: Number.isFinite(value) ? (atLeast ? value >= limit : value <= limit) : false };
}

/** A goal that counts things that must not happen (lost, duplicated, closed...): zero passes, anything else fails. */
export function zeroGoal(goal: string, bad: number, measured: string): GoalCheck {
  return { goal, measured, pass: bad === 0 };
}

/**
 * A goal "partyroom's memory per socket <= the null room's + `limitKib`".
 * Memory per socket is small next to RSS's own movement, so the noise is part
 * of the verdict: the within-trial movement (`noiseKib`) or the range over
 * rounds, whichever is larger, for each side. When the noise is at least the
 * limit the difference says nothing, and the goal is not measurable.
 */
export function memoryGoal(goal: string, partyroom: readonly Trial[], floor: readonly Trial[], limitKib: number, invalid: string | null, floorName = "the null room"): GoalCheck {
  if (invalid) return { goal, measured: `invalid: ${invalid}`, pass: null };
  if (floor.length === 0) return { goal, measured: `not measurable: no round of ${floorName} held its sockets`, pass: null };
  const a = spreadOfKey(partyroom, "kibPerSocket");
  const b = spreadOfKey(floor, "kibPerSocket");
  const noise = (s: Spread, t: readonly Trial[]) => Math.max(s.max - s.min, spreadOfKey(t, "noiseKib").median);
  const over = a.median - b.median;
  const n = noise(a, partyroom) + noise(b, floor);
  const detail = `${over.toFixed(2)} KiB per socket over ${floorName} (${a.median.toFixed(1)} vs ${b.median.toFixed(1)}), noise ±${n.toFixed(2)} KiB`;
  // Over the threshold by more than the noise is a miss however noisy; otherwise a noise as large as the threshold
  // leaves the figure saying nothing.
  if (over - n > limitKib) return { goal, measured: `${detail}: over the ${limitKib} KiB threshold by more than the noise`, pass: false };
  if (!(n < limitKib)) return { goal, measured: `not measurable: ${detail}, not below the ${limitKib} KiB threshold`, pass: null };
  return { goal, measured: detail, pass: over <= limitKib };
}
