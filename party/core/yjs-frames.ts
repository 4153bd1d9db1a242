/**
 * The Yjs side of a room (PROTOCOL.md §8): binary frames in, with their
 * budgets (document size, update and awareness rates, awareness size and
 * ownership), and the routing of what the document sends out, through each
 * link's flow control. The y-protocols work itself is doc-sync.ts.
 *
 * Every connection that said hello (app) or sent a binary frame first (yjs)
 * is a peer. A stock provider must answer each sync step 1 with a step 2, in
 * order: the room uses that as its read receipt (flow.ts), and to ask again
 * for updates it dropped over the rate, so nothing is lost by dropping them.
 */
import { BUDGETS, can, CloseCode, LIMITS } from "../protocol";
import { type AwarenessEntry, awarenessRemovalFrame, awarenessUpdateOf, decodeYjsFrame, type DocOutput, type YjsMessage } from "./doc-sync";
import type { RoomCore } from "./room";
import type { Session } from "./session";

/** Handles one binary frame. */
export async function onBinary(core: RoomCore, s: Session, frame: Uint8Array, now: number): Promise<void> {
  if (frame.byteLength > LIMITS.binaryFrameBytes) return core.close(s, CloseCode.MessageTooBig);
  if (s.kind === "pending") {
    s.state = { kind: "yjs" };
    core.save(s);
    core.promoted(s);
  }
  // A peer from its first binary frame, whatever that frame turns out to be.
  if (!core.yjs.greeted.has(s)) await core.yjs.greet(s);
  const decoded = decodeYjsFrame(frame);
  if (!decoded.ok) return core.refuse(s, now, "bad_message", `Yjs frame refused: ${decoded.reason}`.slice(0, 300));
  const { sync } = await core.loadDoc();
  if (s.ended) return;
  const msg: YjsMessage = decoded.message;
  switch (msg.type) {
    case "step1": {
      // Answered once every update received so far is stored: the step 2 is the client's "saved" receipt.
      const reply = sync.step2(msg.stateVector);
      sync.whenStored(() => core.sendTo(s, reply, "greeting"));
      return;
    }
    case "update":
      if (msg.step2 && s.flow.onProbeAnswered(now)) core.release(s);
      return update(core, s, msg.update, now);
    case "awareness":
      return core.yjs.awareness(s, msg.update, msg.entries, now);
    case "query": {
      const all = sync.awarenessFrame();
      if (all) core.sendTo(s, all);
      return;
    }
  }
}

/** A document update from `s`: role, rate and size decide whether the room takes it. */
function update(core: RoomCore, s: Session, update: Uint8Array, now: number): void {
  // An empty update (a step 2 from a peer that lacks nothing) carries no change.
  if (update.byteLength <= 2) return;
  const { store, sync } = core.doc!;
  if (!can(s.grant.role, "edit")) {
    if (s.kind === "app") core.send(s, { type: "error", code: "forbidden", message: `a ${s.grant.role} connection cannot edit the document` });
    return;
  }
  if (!s.docBucket.take(now)) {
    // Not applied, not lost: when the bucket refills the room asks for it again (its step 1), and the client's step 2 brings it.
    core.counters.refused("rate_limited", now, s.id);
    core.yjs.scheduleResync(s, s.docBucket.retryAfterMs(now));
    return;
  }
  if (store.size + update.byteLength > BUDGETS.docBytes && store.measure() + update.byteLength > BUDGETS.docBytes) {
    return core.refuse(s, now, "doc_too_large", `the document is at its size limit (${BUDGETS.docBytes} bytes); this edit was not applied`, "doc");
  }
  store.grew(update.byteLength);
  core.counters.docUpdates++;
  sync.applyUpdate(update, s);
  core.versions.edited(s, now);
}

/** Routing and bookkeeping for the room's Yjs peers. */
export class YjsRouting {
  /** Peers that have had their sync step 1 (a woken room counts every app/yjs session as greeted). */
  readonly greeted = new WeakSet<Session>();
  /** Who owns each awareness client id: only its owner may change it. */
  private readonly owners = new Map<number, Session>();

  constructor(private readonly core: RoomCore) {}

  /** Where the document's frames go. */
  readonly output: DocOutput = {
    update: (frame, origin) => {
      for (const s of [...this.core.sessions.values()]) if (s !== origin && this.greeted.has(s)) this.core.sendTo(s, frame);
    },
    awareness: (ids) => {
      const frame = this.core.doc?.sync.awarenessFrame(ids);
      if (!frame) return;
      // Sent to the origin too: y-websocket counts it as a sign of life.
      for (const s of [...this.core.sessions.values()]) {
        if (!this.greeted.has(s)) continue;
        if (this.core.sendTo(s, frame, "latest") === "held") s.holdAwareness(ids);
      }
    },
  };

  /** Sends a new peer sync step 1 and every awareness state (its greeting). */
  async greet(s: Session): Promise<void> {
    const { sync } = await this.core.loadDoc();
    if (s.ended || this.greeted.has(s)) return;
    this.greeted.add(s);
    this.probe(s, sync.step1());
    const states = sync.awarenessFrame();
    if (states) this.core.sendTo(s, states, "greeting");
  }

  /** After a wake: the session was greeted before, and owns the awareness ids its record lists. */
  restoreOwnership(s: Session): void {
    if (s.kind !== "pending") this.greeted.add(s);
    for (const id of s.awareness.keys()) this.owners.set(id, s);
  }

  /** Sends a sync step 1 as a probe: the peer's step 2 in reply proves it read everything before it. */
  maybeProbe(s: Session): void {
    if (s.outbox || s.reportsReads || !this.greeted.has(s) || !s.flow.wantsProbe() || !this.core.doc) return;
    this.probe(s, this.core.doc.sync.step1());
  }

  /** Updates from `s` were dropped over the rate: ask for them again once it may send. */
  scheduleResync(s: Session, afterMs: number): void {
    if (s.resyncDue) return;
    s.resyncDue = true;
    this.core.deps.clock.setTimeout(() => {
      s.resyncDue = false;
      if (!s.ended && this.core.doc) this.probe(s, this.core.doc.sync.step1());
    }, Math.max(afterMs, 50));
  }

  /**
   * An awareness update from `s`: size, count, ownership and rate decide; over
   * the rate only the newest waits. States another connection owns are never
   * changed. A stock provider re-sends every awareness change it sees, others'
   * included (y-websocket's update handler echoes them all): from a yjs peer
   * those entries are dropped quietly and the rest applied, since striking
   * them would close well-behaved peers 4429 whenever many others change at
   * once; an app client never does it, so from one it is refused.
   */
  awareness(s: Session, update: Uint8Array, entries: AwarenessEntry[], now: number): void {
    for (const e of entries) {
      if (e.bytes > BUDGETS.awarenessStateBytes) return this.core.refuse(s, now, "too_large", `awareness states are limited to ${BUDGETS.awarenessStateBytes} bytes`, "awareness");
    }
    let mine = entries.filter((e) => this.mayChange(s, e));
    if (mine.length < entries.length && s.kind !== "yjs") return this.core.refuse(s, now, "forbidden", "that awareness state belongs to another connection", "awareness");
    // New ids past the budget: an app client is refused; from a stock peer they are most likely echoes of states the
    // room already let go (a closed peer's, which the echoing provider still holds), so they are dropped, not held.
    let owned = s.awareness.size;
    const within = mine.filter((e) => this.owners.has(e.id) || e.removed || s.awareness.has(e.id) || owned++ < BUDGETS.awarenessIdsPerConnection);
    if (within.length < mine.length) {
      if (s.kind !== "yjs") return this.core.refuse(s, now, "too_large", `a connection may own at most ${BUDGETS.awarenessIdsPerConnection} awareness states`, "awareness");
      mine = within;
    }
    if (mine.length === 0) return;
    if (mine.length < entries.length) {
      entries = mine;
      update = awarenessUpdateOf(mine);
    }
    if (!s.awarenessBucket.take(now)) {
      const waiting = s.pendingAwareness !== null;
      s.pendingAwareness = { update, entries };
      if (!waiting) this.applyLater(s, s.awarenessBucket.retryAfterMs(now));
      return;
    }
    this.apply(s, update, entries);
  }

  /** The newest held awareness update goes in once the bucket has a token (the timer may run a little early: try again). */
  private applyLater(s: Session, ms: number): void {
    this.core.deps.clock.setTimeout(() => {
      const next = s.pendingAwareness;
      if (!next || s.ended) return;
      const now = this.core.now();
      if (!s.awarenessBucket.take(now)) return this.applyLater(s, Math.max(s.awarenessBucket.retryAfterMs(now), 5));
      s.pendingAwareness = null;
      this.apply(s, next.update, next.entries);
    }, ms);
  }

  /** What was held for a link that caught up: the current states of the ids that changed. */
  releaseAwareness(s: Session): void {
    if (s.heldAwareness.size === 0 || !this.core.doc) return;
    const frame = this.core.doc.sync.awarenessFrame(s.takeHeldAwareness());
    if (frame) this.core.sendTo(s, frame);
  }

  /** A session ended: its awareness states go, and everyone is told. */
  forget(s: Session): void {
    const mine = [...s.awareness.entries()].filter(([id]) => this.owners.get(id) === s);
    for (const [id] of mine) this.owners.delete(id);
    if (mine.length === 0) return;
    const sync = this.core.doc?.sync;
    if (!sync) return this.broadcastRemoval(mine);
    // States the room holds are removed properly; those it lost in a wake get a removal at the last known clock + 1.
    sync.removeAwareness(mine.filter(([id]) => sync.awarenessClock(id) !== undefined).map(([id]) => id));
    this.broadcastRemoval(mine.filter(([id]) => sync.awarenessClock(id) === undefined));
  }

  /**
   * Whether `s` may change the awareness state `e` names: one nobody owns,
   * its own, or one of the same user's. A stock provider reconnecting from the
   * same address takes its state over from its old connection only with a
   * newer clock: an echo repeats the clock the room holds.
   */
  private mayChange(s: Session, e: AwarenessEntry): boolean {
    const owner = this.owners.get(e.id);
    if (!owner || owner === s || (owner.userKey && owner.userKey === s.userKey)) return true;
    return owner.kind === "yjs" && s.kind === "yjs" && owner.address === s.address && e.clock > (this.core.doc?.sync.awarenessClock(e.id) ?? -1);
  }

  private apply(s: Session, update: Uint8Array, entries: AwarenessEntry[]): void {
    const sync = this.core.doc!.sync;
    const before = s.awareness.size;
    // The states the room takes: newer clocks (y-protocols ignores the rest, echoes included). Only those make `s` their owner.
    const taken = new Set(entries.filter((e) => e.clock > (sync.awarenessClock(e.id) ?? -1)).map((e) => e.id));
    sync.applyAwareness(update, s);
    for (const { id, removed } of entries) {
      const clock = sync.awarenessClock(id) ?? 0;
      if (removed) {
        s.disownAwareness(id);
        if (this.owners.get(id) === s) this.owners.delete(id);
      } else if (taken.has(id) || this.owners.get(id) === s) {
        s.ownAwareness(id, clock);
        this.owners.set(id, s);
      }
    }
    if (s.awareness.size !== before) this.core.save(s);
  }

  private broadcastRemoval(entries: [number, number][]): void {
    const frame = awarenessRemovalFrame(entries);
    if (!frame) return;
    for (const s of [...this.core.sessions.values()]) if (this.greeted.has(s)) this.core.sendTo(s, frame);
  }

  private probe(s: Session, step1: Uint8Array): void {
    // Counted before it goes out: the probe's own send must not ask for another probe.
    s.flow.onProbeSent(step1.byteLength);
    this.core.sendTo(s, step1);
  }
}
