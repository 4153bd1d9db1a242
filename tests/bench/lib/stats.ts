/** Small statistics helpers for the benchmark: percentiles, medians, regression. */

/** The p-th percentile (0-100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  return percentile(values.filter(Number.isFinite), 50);
}

/** Least-squares slope of y over x (units of y per unit of x), and its standard error. */
export function slope(points: readonly { x: number; y: number }[]): { slope: number; se: number } {
  const n = points.length;
  if (n < 3) return { slope: NaN, se: NaN };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  if (den === 0) return { slope: NaN, se: NaN };
  const b = num / den;
  const residuals = points.reduce((s, p) => s + (p.y - my - b * (p.x - mx)) ** 2, 0);
  return { slope: b, se: Math.sqrt(residuals / (n - 2) / den) };
}

/** Down-samples a latency list to at most `points` CDF points {ms, fraction}. */
export function cdf(values: readonly number[], points = 200): { ms: number; fraction: number }[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const out: { ms: number; fraction: number }[] = [];
  const step = Math.max(1, Math.floor(sorted.length / points));
  for (let i = 0; i < sorted.length; i += step) out.push({ ms: round(sorted[i]!), fraction: (i + 1) / sorted.length });
  out.push({ ms: round(sorted[sorted.length - 1]!), fraction: 1 });
  return out;
}

/** Rounds to 3 significant decimals for readable JSON. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A high-resolution wall clock in ms that agrees across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
