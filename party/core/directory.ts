/**
 * The directory of rooms: what each room last reported (directory-report.ts),
 * kept in storage under `room:<id>`. Bounded: rooms that emptied more than
 * EMPTY_KEPT_MS ago are forgotten (looked for every PRUNE_EVERY_MS), and past
 * DIRECTORY_MAX entries the longest-empty (then the longest-silent) go first,
 * at once. A room that went quiet in a way it could not report (see
 * directory-report.ts) shows its last report's age, so the list never claims
 * more than it knows.
 */
import type { DirectoryEntry, DirectoryList, DirectoryReport } from "../protocol";
import type { RoomStorage } from "./ports";
import { MetricsText } from "./prometheus";

/** Most rooms listed at once. */
export const DIRECTORY_MAX = 10_000;
/** An emptied room stays listed this long. */
export const EMPTY_KEPT_MS = 24 * 60 * 60 * 1000;
/**
 * Rooms emptied more than EMPTY_KEPT_MS ago are looked for at most this often. The directory is one instance that
 * every room reports to (each at most every REPORT_EVERY_MS): walking all its entries on every report made each
 * report cost the whole list. Past DIRECTORY_MAX it prunes at once.
 */
export const PRUNE_EVERY_MS = 60_000;
/** Rooms with the most connections get their own sample in the metrics; the rest are only in the sums. */
export const METRICS_ROOMS_MAX = 100;

const PREFIX = "room:";

export class Directory {
  reports = 0;
  private prunedAt = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly storage: RoomStorage,
    private readonly entries: Map<string, DirectoryEntry>,
  ) {}

  static async load(storage: RoomStorage): Promise<Directory> {
    const entries = new Map<string, DirectoryEntry>();
    for (const [key, entry] of await storage.list<DirectoryEntry>({ prefix: PREFIX })) entries.set(key.slice(PREFIX.length), entry);
    return new Directory(storage, entries);
  }

  /** Takes a room's report (a stale one, from an older instance, never overwrites a newer). */
  async apply(report: DirectoryReport, now: number): Promise<void> {
    this.reports++;
    const old = this.entries.get(report.room);
    if (old && old.reportedAt > report.reportedAt) return;
    const startedAt = report.connections === 0 ? null : report.state === "started" ? (report.startedAt ?? report.reportedAt) : (old?.startedAt ?? report.startedAt ?? report.reportedAt);
    const entry: DirectoryEntry = { ...report, startedAt };
    this.entries.set(report.room, entry);
    await this.storage.put(PREFIX + report.room, entry);
    await this.prune(now);
  }

  /** Every room, the busiest first, then the most recently reported. */
  list(): DirectoryList {
    const rooms = [...this.entries.values()].sort((a, b) => b.connections - a.connections || b.reportedAt - a.reportedAt);
    const active = rooms.filter((r) => r.connections > 0);
    return { rooms, total: rooms.length, active: active.length, connections: active.reduce((n, r) => n + r.connections, 0) };
  }

  /** The directory's metrics text. */
  metrics(): string {
    const { rooms, active } = this.list();
    const sums = new Map<string, { kind: string; n: number }>();
    const transports = new Map<string, number>();
    for (const r of rooms) {
      for (const [kind, n] of Object.entries(r.byKind)) sums.set(kind, { kind, n: (sums.get(kind)?.n ?? 0) + n });
      for (const [t, n] of Object.entries(r.byTransport)) transports.set(t, (transports.get(t) ?? 0) + n);
    }
    return new MetricsText()
      .family("partyroom_directory_rooms", "gauge", "Rooms the directory lists, by state (active: connections > 0; empty: emptied within the last 24 h).", [
        [{ state: "active" }, active],
        [{ state: "empty" }, rooms.length - active],
      ])
      .family("partyroom_directory_connections", "gauge", "Connections in all listed rooms by kind, as last reported.", [...sums.values()].map((s) => [{ kind: s.kind }, s.n]))
      .family("partyroom_directory_connections_by_transport", "gauge", "Connections in all listed rooms by transport, as last reported.", [...transports].map(([transport, n]) => [{ transport }, n]))
      .family("partyroom_directory_room_connections", "gauge", `Connections per room as last reported (the ${METRICS_ROOMS_MAX} busiest active rooms).`, rooms.filter((r) => r.connections > 0).slice(0, METRICS_ROOMS_MAX).map((r) => [{ room: r.room }, r.connections]))
      .one("partyroom_directory_reports_total", "counter", "Reports from rooms taken by this directory instance.", {}, this.reports)
      .toString();
  }

  private async prune(now: number): Promise<void> {
    if (this.entries.size <= DIRECTORY_MAX && now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const gone: string[] = [];
    for (const [room, e] of this.entries) if (e.connections === 0 && now - e.reportedAt > EMPTY_KEPT_MS) gone.push(room);
    const over = this.entries.size - gone.length - DIRECTORY_MAX;
    if (over > 0) {
      const rest = [...this.entries.values()].filter((e) => !gone.includes(e.room)).sort((a, b) => Number(a.connections > 0) - Number(b.connections > 0) || a.reportedAt - b.reportedAt);
      gone.push(...rest.slice(0, over).map((e) => e.room));
    }
    if (!gone.length) return;
    for (const room of gone) this.entries.delete(room);
    await this.storage.delete(gone.map((room) => PREFIX + room));
  }
}
