/**
 * Room-level deadlines that must survive hibernation (an automatic document
 * version, a webhook retry): a job is a name and a time, kept in storage, and
 * run by the room's alarm, which already carries every session deadline. A
 * timer would not do: a hibernating room runs timers only during the event
 * that set them, and is evicted after seconds of quiet.
 */
import type { RoomStorage } from "./ports";

const PREFIX = "job:";

/** Runs a function once the event under way has answered its client (`RoomDeps.afterReply`, room-links.ts). */
export type AfterReply = (fn: () => void) => void;

export type JobHandler = (now: number) => Promise<void> | void;

export class RoomJobs {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly due = new Map<string, number>();

  private constructor(
    private readonly storage: RoomStorage,
    private readonly later: AfterReply,
    private readonly log?: (message: string, err?: unknown) => void,
  ) {}

  /** The jobs a room had scheduled before it last slept; `later` stores a schedule (at once when absent: tests). */
  static async load(storage: RoomStorage, later: AfterReply = (fn) => fn(), log?: (message: string, err?: unknown) => void): Promise<RoomJobs> {
    const jobs = new RoomJobs(storage, later, log);
    for (const [key, at] of await storage.list<number>({ prefix: PREFIX })) jobs.due.set(key.slice(PREFIX.length), at);
    return jobs;
  }

  /** What runs when `name` falls due. Register before scheduling (modules do it when the core is built). */
  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  /**
   * Runs `name` at `at` (replacing an earlier schedule of it); the caller arms the alarm (RoomCore.schedule). Due at
   * once in memory; stored by `later`, after the event under way has answered (a room's start schedules its
   * directory report on its first connect, where a write held the load: host/clock.ts). What is stored is the
   * schedule as it stands then, so a cancel or a newer schedule in between wins. A room evicted before that wakes by
   * the alarm without the job: the directory report it was for waits for the room's next change.
   */
  schedule(name: string, at: number): void {
    this.due.set(name, at);
    this.later(() => {
      const due = this.due.get(name);
      if (due !== undefined) this.storage.put(PREFIX + name, due).catch((err: unknown) => this.log?.(`partyroom: storing job ${name} failed`, err));
    });
  }

  /** Drops a scheduled job. */
  async cancel(name: string): Promise<void> {
    if (!this.due.delete(name)) return;
    await this.storage.delete(PREFIX + name);
  }

  /** When `name` is due, if it is scheduled. */
  dueAt(name: string): number | undefined {
    return this.due.get(name);
  }

  /** The earliest scheduled job, or null. */
  earliest(): number | null {
    let min: number | null = null;
    for (const at of this.due.values()) if (min === null || at < min) min = at;
    return min;
  }

  /** Runs every job due by `now`; one that throws is logged and does not stop the others. */
  async run(now: number, log?: (message: string, err?: unknown) => void): Promise<void> {
    for (const [name, at] of [...this.due]) {
      if (at > now) continue;
      await this.cancel(name);
      try {
        await this.handlers.get(name)?.(now);
      } catch (err) {
        log?.(`partyroom: job ${name} failed`, err);
      }
    }
  }
}
