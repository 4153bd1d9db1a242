/**
 * Where a woken room's first milliseconds went: each step of the wake, once,
 * as milliseconds since the instance started. A cold load (the first client
 * after the room was evicted) waits for all of them, so these are the
 * evidence for what it costs beyond the platform's own (issue 12).
 *
 * In workerd `Date.now()` moves only across I/O, so a step's time is what
 * the room waited for (storage, the network), not its CPU; the CPU is
 * profiled apart (`npm run bench:profile-connect`).
 */

/** The steps, in the order a cold load passes them. */
export const WAKE_STEPS = [
  /** The room's id read from storage (host). */
  "id",
  /** Chat log, jobs and alarm read: the core exists (host). */
  "core",
  /** Operator tools attached: wake-up count, directory flag (host). */
  "ops",
  /** Every connection open before the wake restored: the room takes events. */
  "ready",
  /** The first new connection admitted and its open answered (host). */
  "connected",
  /** The first frame that needed the document asked for it. */
  "docRequested",
  /** The document read from storage and applied. */
  "docLoaded",
] as const;
export type WakeStep = (typeof WAKE_STEPS)[number];

export class WakeTimeline {
  private readonly marks = new Map<WakeStep, number>();

  constructor(private readonly origin: number) {}

  /** Marks `step` at `at` (ms since the epoch); the first mark of a step stands. */
  mark(step: WakeStep, at: number): void {
    if (!this.marks.has(step)) this.marks.set(step, at - this.origin);
  }

  /** Each step reached so far, in milliseconds since the instance started, in wake order. */
  steps(): { step: WakeStep; ms: number }[] {
    return WAKE_STEPS.filter((s) => this.marks.has(s)).map((step) => ({ step, ms: this.marks.get(step)! }));
  }
}
