/**
 * What a room counts about itself, for the inspector and the metrics: plain
 * numbers since this instance started (a wake starts them again; the metrics
 * say so with the instance start time).
 */
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

  received(bytes: number): void {
    this.framesIn++;
    this.bytesIn += bytes;
  }

  sent(bytes: number): void {
    this.framesOut++;
    this.bytesOut += bytes;
  }

  refused(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  closed(code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
  }
}
