/**
 * Heartbeat + TTL presence, as a plain module: no sockets, no clock of its own.
 *
 * Entries are per connection (keyed by the room's own connection id); people
 * are the entries folded by `clientId`, so one user in two tabs is one person
 * with two connections. Every mutation returns the delta to broadcast (or
 * null). When a connection was last seen is the session's to know (one value,
 * `lastSeenOf`); expiry is decided by the room's one deadline rule
 * (deadlines.ts), which then calls `leave`.
 */
import type { Person, PresenceDelta, Status } from "../protocol";

/** What one connection contributes to presence. */
export type PresenceEntry = {
  clientId: string;
  name: string;
  color: string;
  status: Status;
  /** When name/colour/status last changed: the newest wins when tabs disagree. */
  updatedAt: number;
};

export type PresencePatch = Partial<Pick<PresenceEntry, "name" | "color" | "status">>;

const statusRank: Record<Status, number> = { active: 2, idle: 1, away: 0 };

/** Per-room presence table, indexed by person so folding one costs only their tabs. */
export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  /** clientId -> its connection ids, in arrival order of the person. */
  private readonly byClient = new Map<string, Set<string>>();

  constructor(private readonly lastSeenOf: (connectionId: string) => number) {}

  /** Number of connections present. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry of one connection (its record keeps a copy, so a woken room can rebuild presence). */
  entry(connectionId: string): PresenceEntry | undefined {
    return this.entries.get(connectionId);
  }

  /** A connection said hello; its name and colour become the person's. */
  join(connectionId: string, entry: PresenceEntry): PresenceDelta | null {
    const tabs = this.byClient.get(entry.clientId);
    const known = tabs !== undefined && tabs.size > 0;
    this.add(connectionId, entry);
    for (const id of this.byClient.get(entry.clientId)!) {
      const other = this.entries.get(id)!;
      other.name = entry.name;
      other.color = entry.color;
    }
    const person = this.person(entry.clientId)!;
    return known ? { type: "presence", update: [person] } : { type: "presence", join: [person] };
  }

  /** Puts back an entry after the room woke up: no delta, nobody saw it leave. */
  restore(connectionId: string, entry: PresenceEntry): void {
    this.add(connectionId, entry);
  }

  /** Name, colour or status changed. Returns null when nothing visible changed. */
  update(connectionId: string, patch: PresencePatch, now: number): PresenceDelta | null {
    const entry = this.entries.get(connectionId);
    if (!entry) return null;
    const before = visible(this.person(entry.clientId)!);
    if (patch.status !== undefined) entry.status = patch.status;
    entry.updatedAt = now;
    // Tabs of one person share name and colour: the change is the person's.
    for (const id of this.byClient.get(entry.clientId)!) {
      const other = this.entries.get(id)!;
      if (patch.name !== undefined) other.name = patch.name;
      if (patch.color !== undefined) other.color = patch.color;
    }
    const person = this.person(entry.clientId)!;
    return visible(person) === before ? null : { type: "presence", update: [person] };
  }

  /** A connection closed or was swept. */
  leave(connectionId: string): PresenceDelta | null {
    const entry = this.entries.get(connectionId);
    if (!entry) return null;
    this.entries.delete(connectionId);
    const tabs = this.byClient.get(entry.clientId)!;
    tabs.delete(connectionId);
    if (tabs.size === 0) {
      this.byClient.delete(entry.clientId);
      return { type: "presence", leave: [entry.clientId] };
    }
    return { type: "presence", update: [this.person(entry.clientId)!] };
  }

  /** Everyone here, oldest arrival first. */
  people(): Person[] {
    return [...this.byClient.keys()].map((id) => this.person(id)!);
  }

  /** One person folded from their connections, or undefined if none are left. */
  person(clientId: string): Person | undefined {
    const tabs = this.byClient.get(clientId);
    if (!tabs || tabs.size === 0) return undefined;
    let newest: PresenceEntry | undefined;
    let status: Status = "away";
    let lastSeen = 0;
    for (const id of tabs) {
      const entry = this.entries.get(id)!;
      if (!newest || entry.updatedAt >= newest.updatedAt) newest = entry;
      if (statusRank[entry.status] > statusRank[status]) status = entry.status;
      lastSeen = Math.max(lastSeen, this.lastSeenOf(id));
    }
    return { clientId, name: newest!.name, color: newest!.color, status, connections: tabs.size, lastSeen };
  }

  private add(connectionId: string, entry: PresenceEntry): void {
    this.entries.set(connectionId, entry);
    let tabs = this.byClient.get(entry.clientId);
    if (!tabs) this.byClient.set(entry.clientId, (tabs = new Set()));
    tabs.add(connectionId);
  }
}

/** What others see of a person; lastSeen changes alone are not broadcast. */
function visible(p: Person): string {
  return `${p.name}\u0000${p.color}\u0000${p.status}\u0000${p.connections}`;
}

/**
 * Folds two deltas into one, so a sweep or a burst goes out as a single
 * message. A later state of a person replaces an earlier one; a leave cancels
 * an earlier join or update of the same person, and a later join after a
 * leave becomes an update.
 */
export function mergeDeltas(a: PresenceDelta | null, b: PresenceDelta | null): PresenceDelta | null {
  if (!a) return b;
  if (!b) return a;
  const join = new Map((a.join ?? []).map((p) => [p.clientId, p]));
  const update = new Map((a.update ?? []).map((p) => [p.clientId, p]));
  const leave = new Set(a.leave ?? []);
  for (const p of b.join ?? []) {
    if (leave.delete(p.clientId)) update.set(p.clientId, p);
    else join.set(p.clientId, p);
  }
  for (const p of b.update ?? []) {
    if (join.has(p.clientId)) join.set(p.clientId, p);
    else update.set(p.clientId, p);
  }
  for (const id of b.leave ?? []) {
    update.delete(id);
    if (!join.delete(id)) leave.add(id);
  }
  const out: PresenceDelta = { type: "presence" };
  if (join.size) out.join = [...join.values()];
  if (update.size) out.update = [...update.values()];
  if (leave.size) out.leave = [...leave];
  return out.join || out.update || out.leave ? out : null;
}
