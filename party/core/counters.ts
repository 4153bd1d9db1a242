/**
 * What a room counts about itself, for the inspector and the metrics: plain
 * numbers since this instance started (a wake starts them again; the metrics
 * say so with the instance start time), and the latest refusals and closes.
 */
import type { InspectEvent } from "../protocol";

/** Recent refusals and closes kept for the inspector. */
export const RECENT_EVENTS = 50;

export class RoomCounters {
  /** This instance: a woken room is a new one (random values cannot be made at module scope in workerd). */
  readonly instanceId = crypto.randomUUID();
  readonly startedAt = Date.now();
  wakeups = 0;
  chatMessages = 0;
  docUpdates = 0;
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  readonly refusals = new Map<string, number>();
  readonly closes = new Map<number, number>();
  /** The latest refusals and closes, oldest first. */
  readonly recentRefusals: InspectEvent[] = [];
  readonly recentCloses: InspectEvent[] = [];

  received(bytes: number): void {
    this.framesIn++;
    this.bytesIn += bytes;
  }

  sent(bytes: number): void {
    this.framesOut++;
    this.bytesOut += bytes;
  }

  refused(code: string, at: number, session?: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
    keep(this.recentRefusals, { at, code, ...(session ? { session } : {}) });
  }

  closed(code: number, at: number, session: string, reason: string): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
    keep(this.recentCloses, { at, code, reason, session });
  }
}

function keep(list: InspectEvent[], event: InspectEvent): void {
  list.push(event);
  if (list.length > RECENT_EVENTS) list.shift();
}
