/** Percentiles for latency assertions (nearest rank: the value at or below which p% of samples fall). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** p50/p99/max of `samples`, rounded, for messages and reports. */
export function summary(samples: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  return { n: samples.length, p50: Math.round(percentile(samples, 50)), p99: Math.round(percentile(samples, 99)), max: Math.round(Math.max(...samples)) };
}

/**
 * Slack for "within 2x of the quiet value" when the quiet p99 is a few tens of
 * ms: on a 2-core machine one scheduling hiccup adds about this much to a p99
 * measured over a few hundred samples (seen: 17 -> 35 ms with nothing wrong).
 */
export const LATENCY_NOISE_MS = 25;

/** Whether `measured` is within twice `quiet`, give or take LATENCY_NOISE_MS. */
export function withinTwice(measured: number, quiet: number): boolean {
  return measured <= 2 * quiet + LATENCY_NOISE_MS;
}
