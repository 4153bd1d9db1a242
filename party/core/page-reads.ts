/**
 * Chat pages are read and sent a few at a time per room (MEMORY.pageReads).
 * A page is up to LIMITS.pageBytes read from storage and serialised again to
 * send, and flow control (flow.ts, unread.ts) can only close a link once its
 * page is in the link's count: 768 `sync` requests from sessions that never
 * read, arriving together, built every page at once and took the room's
 * memory with them. Queued, they are built one after another, each counted
 * (and its link closed past its budget) before the next; a request whose link
 * was closed while it waited reads nothing.
 */
export class PageReads {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** Runs `work` once fewer than `max` others are running; the slot passes straight to the next in line. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Requests waiting for a slot (what tests/unit/page-reads.test.ts checks the queue by). */
  get queued(): number {
    return this.waiting.length;
  }
}
