/**
 * The room's clock on the platform. A hibernatable Durable Object runs a
 * timer only while the event that set it is still running: a presence batch
 * scheduled 20 ms after a message is silently dropped once that message's
 * handler has returned (seen under `partykit dev`). So every timer the core
 * sets is remembered, and each event handler waits for the timers set during
 * it (`drain`) before it returns. The core's timers are all short (presence
 * windows, rate-limit retries).
 */
import type { Clock } from "../core/ports";

export class EventClock implements Clock {
  private readonly pending = new Map<ReturnType<typeof setTimeout>, Promise<void>>();
  private readonly tracked = new Set<Promise<void>>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    let timer!: ReturnType<typeof setTimeout>;
    const done = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.pending.delete(timer);
        try {
          fn();
        } finally {
          resolve();
        }
      }, ms);
    });
    this.pending.set(timer, done);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
    this.pending.delete(timer as ReturnType<typeof setTimeout>);
  }

  /** Resolves once every timer set so far (and any they set) has fired or been cleared, and every tracked promise settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0 || this.tracked.size > 0) await Promise.race([...this.pending.values(), ...this.tracked]);
  }

  /** Keeps the current event running until `work` settles (a request to another party: it would be cut off with the event). */
  track(work: Promise<unknown>): void {
    const done: Promise<void> = work.then(
      () => void this.tracked.delete(done),
      () => void this.tracked.delete(done),
    );
    this.tracked.add(done);
  }
}
