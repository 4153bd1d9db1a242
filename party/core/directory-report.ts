/**
 * Tells the directory (party/directory.ts) how big this room is: when it
 * starts (first connection after being empty), when it empties, and when its
 * number of connections changes, debounced: at most one "changed" report per
 * REPORT_EVERY_MS, the last change always reported (a `directory` job sends
 * it when the window closes). Never per frame.
 *
 * A start is reported when its first window closes, with the room's size then
 * and the time it started, not at once: the directory's work for a report
 * (waking its instance, storing the entry) ran in the same isolate as the
 * room under `partykit dev`, and done at the start it landed on the first
 * client's load of a woken room (the cold loads of `npm run bench -- --only
 * yjs-load`, measured with reports on and off). An empty room is reported at
 * once: nobody waits on it.
 *
 * The host's `send` may be unable to reach the directory (PartyKit gives a
 * room no way to call another party from an alarm-started instance); then
 * the report waits, marked in storage, for the next event that can send it.
 */
import type { DirectoryReport } from "../protocol";
import type { RoomCore } from "./room";
import type { RoomEvent } from "./room-events";

/** Sends a report; false when the directory cannot be reached from here right now. */
export type SendReport = (report: DirectoryReport) => boolean;

export const REPORT_EVERY_MS = 2_000;
export const DIRECTORY_JOB = "directory";
const PENDING_KEY = "dir:pending";

export class DirectoryReporter {
  private lastSentAt = 0;
  private pending = false;
  /** What storage says of `pending` (a report owed that an instance could not send). */
  private storedPending = false;
  /** When this instance saw the room go from empty to occupied; null while empty, or when it woke occupied. */
  private startedAt: number | null = null;
  /** The start is not reported yet (it goes when its first window closes). */
  private startPending = false;

  private constructor(
    private readonly core: RoomCore,
    private readonly send: SendReport,
  ) {}

  /** Attaches a reporter to a room; a report a previous instance could not send goes out at the first chance. */
  static async attach(core: RoomCore, send: SendReport): Promise<DirectoryReporter> {
    const reporter = new DirectoryReporter(core, send);
    reporter.pending = reporter.storedPending = (await core.deps.storage.get<boolean>(PENDING_KEY)) === true;
    core.jobs.register(DIRECTORY_JOB, (now) => reporter.flush(now));
    core.events.on((event, now) => reporter.onEvent(event, now));
    return reporter;
  }

  /**
   * Sends a report still owed, if any (the host calls it on events that can reach the directory): one that could not
   * be sent, or a change whose window has closed. A change inside its window waits for the window's job: flushing it
   * on every connect sent a report, and held the socket's open for it, on each connect of a crowd arriving.
   */
  flush(now: number): void {
    if (!this.pending) return;
    if (now >= this.dueAt()) this.report(this.startPending ? "started" : "changed", now);
    else this.scheduleFlush();
  }

  private onEvent(event: RoomEvent, now: number): void {
    if (event.type === "started") {
      this.startedAt = now;
      this.startPending = true;
      this.pending = true;
      this.scheduleFlush();
    } else if (event.type === "emptied") {
      this.startedAt = null;
      this.startPending = false;
      this.report("emptied", now);
    } else if (event.type === "size") {
      this.pending = true;
      this.flush(now);
    }
  }

  /** When the report owed may go: a start when its first window closes, a change when the last report's has. */
  private dueAt(): number {
    return (this.startPending && this.startedAt !== null ? this.startedAt : this.lastSentAt) + REPORT_EVERY_MS;
  }

  /** Has the window's job run the flush when the report owed is due (a job due earlier flushes and comes back here). */
  private scheduleFlush(): void {
    const due = this.core.jobs.dueAt(DIRECTORY_JOB);
    if (due === undefined || due > this.dueAt()) this.core.schedule(DIRECTORY_JOB, this.dueAt());
  }

  private report(state: DirectoryReport["state"], now: number): void {
    const byKind: Record<string, number> = {};
    const byTransport: Record<string, number> = {};
    for (const s of this.core.sessions.values()) {
      byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
      byTransport[s.transport] = (byTransport[s.transport] ?? 0) + 1;
    }
    const sent = this.send({
      room: this.core.deps.roomId,
      connections: this.core.sessions.size,
      byKind,
      byTransport,
      state,
      reportedAt: now,
      ...(this.startedAt !== null ? { startedAt: this.startedAt } : {}),
      instanceId: this.core.counters.instanceId,
    });
    this.pending = !sent;
    if (sent) {
      this.lastSentAt = now;
      this.startPending = false;
    }
    if (this.storedPending === this.pending) return;
    this.storedPending = this.pending;
    void this.core.deps.storage.put(PENDING_KEY, this.pending).catch((err: unknown) => this.core.deps.log?.("partyroom: saving the directory flag failed", err));
  }
}
