/**
 * Heartbeat + TTL presence, as a plain module: no sockets, no clock of its own.
 *
 * Everyone is counted; the first LIMITS.presenceListed people to arrive are
 * listed (their joins, changes and leaves go to everyone); past them a person
 * only changes the count, which every join and leave delta carries. When a
 * listed person leaves, the next to have arrived is listed in their place (a
 * `join` in the same delta), so the list is always the longest-present people
 * and the same after a wake: entries keep their person's arrival number.
 *
 * Entries are per connection (keyed by the room's own connection id); people
 * are the entries folded by `clientId`, so one user in two tabs is one person
 * with two connections. Every mutation returns the delta to broadcast (or
 * null). When a connection was last seen is the session's to know (one value,
 * `lastSeenOf`); expiry is decided by the room's one deadline rule
 * (deadlines.ts), which then calls `leave`.
 */
import { LIMITS, type Person, type PresenceDelta, type Status } from "../protocol";

/** What one connection contributes to presence. */
export type PresenceEntry = {
  clientId: string;
  name: string;
  color: string;
  status: Status;
  /** When name/colour/status last changed: the newest wins when tabs disagree. */
  updatedAt: number;
  /** The person's arrival number in this room (all their tabs share it): who is listed after a wake. Absent in records from before it. */
  arrived?: number;
};

/** Someone arrived (their first tab) or left (their last): for the room's events, listed or not. */
export type PeopleChange = { type: "joined"; person: Person } | { type: "left"; clientId: string };

export type PresencePatch = Partial<Pick<PresenceEntry, "name" | "color" | "status">>;

const statusRank: Record<Status, number> = { active: 2, idle: 1, away: 0 };

/** Per-room presence table, indexed by person so folding one costs only their tabs. */
export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  /**
   * clientId -> its connection ids, in arrival order of the person. An array,
   * not a Set: a person has a tab or a few, and a Set's table costs each
   * person of a crowd more than the array and its ids.
   */
  private readonly byClient = new Map<string, string[]>();
  /** The clientIds listed to everyone: always the first `listedMax` of `byClient`. */
  private readonly listed = new Set<string>();
  private arrivals = 0;

  constructor(
    private readonly lastSeenOf: (connectionId: string) => number,
    private readonly listedMax: number = LIMITS.presenceListed,
    private readonly onChange: (change: PeopleChange) => void = () => {},
  ) {}

  /** Number of connections present. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of people present, listed or not. */
  get count(): number {
    return this.byClient.size;
  }

  /** Whether everyone sees this person's changes (else only the count, and their own tabs). */
  isListed(clientId: string): boolean {
    return this.listed.has(clientId);
  }

  /** The connection ids of one person's tabs (none if they are not here). */
  tabsOf(clientId: string): readonly string[] {
    return this.byClient.get(clientId) ?? [];
  }

  /** The entry of one connection (its record keeps a copy, so a woken room can rebuild presence). */
  entry(connectionId: string): PresenceEntry | undefined {
    return this.entries.get(connectionId);
  }

  /** A connection said hello; its name and colour become the person's. */
  join(connectionId: string, entry: PresenceEntry): PresenceDelta | null {
    const tabs = this.byClient.get(entry.clientId);
    const known = tabs !== undefined && tabs.length > 0;
    entry.arrived = known ? this.entries.get(tabs[0]!)!.arrived : ++this.arrivals;
    this.add(connectionId, entry);
    for (const id of this.byClient.get(entry.clientId)!) {
      const other = this.entries.get(id)!;
      other.name = entry.name;
      other.color = entry.color;
    }
    const person = this.person(entry.clientId)!;
    if (known) return this.listed.has(entry.clientId) ? { type: "presence", update: [person] } : null;
    this.onChange({ type: "joined", person });
    // Nobody unlisted is here while the list has room (a leave lists the next): the newcomer is listed iff there is room.
    if (this.listed.size >= this.listedMax) return { type: "presence", people: this.count };
    this.listed.add(entry.clientId);
    return { type: "presence", join: [person], people: this.count };
  }

  /** Puts back an entry after the room woke up: no delta, nobody saw it leave. Call `restored` after the last. */
  restore(connectionId: string, entry: PresenceEntry): void {
    this.add(connectionId, entry);
    this.arrivals = Math.max(this.arrivals, entry.arrived ?? 0);
  }

  /**
   * Every entry is back: people in their arrival order again (connections come
   * back in any order) and the list as it was, so no client keeps someone
   * listed whose leave the room would no longer announce.
   */
  restored(): void {
    const arrivalOf = (clientId: string) => this.entries.get(this.byClient.get(clientId)![0]!)!.arrived ?? 0;
    const order = [...this.byClient.entries()].sort(([a], [b]) => arrivalOf(a) - arrivalOf(b));
    this.byClient.clear();
    this.listed.clear();
    for (const [clientId, tabs] of order) {
      this.byClient.set(clientId, tabs);
      if (this.listed.size < this.listedMax) this.listed.add(clientId);
    }
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
    const at = tabs.indexOf(connectionId);
    if (at >= 0) tabs.splice(at, 1);
    if (tabs.length > 0) return this.listed.has(entry.clientId) ? { type: "presence", update: [this.person(entry.clientId)!] } : null;
    this.byClient.delete(entry.clientId);
    this.onChange({ type: "left", clientId: entry.clientId });
    if (!this.listed.delete(entry.clientId)) return { type: "presence", people: this.count };
    const next = this.firstUnlisted();
    if (next === undefined) return { type: "presence", leave: [entry.clientId], people: this.count };
    this.listed.add(next);
    return { type: "presence", join: [this.person(next)!], leave: [entry.clientId], people: this.count };
  }

  /** Everyone here, oldest arrival first (the room's state over HTTP, the inspector). */
  people(): Person[] {
    return [...this.byClient.keys()].map((id) => this.person(id)!);
  }

  /** The listed people, oldest arrival first, and `clientId` after them if they are not listed: what a welcome carries. */
  listedFor(clientId: string): Person[] {
    const out = [...this.listed].map((id) => this.person(id)!);
    const own = this.listed.has(clientId) ? undefined : this.person(clientId);
    return own ? [...out, own] : out;
  }

  /** One person folded from their connections, or undefined if none are left. */
  person(clientId: string): Person | undefined {
    const tabs = this.byClient.get(clientId);
    if (!tabs || tabs.length === 0) return undefined;
    let newest: PresenceEntry | undefined;
    let status: Status = "away";
    let lastSeen = 0;
    for (const id of tabs) {
      const entry = this.entries.get(id)!;
      if (!newest || entry.updatedAt >= newest.updatedAt) newest = entry;
      if (statusRank[entry.status] > statusRank[status]) status = entry.status;
      lastSeen = Math.max(lastSeen, this.lastSeenOf(id));
    }
    return { clientId, name: newest!.name, color: newest!.color, status, connections: tabs.length, lastSeen };
  }

  /** The longest-present person not listed: the listed are the first of `byClient`, so this walks at most the list. */
  private firstUnlisted(): string | undefined {
    for (const id of this.byClient.keys()) if (!this.listed.has(id)) return id;
    return undefined;
  }

  private add(connectionId: string, entry: PresenceEntry): void {
    this.entries.set(connectionId, entry);
    const tabs = this.byClient.get(entry.clientId);
    if (!tabs) this.byClient.set(entry.clientId, [connectionId]);
    else if (!tabs.includes(connectionId)) tabs.push(connectionId);
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
 * leave becomes an update. The later count wins.
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
  const people = b.people ?? a.people;
  if (people !== undefined) out.people = people;
  return out.join || out.update || out.leave || people !== undefined ? out : null;
}
