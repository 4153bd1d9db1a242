/**
 * Rate limiting as pure, clock-injected pieces: token buckets (per connection,
 * or keyed by user or address), and a strike window that turns repeated abuse
 * into a close. The client uses TokenBucket too, to stay under the room's rate.
 */

/** Classic token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is available (0 if one is). */
  retryAfterMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.last = now;
  }
}

/** Counts rejected frames in a sliding window; `record` says when the limit is crossed. */
export class StrikeWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Records a strike; true once more than `max` fall inside the window. */
  record(now: number): boolean {
    this.times.push(now);
    while (this.times.length && now - this.times[0]! > this.windowMs) this.times.shift();
    return this.times.length > this.max;
  }

  /** Strikes inside the window at `now` (the inspector shows it). */
  count(now: number): number {
    return this.times.filter((t) => now - t <= this.windowMs).length;
  }
}

/**
 * Buckets keyed by an id (users, addresses), least recently used first. A bucket
 * idle long enough to have refilled is forgotten (a new one would be the
 * same), and past `maxKeys` the least recently used goes.
 */
export class BucketMap {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): boolean {
    const idleMs = (this.burst / this.perSecond) * 1000;
    for (const [k, entry] of this.buckets) {
      if (now - entry.used <= idleMs) break;
      this.buckets.delete(k);
    }
    const entry = this.buckets.get(key) ?? { bucket: new TokenBucket(this.burst, this.perSecond, now), used: now };
    this.buckets.delete(key);
    entry.used = now;
    this.buckets.set(key, entry);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return entry.bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }
}
