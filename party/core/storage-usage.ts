/**
 * How much storage a room uses. Durable Object storage does not say, so the
 * meter lists every key and adds up keys and serialised values; that reads
 * the whole room, so a measurement is reused for MEASURE_EVERY_MS (the
 * inspector asks every few seconds).
 */
import type { RoomStorage } from "./ports";

export const MEASURE_EVERY_MS = 30_000;
/** Keys read per list call while measuring. */
const PAGE = 1_000;

export type StorageUsage = { bytes: number; keys: number; measuredAt: number };

export class StorageMeter {
  private last: StorageUsage | null = null;
  private running: Promise<StorageUsage> | null = null;

  constructor(private readonly storage: RoomStorage) {}

  /** The latest measurement, measuring again when it is older than MEASURE_EVERY_MS. */
  usage(now: number): Promise<StorageUsage> {
    if (this.last && now - this.last.measuredAt < MEASURE_EVERY_MS) return Promise.resolve(this.last);
    this.running ??= this.measure(now).finally(() => (this.running = null));
    return this.running;
  }

  private async measure(now: number): Promise<StorageUsage> {
    let bytes = 0;
    let keys = 0;
    let start: string | undefined;
    for (;;) {
      // `start` is inclusive: after the first page, one more is read and the repeated key skipped.
      const want = start === undefined ? PAGE : PAGE + 1;
      const page = await this.storage.list<unknown>(start === undefined ? { limit: want } : { start, limit: want });
      for (const [key, value] of page) {
        if (key === start) continue;
        keys++;
        bytes += key.length + sizeOf(value);
        start = key;
      }
      if (page.size < want) break;
    }
    this.last = { bytes, keys, measuredAt: now };
    return this.last;
  }
}

function sizeOf(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (typeof value === "string") return new TextEncoder().encode(value).byteLength;
  return new TextEncoder().encode(JSON.stringify(value) ?? "").byteLength;
}
