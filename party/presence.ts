/**
 * Heartbeat + TTL presence, as a plain module: no sockets, no clock of its own.
 *
 * Entries are per socket (keyed by the room's own socket id); people are the
 * entries folded by `clientId`, so one user in two tabs is one person with two
 * connections. Every mutation returns the delta to broadcast (or null), and
 * `sweepExpired(now)` removes sockets silent for longer than the TTL: a socket
 * that stops talking leaves even if it never closes.
 */
import type { Person, PresenceDelta, Status } from "./protocol";

/** What one socket contributes to presence. */
export type PresenceEntry = {
  clientId: string;
  name: string;
  color: string;
  status: Status;
  lastSeen: number;
  /** When name/colour/status last changed: the newest wins when tabs disagree. */
  updatedAt: number;
};

export type PresencePatch = Partial<Pick<PresenceEntry, "name" | "color" | "status">>;

const statusRank: Record<Status, number> = { active: 2, idle: 1, away: 0 };

/** Per-room presence table. */
export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();

  constructor(private readonly ttlMs: number) {}

  /** Number of sockets present. */
  get size(): number {
    return this.entries.size;
  }

  has(socketId: string): boolean {
    return this.entries.has(socketId);
  }

  /** A socket said hello. */
  join(socketId: string, info: Omit<PresenceEntry, "lastSeen" | "updatedAt">, now: number): PresenceDelta | null {
    const known = this.connectionsOf(info.clientId) > 0;
    this.entries.set(socketId, { ...info, lastSeen: now, updatedAt: now });
    // The newest hello speaks for the person: other tabs take its name and colour.
    for (const [id, other] of this.entries) {
      if (id !== socketId && other.clientId === info.clientId) {
        other.name = info.name;
        other.color = info.color;
      }
    }
    const person = this.person(info.clientId)!;
    return known ? { type: "presence", update: [person] } : { type: "presence", join: [person] };
  }

  /** Any sign of life from a socket (heartbeat or any frame). Only a status change is news. */
  touch(socketId: string, now: number, status?: Status): PresenceDelta | null {
    const entry = this.entries.get(socketId);
    if (!entry) return null;
    entry.lastSeen = now;
    if (status === undefined || status === entry.status) return null;
    return this.update(socketId, { status }, now);
  }

  /** Name, colour or status changed. Returns null when nothing visible changed. */
  update(socketId: string, patch: PresencePatch, now: number): PresenceDelta | null {
    const entry = this.entries.get(socketId);
    if (!entry) return null;
    const before = visible(this.person(entry.clientId)!);
    if (patch.name !== undefined) entry.name = patch.name;
    if (patch.color !== undefined) entry.color = patch.color;
    if (patch.status !== undefined) entry.status = patch.status;
    entry.lastSeen = now;
    entry.updatedAt = now;
    // Tabs of one person share name and colour: the change is the person's.
    for (const other of this.entries.values()) {
      if (other !== entry && other.clientId === entry.clientId) {
        if (patch.name !== undefined) other.name = patch.name;
        if (patch.color !== undefined) other.color = patch.color;
      }
    }
    const person = this.person(entry.clientId)!;
    if (visible(person) === before) return null;
    return { type: "presence", update: [person] };
  }

  /** A socket closed or was swept. */
  leave(socketId: string): PresenceDelta | null {
    const entry = this.entries.get(socketId);
    if (!entry) return null;
    this.entries.delete(socketId);
    const person = this.person(entry.clientId);
    return person ? { type: "presence", update: [person] } : { type: "presence", leave: [entry.clientId] };
  }

  /** Removes every socket silent for longer than the TTL. */
  sweepExpired(now: number): { expired: string[]; delta: PresenceDelta | null } {
    const expired: string[] = [];
    for (const [socketId, entry] of this.entries) {
      if (now - entry.lastSeen > this.ttlMs) expired.push(socketId);
    }
    let delta: PresenceDelta | null = null;
    for (const socketId of expired) delta = mergeDeltas(delta, this.leave(socketId));
    return { expired, delta };
  }

  /** When the next entry would expire, or null with nobody here. */
  nextExpiry(): number | null {
    let min: number | null = null;
    for (const entry of this.entries.values()) {
      const at = entry.lastSeen + this.ttlMs;
      if (min === null || at < min) min = at;
    }
    return min;
  }

  /** Everyone here, oldest arrival first. */
  people(): Person[] {
    const ids = new Set<string>();
    for (const entry of this.entries.values()) ids.add(entry.clientId);
    return [...ids].map((id) => this.person(id)!);
  }

  /** One person folded from their sockets, or undefined if none are left. */
  person(clientId: string): Person | undefined {
    let newest: PresenceEntry | undefined;
    let status: Status = "away";
    let connections = 0;
    let lastSeen = 0;
    for (const entry of this.entries.values()) {
      if (entry.clientId !== clientId) continue;
      connections++;
      if (!newest || entry.updatedAt >= newest.updatedAt) newest = entry;
      if (statusRank[entry.status] > statusRank[status]) status = entry.status;
      lastSeen = Math.max(lastSeen, entry.lastSeen);
    }
    if (!newest) return undefined;
    return { clientId, name: newest.name, color: newest.color, status, connections, lastSeen };
  }

  private connectionsOf(clientId: string): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.clientId === clientId) n++;
    return n;
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
