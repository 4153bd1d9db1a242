/**
 * Presence changes by version, for the links that fell behind.
 *
 * A link past its flow-control mark has its presence held (flow.ts) and gets,
 * once it reads again, one delta of what changed meanwhile. Each held link used
 * to keep that delta itself, merged anew at every delivery: in a join storm of
 * 5,000 sockets in one room most links were held at once, each holding
 * thousands of people and re-merging them at every frame (memory and CPU that
 * grow with links x people; the full run at 0a4cd50 connected in 74-202 s,
 * with hellos timing out). Now the room keeps one log of who changed at which
 * version, and a held link keeps only the version it had seen.
 *
 * The log goes back to the oldest version a held link still needs, at most
 * MEMORY.presenceLogChanges changes; a link further behind than that is closed 1013 by
 * the room and resumes with a fresh welcome.
 */
import type { Person, PresenceDelta } from "../protocol";

export class PresenceLog {
  private version = 0;
  /** Who changed at which version, oldest first, from `start` on (the front is dropped lazily). */
  private changes: Array<{ v: number; id: string }> = [];
  private start = 0;
  /** Present people: the version they joined at (0: before the log knew them, so every link has seen them). */
  private readonly joinedAt = new Map<string, number>();
  /** People who left: when they had joined and when they left, kept while the log holds their leave. */
  private readonly leftAt = new Map<string, { joined: number; left: number }>();

  /** The version of the newest change recorded. */
  get current(): number {
    return this.version;
  }

  /** Changes kept. */
  get length(): number {
    return this.changes.length - this.start;
  }

  /** The oldest `seen` version `since` can still answer for. */
  get floor(): number {
    return this.length === 0 ? this.version : this.changes[this.start]!.v - 1;
  }

  /** Records a delta as it goes out; returns its version. */
  record(delta: PresenceDelta): number {
    const v = ++this.version;
    for (const p of delta.join ?? []) {
      this.joinedAt.set(p.clientId, v);
      this.leftAt.delete(p.clientId);
      this.changes.push({ v, id: p.clientId });
    }
    for (const p of delta.update ?? []) {
      // An update of someone not known here (present since before the log, or back within one batch): everyone has seen them.
      if (!this.joinedAt.has(p.clientId)) this.joinedAt.set(p.clientId, this.leftAt.get(p.clientId)?.joined ?? 0);
      this.leftAt.delete(p.clientId);
      this.changes.push({ v, id: p.clientId });
    }
    for (const id of delta.leave ?? []) {
      this.leftAt.set(id, { joined: this.joinedAt.get(id) ?? 0, left: v });
      this.joinedAt.delete(id);
      this.changes.push({ v, id });
    }
    return v;
  }

  /**
   * One delta for a link that had seen every change up to version `seen`
   * (null when nothing it saw changed): each person changed since in their
   * current state (`person`), as a join if they arrived since, and the leaves
   * of those it saw. Costs the changes since `seen`, not the room's size.
   */
  since(seen: number, person: (clientId: string) => Person | undefined): PresenceDelta | null {
    const done = new Set<string>();
    const join: Person[] = [];
    const update: Person[] = [];
    const leave: string[] = [];
    for (let i = this.changes.length - 1; i >= this.start && this.changes[i]!.v > seen; i--) {
      const id = this.changes[i]!.id;
      if (done.has(id)) continue;
      done.add(id);
      const p = this.joinedAt.has(id) ? person(id) : undefined;
      if (p) (this.joinedAt.get(id)! > seen ? join : update).push(p);
      else if ((this.leftAt.get(id)?.joined ?? seen + 1) <= seen) leave.push(id);
    }
    const out: PresenceDelta = { type: "presence" };
    // Walked newest first; sent in the order things happened.
    if (join.length) out.join = join.reverse();
    if (update.length) out.update = update.reverse();
    if (leave.length) out.leave = leave.reverse();
    return out.join || out.update || out.leave ? out : null;
  }

  /** The oldest `seen` for which `since` walks at most `n` changes. */
  seenWithin(n: number): number {
    return this.length <= n ? this.floor : this.changes[this.changes.length - n - 1]!.v;
  }

  /** Drops the changes every held link has seen: those up to version `seen` (the oldest a held link had seen, or `current` when none is held). */
  prune(seen: number): void {
    while (this.start < this.changes.length && this.changes[this.start]!.v <= seen) {
      const { v, id } = this.changes[this.start++]!;
      if (this.leftAt.get(id)?.left === v) this.leftAt.delete(id);
    }
    // Compact now and then, not at every change: dropping from the front of an array moves all of it.
    if (this.start > 1_024 && this.start * 2 > this.changes.length) {
      this.changes = this.changes.slice(this.start);
      this.start = 0;
    }
  }
}
