/**
 * Interleaved rounds: every round runs each peer once (in a rotated order, so
 * no peer always goes first), the first round is a warm-up and discarded, and
 * each metric is the median over the remaining rounds.
 */
import { median } from "./stats";

export type Trial = Record<string, number>;

/** Runs `rounds` rounds of `trial(peer, round)` over `peers`; returns measured trials per peer. */
export async function interleave<P extends string>(peers: readonly P[], rounds: number, trial: (peer: P, round: number) => Promise<Trial>): Promise<Record<P, Trial[]>> {
  const kept = Object.fromEntries(peers.map((p) => [p, [] as Trial[]])) as Record<P, Trial[]>;
  for (let r = 0; r < rounds; r++) {
    const order = peers.map((_, i) => peers[(i + r) % peers.length]!);
    for (const peer of order) {
      const t = await trial(peer, r);
      if (r > 0 || rounds === 1) kept[peer].push(t);
    }
  }
  return kept;
}

/** Median of each metric across a peer's kept trials. */
export function medians(trials: Trial[]): Trial {
  const keys = new Set(trials.flatMap((t) => Object.keys(t)));
  return Object.fromEntries([...keys].map((k) => [k, median(trials.map((t) => t[k] ?? NaN))]));
}

/** a / b, or NaN. */
export function ratio(a: number | undefined, b: number | undefined): number {
  return a !== undefined && b !== undefined && b > 0 ? a / b : NaN;
}
