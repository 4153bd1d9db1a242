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
