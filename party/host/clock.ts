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
  /** Numbers timers and tracked work in the order they began, so an event can tell its own from earlier ones. */
  private counter = 0;
  private readonly pending = new Map<ReturnType<typeof setTimeout>, { n: number; done: Promise<void> }>();
  private readonly tracked = new Map<Promise<void>, number>();

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
    this.pending.set(timer, { n: ++this.counter, done });
    return timer;
  }

  clearTimeout(timer: unknown): void {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
    this.pending.delete(timer as ReturnType<typeof setTimeout>);
  }

  /** Resolves once every timer set so far (and any they set) has fired or been cleared, and every tracked promise settled. */
  async drain(): Promise<void> {
    for (let waits = this.after(0); waits.length > 0; waits = this.after(0)) await Promise.race(waits);
  }

  /** Where an event begins: `since(mark)` later gives what it set going. */
  mark(): number {
    return this.counter;
  }

  /**
   * Settles once the timers set and the work tracked after `mark` (and still
   * pending at this call) are done: an event's own, when it has not awaited
   * since its mark. Unlike `drain`, it does not wait for other events' timers.
   */
  async since(mark: number): Promise<void> {
    await Promise.all(this.after(mark));
  }

  /** The timers and tracked work begun after `mark` and still pending (all of them after 0). */
  private after(mark: number): Promise<void>[] {
    const waits: Promise<void>[] = [];
    for (const { n, done } of this.pending.values()) if (n > mark) waits.push(done);
    for (const [done, n] of this.tracked) if (n > mark) waits.push(done);
    return waits;
  }

  /** Keeps the current event running until `work` settles (a request to another party: it would be cut off with the event). */
  track(work: Promise<unknown>): void {
    const done: Promise<void> = work.then(
      () => void this.tracked.delete(done),
      () => void this.tracked.delete(done),
    );
    this.tracked.set(done, ++this.counter);
  }
}
