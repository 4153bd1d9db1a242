/**
 * Which versions a room keeps (README "Version history"), as one pure rule
 * over the version index, so unit tests can check it on a fake clock:
 *
 * 1. The newest version is always kept (it is where the document is now).
 * 2. Named versions are never dropped for their age.
 * 3. Every other version younger than `keepAllMs` is kept; older ones, up
 *    to `keepMs`, are thinned to one per `periodMs` (the last of each period,
 *    periods counted from the epoch, so UTC days by default); older still are
 *    dropped.
 * 4. If what is left passes `budgetBytes`, the oldest automatic (and restore)
 *    versions go first; only when none is left do the oldest named ones go,
 *    and the caller must say so.
 */
import type { VersionKind } from "../protocol";

/** What the rule needs of a version. */
export type Retained = { id: number; at: number; kind: VersionKind; bytes: number };

export type RetentionPolicy = { keepAllMs: number; periodMs: number; keepMs: number; budgetBytes: number };

/** What to drop: `aged` by the age rules, `overBudget` for the budget (named ones among them must be reported). */
export type Pruning<T> = { aged: T[]; overBudget: T[] };

/** Applies the rule to `versions` (any order) at `now`. */
export function prune<T extends Retained>(versions: readonly T[], now: number, policy: RetentionPolicy): Pruning<T> {
  const sorted = [...versions].sort((a, b) => a.id - b.id);
  const newest = sorted.at(-1);
  const aged = new Set<T>();
  // The last version of each period, among the old automatic ones.
  const lastOfPeriod = new Map<number, T>();
  for (const v of sorted) {
    if (v.kind === "named") continue;
    const age = now - v.at;
    if (age < policy.keepAllMs) continue;
    if (age >= policy.keepMs) {
      if (v !== newest) aged.add(v);
      continue;
    }
    // The newest comes last, so it is the one its period keeps.
    const period = Math.floor(v.at / policy.periodMs);
    const earlier = lastOfPeriod.get(period);
    if (earlier) aged.add(earlier);
    lastOfPeriod.set(period, v);
  }
  const kept = sorted.filter((v) => !aged.has(v));
  let used = kept.reduce((n, v) => n + v.bytes, 0);
  const overBudget: T[] = [];
  // Oldest first: every automatic one before any named one; never the newest.
  const candidates = [...kept.filter((v) => v.kind !== "named"), ...kept.filter((v) => v.kind === "named")].filter((v) => v !== newest);
  for (const v of candidates) {
    if (used <= policy.budgetBytes) break;
    overBudget.push(v);
    used -= v.bytes;
  }
  return { aged: sorted.filter((v) => aged.has(v)), overBudget };
}
