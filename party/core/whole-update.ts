/**
 * A room's whole document encoded as one update, kept until the document
 * changes. A new client's sync step 1 carries an empty state vector, and the
 * answer to it is exactly this encoding, as are the size measure, the
 * compaction snapshot, a version's state and `GET …/doc?format=yjs`. Encoding
 * costs more than applying (the load benchmark's 160 KB document: about 1.6 ms
 * to encode and 0.9 ms to apply, in Node on the slower benchmark machine), and
 * without the cache every joiner paid one, and a woken room two before its
 * first client synced (the size measure, then the answer). It holds one more
 * copy of the encoded document (at most the document budget) while the room is
 * in memory.
 *
 * Dropped in `beforeObserverCalls`, which Yjs emits for every transaction
 * before any observer or `update` listener runs, when the transaction added
 * structs (the state vector moved) or deleted any: nothing can read a stale
 * encoding. Structs waiting for missing ones (`pendingStructs`, `pendingDs`)
 * are part of the encoding but can change without either, so while any wait
 * the encoding is made afresh each time and not kept.
 */
import * as Y from "yjs";

export class WholeUpdate {
  private bytes: Uint8Array | null = null;

  /**
   * `known`: one update that the document, empty before, was just built from
   * alone (a compacted room's stored snapshot). Applied to an empty document it
   * gives this one, so it answers what the encoding would, and keeping it spares
   * a woken room the encode before its first client syncs.
   */
  constructor(
    private readonly doc: Y.Doc,
    known: Uint8Array | null = null,
  ) {
    doc.on("beforeObserverCalls", this.onTransaction);
    if (known && !this.pending()) this.bytes = known;
  }

  /** `Y.encodeStateAsUpdate(doc)` (or the known update it was built from), encoded once per change of the document. */
  get(): Uint8Array {
    if (this.bytes) return this.bytes;
    const bytes = Y.encodeStateAsUpdate(this.doc);
    if (!this.pending()) this.bytes = bytes;
    return bytes;
  }

  /** Stops following the document and lets go of the copy. */
  destroy(): void {
    this.doc.off("beforeObserverCalls", this.onTransaction);
    this.bytes = null;
  }

  private pending(): boolean {
    return this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null;
  }

  private onTransaction = (tr: Y.Transaction): void => {
    if (this.bytes && (tr.deleteSet.clients.size > 0 || moved(tr.beforeState, tr.afterState) || this.pending())) this.bytes = null;
  };
}

/** Whether a state vector moved (a client's clock, or a new client). */
function moved(before: Map<number, number>, after: Map<number, number>): boolean {
  if (before.size !== after.size) return true;
  for (const [client, clock] of after) if (before.get(client) !== clock) return true;
  return false;
}

/** Whether a state vector says its owner holds nothing: the answer to it is the whole document. */
export function holdsNothing(stateVector: Uint8Array): boolean {
  for (const clock of Y.decodeStateVector(stateVector).values()) if (clock > 0) return false;
  return true;
}
