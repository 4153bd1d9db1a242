/**
 * Reconnect delays: exponential growth with per-attempt jitter.
 *
 * Why jitter: when a room server restarts, every client loses its socket at
 * the same instant. Without jitter they all come back on the same schedule
 * (partysocket's own backoff is deterministic) and hit the new process in
 * synchronized waves. "Full jitter" spreads each wave over the whole window.
 * A small floor keeps a client from spinning when the random draw is ~0.
 */

/** Shape of the backoff curve, in milliseconds. */
export type BackoffOptions = {
  /** Window of the first retry; doubles per attempt. */
  baseMs: number;
  /** Largest window, however many attempts failed. */
  capMs: number;
  /** No delay is shorter than this (clamped to the window). */
  floorMs: number;
};

/** Defaults: first retry within 0.5 s, never more than 15 s apart. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 15_000, floorMs: 100 };

/** A source of uniform numbers in [0, 1), like Math.random; tests pass a seeded one. */
export type Random = () => number;

/** The exponential window for retry `attempt` (1 = first retry): min(cap, base * 2^(attempt-1)). */
export function backoffWindow(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (attempt <= 0) return 0;
  // Exponent capped so huge attempt counts cannot overflow to Infinity/NaN.
  const grown = options.baseMs * 2 ** Math.min(attempt - 1, 30);
  return Math.min(options.capMs, grown);
}

/**
 * Delay before retry `attempt`: uniform in [floor, window] ("full jitter").
 * Attempt 0 (the first connection, or one forced by reconnectNow) is immediate.
 */
export function backoffDelay(attempt: number, random: Random, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const window = backoffWindow(attempt, options);
  if (window === 0) return 0;
  const floor = Math.min(options.floorMs, window);
  return Math.round(floor + random() * (window - floor));
}

/** A deterministic Random (mulberry32) for tests and reproducible simulations. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
