/**
 * The standard Yjs sync + awareness protocol (y-protocols, as y-websocket and
 * y-partykit speak it) around one Y.Doc, with no sockets and no routing: the
 * room decodes a frame here, decides (roles, budgets, rates, ownership), and
 * applies it here. What goes out is handed to two callbacks.
 *
 * Frames: varUint message type, then the payload (protocol/yjs.ts).
 *   0 sync (step 1 / step 2 / update, from y-protocols/sync)
 *   1 awareness update
 *   3 query awareness (answered with every known state)
 * Anything else is refused without touching the document.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { YjsFrame, YjsSync } from "../protocol";
import { forgetRemovedAwareness } from "./awareness-meta";
import { holdsNothing, WholeUpdate } from "./whole-update";

/** One client's entry in an awareness update, as sent. */
export type AwarenessEntry = { id: number; clock: number; /** The JSON state as sent ("null" for a removal). */ state: string; /** Its length. */ bytes: number; removed: boolean };

/** A decoded binary frame. */
export type YjsMessage =
  | { type: "step1"; stateVector: Uint8Array }
  | { type: "update"; update: Uint8Array; /** a step 2 (a reply to our step 1) rather than a live update */ step2: boolean }
  | { type: "awareness"; update: Uint8Array; entries: AwarenessEntry[] }
  | { type: "query" };

/** Decodes one binary frame. Never throws: a frame that does not decode is refused with a reason. */
export function decodeYjsFrame(frame: Uint8Array): { ok: true; message: YjsMessage } | { ok: false; reason: string } {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case YjsFrame.sync: {
        const sub = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (sub === YjsSync.step1) return { ok: true, message: { type: "step1", stateVector: payload } };
        if (sub === YjsSync.step2 || sub === YjsSync.update) return { ok: true, message: { type: "update", update: payload, step2: sub === YjsSync.step2 } };
        return { ok: false, reason: `unknown sync message ${sub}` };
      }
      case YjsFrame.awareness: {
        const update = decoding.readVarUint8Array(decoder);
        return { ok: true, message: { type: "awareness", update, entries: awarenessEntries(update) } };
      }
      case YjsFrame.queryAwareness:
        return { ok: true, message: { type: "query" } };
      default:
        return { ok: false, reason: `unknown Yjs message type ${type}` };
    }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** The entries of an awareness update (y-protocols/awareness wire format), without applying it. */
function awarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const id = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    entries.push({ id, clock, state, bytes: state.length, removed: state === "null" });
  }
  return entries;
}

/** An awareness update (y-protocols wire format) carrying only `entries`. */
export function awarenessUpdateOf(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const { id, clock, state } of entries) {
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, state);
  }
  return encoding.toUint8Array(e);
}

/** Where the document's outgoing frames go. */
export type DocOutput = {
  /** A stored update, framed, for every peer but `origin`. */
  update(frame: Uint8Array, origin: unknown): void;
  /** Awareness states changed (added, updated or removed ids), caused by `origin`. */
  awareness(ids: number[], origin: unknown): void;
};

export class DocSync {
  /**
   * The tail of the storage writes, in update order. A peer is never told
   * about an edit, nor shown (by a step 2) that its own edits arrived, before
   * they are stored: clients use that step 2 as their "saved" confirmation.
   * With `awaitWrites`, forwarding and answering wait for this tail; without
   * (the runtime's output gate holds every frame until the writes issued
   * before it are durable), they go out right after the write is issued.
   */
  private stored: Promise<void> = Promise.resolve();
  readonly awareness: awarenessProtocol.Awareness;
  /** The step 2 for a peer that holds nothing, for the whole encoding it was built from. */
  private wholeStep2: { update: Uint8Array; frame: Uint8Array } | null = null;

  constructor(
    readonly doc: Y.Doc,
    /** Called for every document update before it is forwarded. */
    private readonly persist: (update: Uint8Array) => Promise<void>,
    private readonly out: DocOutput,
    private readonly awaitWrites = true,
    /** The document's whole encoding, shared with its store (whole-update.ts). */
    private readonly whole = new WholeUpdate(doc),
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    // The Awareness starts a 3 s interval in its constructor (to renew its own state and expire others').
    // A pending interval keeps a hibernating room from ever being evicted (measured under partykit dev),
    // and the room has no state of its own to renew: destroy() is the public way to stop the interval.
    // It also clears the instance's observers, so ours are added after it; apply and encode keep working.
    this.awareness.destroy();
    doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
  }

  /** Our sync step 1 (the start of a sync, or a probe a stock provider must answer with a step 2). */
  step1(): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.sync);
    syncProtocol.writeSyncStep1(e, this.doc);
    return encoding.toUint8Array(e);
  }

  /**
   * The step 2 answering a peer's step 1: everything the peer lacks. A new peer lacks everything: its answer is built
   * from the kept whole encoding, once per change of the document, however many join.
   */
  step2(stateVector: Uint8Array): Uint8Array {
    if (!holdsNothing(stateVector)) return step2Frame(Y.encodeStateAsUpdate(this.doc, stateVector));
    const update = this.whole.get();
    if (this.wholeStep2?.update !== update) this.wholeStep2 = { update, frame: step2Frame(update) };
    return this.wholeStep2.frame;
  }

  /** Runs `fn` once every update received so far is stored (at once where the output gate guarantees it). */
  whenStored(fn: () => void): void {
    if (this.awaitWrites) void this.stored.then(fn);
    else fn();
  }

  /** Applies a peer's update; it is stored, then forwarded to every other peer. */
  applyUpdate(update: Uint8Array, origin: unknown): void {
    Y.applyUpdate(this.doc, update, origin);
  }

  /** Applies a peer's awareness update; the change goes to every peer, the origin included (y-websocket counts it as life). */
  applyAwareness(update: Uint8Array, origin: unknown): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
    forgetRemovedAwareness(this.awareness);
  }

  /** An awareness frame with the current states of `ids` (every known state by default). */
  awarenessFrame(ids: number[] = [...this.awareness.getStates().keys()]): Uint8Array | null {
    if (ids.length === 0) return null;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.awareness);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
    return encoding.toUint8Array(e);
  }

  /** The clock of an awareness state the room holds, if it holds it. */
  awarenessClock(id: number): number | undefined {
    return this.awareness.meta.get(id)?.clock;
  }

  /** Removes awareness states (their owner went away); the removal goes to every peer. */
  removeAwareness(ids: number[]): void {
    const held = ids.filter((id) => this.awareness.states.has(id));
    if (held.length) awarenessProtocol.removeAwarenessStates(this.awareness, held, null);
    forgetRemovedAwareness(this.awareness);
  }

  /** Stops listening to the document (the room is going away). */
  destroy(): void {
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.sync);
    syncProtocol.writeUpdate(e, update);
    const frame = encoding.toUint8Array(e);
    const failed = (err: unknown) => console.error("partyroom: storing a document update failed", err);
    if (!this.awaitWrites) {
      // Issued in order, so stored in order; the runtime releases the frames only once the write is durable.
      this.stored = Promise.all([this.stored, this.persist(update)]).then(() => undefined, failed);
      this.out.update(frame, origin);
      return;
    }
    const write = this.stored.then(() => this.persist(update));
    this.stored = write.then(() => this.out.update(frame, origin), failed);
  };

  private onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    this.out.awareness([...added, ...updated, ...removed], origin);
  };
}

/** A sync step 2 frame carrying `update`, allocated once at its final size (an encoder grows by copying). */
function step2Frame(update: Uint8Array): Uint8Array {
  const head = encoding.createEncoder();
  encoding.writeVarUint(head, YjsFrame.sync);
  encoding.writeVarUint(head, YjsSync.step2);
  encoding.writeVarUint(head, update.byteLength);
  const start = encoding.length(head);
  const frame = new Uint8Array(start + update.byteLength);
  frame.set(encoding.toUint8Array(head));
  frame.set(update, start);
  return frame;
}

/**
 * An awareness frame removing states the room no longer holds (it woke up
 * since): clock + 1 over the last clock the owner's record kept. Peers that
 * saw a later clock ignore it and time the state out themselves (30 s).
 */
export function awarenessRemovalFrame(entries: [id: number, clock: number][]): Uint8Array | null {
  if (entries.length === 0) return null;
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const [id, clock] of entries) {
    encoding.writeVarUint(update, id);
    encoding.writeVarUint(update, clock + 1);
    encoding.writeVarString(update, "null");
  }
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
  return encoding.toUint8Array(e);
}
