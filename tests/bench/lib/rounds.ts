/**
 * Interleaved rounds: every round runs each peer once (in a rotated order, so
 * no peer always goes first), the first round is a warm-up and discarded, and
 * each metric is reported as the median and range over the kept rounds. A
 * full run keeps at least MIN_KEPT_ROUNDS: a "median" of two is only the
 * better of two. A quick run may keep fewer: it checks the harness, and its
 * figures are never quoted (see report/readme.ts).
 */
import type { BenchContext, Spread } from "../scenarios/types";
import { round } from "./stats";

export type Trial = Record<string, number>;

/**
 * One trial's figures from its parts (what was measured, the load generator's
 * check per phase...). A key in two parts is an error, not an overwrite: the
 * hibernation scenario once stored its load generator's CPU as the server's
 * idle CPU (`loadFields(…, "idle")` makes `idleCpuPct` too), and every idle
 * figure of the run at 68aa8e8 is that.
 */
export function trialOf(...parts: ReadonlyArray<Record<string, number>>): Trial {
  const t: Trial = {};
  for (const part of parts)
    for (const [key, value] of Object.entries(part)) {
      if (key in t) throw new Error(`trial figure "${key}" given twice`);
      t[key] = value;
    }
  return t;
}

/** Fewest kept rounds from which a median and a range mean something. */
export const MIN_KEPT_ROUNDS = 3;

export type RoundPlan = { warmup: boolean; kept: number };

/**
 * The rounds of a scenario: `full` kept rounds (overridable as `key`, never
 * below the minimum) or `quick`. `warmup` false for a scenario whose every
 * trial starts its own server, where a warm-up round would warm nothing.
 */
export function roundPlan(ctx: BenchContext, key: string, full: number, quick: number, warmup = true): RoundPlan {
  const kept = ctx.setting(key, ctx.quick ? quick : full);
  if (!ctx.quick && kept < MIN_KEPT_ROUNDS) throw new Error(`${key}=${kept}: a full run keeps at least ${MIN_KEPT_ROUNDS} rounds for a median and a range`);
  return { warmup: warmup && !ctx.quick, kept: Math.max(1, kept) };
}

/** Runs the plan's rounds of `trial(peer, round)` over `peers` (round 0 is the warm-up, when there is one). */
export async function interleave<P extends string>(peers: readonly P[], plan: RoundPlan, trial: (peer: P, round: number) => Promise<Trial>): Promise<Record<P, Trial[]>> {
  const out = Object.fromEntries(peers.map((p) => [p, [] as Trial[]])) as Record<P, Trial[]>;
  const first = plan.warmup ? 0 : 1;
  for (let r = first; r <= plan.kept; r++) {
    const order = peers.map((_, i) => peers[(i + r) % peers.length]!);
    for (const peer of order) {
      const t = await trial(peer, r);
      if (r > 0) out[peer].push(t);
    }
  }
  return out;
}

/** Median and range of the finite values. */
export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median: round(median), min: round(v[0]!), max: round(v[v.length - 1]!), n: v.length };
}

/** The spread of one metric over a peer's kept trials. */
export function spreadOfKey(trials: readonly Trial[], key: string): Spread {
  return spreadOf(trials.map((t) => t[key] ?? NaN));
}

/**
 * partyroom / peer per round (trials of the same round are paired: they ran
 * back to back), as a spread. The median of the per-round ratios is the ratio
 * the goals judge.
 */
export function pairedRatio(a: readonly Trial[], b: readonly Trial[], key: string): Spread {
  return spreadOf(a.map((t, i) => ratio(t[key], b[i]?.[key])));
}

/** a / b, or NaN. */
export function ratio(a: number | undefined, b: number | undefined): number {
  return a !== undefined && b !== undefined && b > 0 ? a / b : NaN;
}

/** The sum of one metric over trials (lost, duplicated, ... are summed, not medianed). */
export function total(trials: readonly Trial[], key: string): number {
  return trials.reduce((s, t) => s + (t[key] ?? 0), 0);
}

/** "5.38 ms (4.90-6.10, 5 rounds)". */
export function showSpread(s: Spread, unit = "", digits = 1): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
  return s.n > 1 ? `${f(s.median)}${unit} (${f(s.min)}-${f(s.max)}, ${s.n} rounds)` : `${f(s.median)}${unit}`;
}
