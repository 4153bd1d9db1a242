/**
 * The room's clock on the platform. A hibernatable Durable Object runs a
 * timer only while the event that set it is still running: a presence batch
 * scheduled 20 ms after a message is silently dropped once that message's
 * handler has returned (seen under `partykit dev` while this room was built).
 * So every timer the core sets is remembered, and each event handler waits for
 * the timers set during it (`drain`) before it returns. The core's timers are
 * all short (presence windows, rate-limit retries). (A small hibernating party
 * on partykit 0.0.115 kept a 300 ms timer after its onConnect and onMessage
 * returned; the rule stays until a test shows when timers are dropped.)
 *
 * Requests to another party (directory reports) are tracked apart: every
 * later `drain` waits for them, so the room keeps running until they settle,
 * but `since` (a socket's open) does not. Under `partykit dev` 0.0.115 such a
 * request outlives the event that started it (an onConnect that returned at
 * once still had its report arrive: tests/integration/ops-directory.test.ts),
 * and a report lost anyway is made good by the room's next one, which carries
 * its whole size (core/directory-report.ts).
 */
import type { Clock } from "../core/ports";

/**
 * How long after an event `afterReply` runs: past a woken room's first load (its first client's open, sync step 1 and
 * answer take a few ms), and short enough that a room seldom sleeps first (hibernating rooms are evicted after about
 * 10 s without events).
 */
export const AFTER_REPLY_MS = 1_000;

export class EventClock implements Clock {
  /** Numbers timers in the order they were set, so an event can tell its own from earlier ones. */
  private counter = 0;
  private readonly pending = new Map<ReturnType<typeof setTimeout>, { n: number; done: Promise<void>; end: () => void }>();
  private readonly tracked = new Set<Promise<void>>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    let timer!: ReturnType<typeof setTimeout>;
    let end!: () => void;
    const done = new Promise<void>((resolve) => {
      end = resolve;
      timer = setTimeout(() => {
        this.pending.delete(timer);
        try {
          fn();
        } finally {
          resolve();
        }
      }, ms);
    });
    this.pending.set(timer, { n: ++this.counter, done, end });
    return timer;
  }

  /** A cleared timer counts as done: a `since` already waiting for it settles instead of hanging. */
  clearTimeout(timer: unknown): void {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
    this.pending.get(timer as ReturnType<typeof setTimeout>)?.end();
    this.pending.delete(timer as ReturnType<typeof setTimeout>);
  }

  /** Resolves once every timer set so far (and any they set) has fired or been cleared, and every tracked promise settled. */
  async drain(): Promise<void> {
    for (let waits = this.all(); waits.length > 0; waits = this.all()) await Promise.race(waits);
  }

  /** Where an event begins: `since(mark)` later gives what it set going. */
  mark(): number {
    return this.counter;
  }

  /**
   * Settles once the timers set after `mark` (and still pending at this call)
   * have fired: an event's own, when it has not awaited since its mark. Unlike
   * `drain`, it waits neither for other events' timers nor for tracked requests.
   */
  async since(mark: number): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const { n, done } of this.pending.values()) if (n > mark) waits.push(done);
    await Promise.all(waits);
  }

  /** Every pending timer and tracked request. */
  private all(): Promise<void>[] {
    return [...Array.from(this.pending.values(), (p) => p.done), ...this.tracked];
  }

  /**
   * Runs `fn` AFTER_REPLY_MS from now, on a timer that no `since` or `drain`
   * waits for (they would put it back before the event's answer). For writes
   * nobody waits on: under `partykit dev` a write costs the room's thread its
   * commit, which held a socket's open when issued in onConnect (bench:open-read)
   * and, issued right after, the first client's sync step 1 instead.
   */
  afterReply(fn: () => void): void {
    setTimeout(fn, AFTER_REPLY_MS);
  }

  /** Keeps the room running until `work` settles (a request to another party): every later `drain` waits for it. */
  track(work: Promise<unknown>): void {
    const done: Promise<void> = work.then(
      () => void this.tracked.delete(done),
      () => void this.tracked.delete(done),
    );
    this.tracked.add(done);
  }
}
