/**
 * Durable storage for a room's Y.Doc, using y-partykit's storage layer (the
 * same keys y-partykit's own persistence writes) with one change of policy:
 * y-partykit compacts the update log only when a room empties, so a room that
 * is never empty grows without bound. Here the log is compacted into one
 * snapshot whenever it passes COMPACT_AFTER_UPDATES entries or
 * COMPACT_AFTER_BYTES, occupied or not.
 *
 * It also keeps the document's size for the budget (BUDGETS.docBytes): exact
 * when loaded and after each compaction, and in between an upper bound (every
 * update's bytes added), measured exactly again when the bound nears the budget.
 */
import { YPartyKitStorage } from "y-partykit/storage";
import * as Y from "yjs";
import type { RoomStorage } from "./ports";

export const COMPACT_AFTER_UPDATES = 200;
export const COMPACT_AFTER_BYTES = 1024 * 1024;

/** y-partykit's update keys start with this (see y-partykit/src/storage.ts). */
const UPDATE_KEY_PREFIX = '"v1"#';

export type DocStats = {
  /** Size of the whole document encoded as one update (an upper bound between measurements). */
  bytes: number;
  /** Update entries in storage right now (a compacted log is 1). */
  storedUpdates: number;
  /** Updates received since this room instance loaded the document. */
  updatesReceived: number;
  compactions: number;
};

export class DocStore {
  private pendingUpdates = 0;
  private pendingBytes = 0;
  private compacting: Promise<void> | null = null;
  private updatesReceived = 0;
  private compactions = 0;
  /** Exact size at the last measurement, and the bytes of updates applied since. */
  private measured: number;
  private growth = 0;

  private constructor(
    private readonly storage: RoomStorage,
    private readonly layer: YPartyKitStorage,
    private readonly name: string,
    readonly doc: Y.Doc,
  ) {
    this.measured = Y.encodeStateAsUpdate(doc).byteLength;
  }

  /** Loads the document stored under `name` (the room id). */
  static async open(storage: RoomStorage, name: string): Promise<DocStore> {
    // y-partykit types its storage as Party.Storage; it only calls get/put/delete/list/transaction on it.
    const layer = new YPartyKitStorage(storage as unknown as ConstructorParameters<typeof YPartyKitStorage>[0]);
    const stored = await layer.getYDoc(name);
    const doc = new Y.Doc({ gc: true });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(stored));
    stored.destroy();
    const store = new DocStore(storage, layer, name, doc);
    store.pendingUpdates = await store.countStoredUpdates();
    return store;
  }

  /** The document's size for the budget: exact, or an upper bound since the last measurement. */
  get size(): number {
    return this.measured + this.growth;
  }

  /** Measures the size exactly (costs an encode of the whole document). */
  measure(): number {
    this.measured = Y.encodeStateAsUpdate(this.doc).byteLength;
    this.growth = 0;
    return this.measured;
  }

  /** Counts an update the document took (before it is stored). */
  grew(bytes: number): void {
    this.growth += bytes;
  }

  /** Appends one update to the log; resolves once storage has it. */
  async store(update: Uint8Array): Promise<void> {
    this.updatesReceived++;
    this.pendingUpdates++;
    this.pendingBytes += update.byteLength;
    await this.layer.storeUpdate(this.name, update);
    if (this.pendingUpdates > COMPACT_AFTER_UPDATES || this.pendingBytes > COMPACT_AFTER_BYTES) void this.compact();
  }

  /** Replaces the update log with one snapshot of the document. */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.pendingUpdates = 1;
    this.pendingBytes = 0;
    this.compactions++;
    // y-partykit queues this behind every store already issued, so nothing is skipped.
    this.compacting = this.layer.compactUpdateLog(this.name, 0, 0).finally(() => {
      this.compacting = null;
      this.measure();
    });
    return this.compacting;
  }

  async stats(): Promise<DocStats> {
    return { bytes: this.size, storedUpdates: await this.countStoredUpdates(), updatesReceived: this.updatesReceived, compactions: this.compactions };
  }

  /** Counts update entries actually in storage (a large one spans several 128 KiB chunks). */
  private async countStoredUpdates(): Promise<number> {
    const keys = await this.storage.list({ prefix: UPDATE_KEY_PREFIX });
    const updates = new Set<string>();
    for (const key of keys.keys()) updates.add(key.slice(0, key.lastIndexOf("#")));
    return updates.size;
  }
}
