/**
 * Durable storage for a room's Y.Doc, using y-partykit's storage layer (the
 * same keys y-partykit's own persistence writes) with one change of policy:
 * y-partykit compacts the update log only when a room empties, so a room that
 * is never empty grows without bound. Here the log is compacted into one
 * snapshot whenever it passes COMPACT_AFTER_UPDATES entries or
 * COMPACT_AFTER_BYTES, occupied or not.
 */
import type * as Party from "partykit/server";
import { YPartyKitStorage } from "y-partykit/storage";
import * as Y from "yjs";

export const COMPACT_AFTER_UPDATES = 200;
export const COMPACT_AFTER_BYTES = 1024 * 1024;

/** y-partykit's update keys start with this (see y-partykit/src/storage.ts). */
const UPDATE_KEY_PREFIX = '"v1"#';

export type DocStats = {
  /** Size of the whole document encoded as one update. */
  bytes: number;
  /** Update entries in storage right now (a compacted log is 1). */
  storedUpdates: number;
  /** Updates received since this room instance started. */
  updatesReceived: number;
  compactions: number;
};

export class DocStore {
  private pendingUpdates = 0;
  private pendingBytes = 0;
  private compacting: Promise<void> | null = null;
  private updatesReceived = 0;
  private compactions = 0;

  private constructor(
    private readonly storage: Party.Storage,
    private readonly layer: YPartyKitStorage,
    private readonly name: string,
    readonly doc: Y.Doc,
  ) {}

  /** Loads the document stored under `name` (the room id). */
  static async open(storage: Party.Storage, name: string): Promise<DocStore> {
    const layer = new YPartyKitStorage(storage);
    const doc = new Y.Doc();
    const stored = await layer.getYDoc(name);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(stored));
    stored.destroy();
    const store = new DocStore(storage, layer, name, doc);
    const keys = await store.countStoredUpdates();
    store.pendingUpdates = keys;
    return store;
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
    });
    return this.compacting;
  }

  async stats(): Promise<DocStats> {
    return {
      bytes: Y.encodeStateAsUpdate(this.doc).byteLength,
      storedUpdates: await this.countStoredUpdates(),
      updatesReceived: this.updatesReceived,
      compactions: this.compactions,
    };
  }

  /** Counts update entries actually in storage (a large one spans several 128 KiB chunks). */
  private async countStoredUpdates(): Promise<number> {
    const keys = await this.storage.list({ prefix: UPDATE_KEY_PREFIX });
    const updates = new Set<string>();
    for (const key of keys.keys()) updates.add(key.slice(0, key.lastIndexOf("#")));
    return updates.size;
  }
}
