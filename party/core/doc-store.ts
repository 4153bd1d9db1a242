/**
 * Durable storage for a room's Y.Doc, in y-partykit's storage layout (its
 * keys, its 128 KiB chunks), which y-partykit's own loader reads back
 * (`YPartyKitStorage.getYDoc`). The writes are the room's own, for two reasons
 * measured on the Yjs path:
 * - y-partykit reads the current clock from storage (a `list`) before every
 *   update it stores; the room knows the clock, so a store is one `put`;
 * - y-partykit compacts by reading every stored update back and merging them
 *   in a fresh document, and only when a room empties; the room compacts from
 *   the document it already holds in memory, every COMPACT_AFTER_UPDATES
 *   updates or COMPACT_AFTER_BYTES, occupied or not, and when it empties
 *   with anything stored since the last snapshot (`compactIfChanged`).
 *
 * Compaction writes the snapshot under the next clock, then deletes what is
 * older: a crash in between leaves both, which loads to the same document.
 * The document's size for the budget (BUDGETS.docBytes) is measured when
 * loaded (a lone stored snapshot's own size) and after each compaction, and in
 * between an upper bound.
 */
import { getLevelBulkData } from "y-partykit/storage";
import * as Y from "yjs";
import type { RoomStorage } from "./ports";
import { WholeUpdate } from "./whole-update";

export const COMPACT_AFTER_UPDATES = 200;
export const COMPACT_AFTER_BYTES = 1024 * 1024;
/** Largest storage value (Durable Objects: 128 KiB serialised). */
const CHUNK_BYTES = 128 * 1024;
/** Keys deleted per call (Durable Objects take at most 128). */
const DELETE_BATCH = 128;

/** y-partykit's key for update `clock` of document `name`: as its reader takes it (parts), and as stored, without the chunk suffix (see y-partykit/src/storage.ts). */
const updateKeyParts = (name: string, clock: number) => ["v1", name, "update", clock] as ["v1", string, "update", number];
/** y-partykit's upper bound for an update clock (its key range ends there). */
const MAX_CLOCK = 0xffff_ffff;
const updatePrefix = (name: string) => `"v1"#"${name}"#"update"#`;
const updateKey = (name: string, clock: number) => `${updatePrefix(name)}${String(clock).padStart(9, "0")}`;

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
  private sinceCompaction = 0;
  private bytesSinceCompaction = 0;
  private compacting: Promise<void> | null = null;
  private updatesReceived = 0;
  private compactions = 0;
  /** Exact size at the last measurement, and the bytes of updates applied since. */
  private measured: number;
  private growth = 0;
  /** The whole document as one update, encoded once per change (whole-update.ts). */
  readonly whole: WholeUpdate;

  private constructor(
    private readonly storage: RoomStorage,
    private readonly name: string,
    readonly doc: Y.Doc,
    /** The newest update's clock in storage (-1: none). */
    private clock: number,
    stored: number,
    /** The one stored update the document was built from, when there was one (whole-update.ts). */
    builtFrom: Uint8Array | null,
  ) {
    this.whole = new WholeUpdate(doc, builtFrom);
    this.measured = this.whole.get().byteLength;
    this.sinceCompaction = stored;
  }

  /**
   * Loads the document stored under `name` (the room id) with y-partykit's
   * reader: one `list` of the update log, chunks joined, keys decoded. The
   * clocks come from the same read. (y-partykit's `getYDoc` gave a document
   * without them: a cold room listed the whole log twice and copied the
   * document once, all before its first client could sync.)
   */
  static async open(storage: RoomStorage, name: string): Promise<DocStore> {
    const updates = await getLevelBulkData(storage as unknown as Parameters<typeof getLevelBulkData>[0], { gte: updateKeyParts(name, 0), lt: updateKeyParts(name, MAX_CLOCK), keys: true, values: true });
    const doc = new Y.Doc({ gc: true });
    doc.transact(() => {
      for (const { value } of updates) Y.applyUpdate(doc, value);
    });
    const last = updates.at(-1)?.key[3];
    return new DocStore(storage, name, doc, typeof last === "number" ? last : -1, updates.length, updates.length === 1 ? updates[0]!.value : null);
  }

  /** The document's size for the budget: exact, or an upper bound since the last measurement. */
  get size(): number {
    return this.measured + this.growth;
  }

  /** Measures the size exactly (an encode of the whole document, unless it is kept from before the last change). */
  measure(): number {
    this.measured = this.whole.get().byteLength;
    this.growth = 0;
    return this.measured;
  }

  /** Counts an update the document took (before it is stored). */
  grew(bytes: number): void {
    this.growth += bytes;
  }

  /** Appends one update to the log (one `put`, all its chunks at once); resolves once storage has it. */
  async store(update: Uint8Array): Promise<void> {
    this.updatesReceived++;
    this.sinceCompaction++;
    this.bytesSinceCompaction += update.byteLength;
    const write = this.storage.put(chunks(updateKey(this.name, ++this.clock), update));
    if (this.sinceCompaction > COMPACT_AFTER_UPDATES || this.bytesSinceCompaction > COMPACT_AFTER_BYTES) void this.compact();
    await write;
  }

  /**
   * Compacts when anything was stored since the last snapshot, or returns null. The room calls it when it empties:
   * its next client is then likely the first after an eviction, and one snapshot reads and applies faster than the
   * log it replaces (y-partykit's snapshot mode compacts when the last client leaves too).
   */
  compactIfChanged(): Promise<void> | null {
    return this.sinceCompaction > 1 ? this.compact() : null;
  }

  /** Replaces the update log with one snapshot of the document as it is in memory. */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.sinceCompaction = 1;
    this.bytesSinceCompaction = 0;
    this.compactions++;
    // The document in memory holds every update stored so far (each is applied before it is stored).
    const snapshot = this.whole.get();
    this.measured = snapshot.byteLength;
    this.growth = 0;
    const at = ++this.clock;
    this.compacting = (async () => {
      await this.storage.put(chunks(updateKey(this.name, at), snapshot));
      const older = [...(await this.storage.list({ start: updatePrefix(this.name), end: updateKey(this.name, at) })).keys()];
      for (let i = 0; i < older.length; i += DELETE_BATCH) await this.storage.delete(older.slice(i, i + DELETE_BATCH));
    })().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  async stats(): Promise<DocStats> {
    return { bytes: this.size, storedUpdates: (await updateClocks(this.storage, this.name)).length, updatesReceived: this.updatesReceived, compactions: this.compactions };
  }
}

/** An update's storage entries: 128 KiB chunks under `key#000`, `key#001`, … */
function chunks(key: string, update: Uint8Array): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (let i = 0, n = 0; i < Math.max(update.byteLength, 1); i += CHUNK_BYTES, n++) out[`${key}#${String(n).padStart(3, "0")}`] = update.slice(i, i + CHUNK_BYTES);
  return out;
}

/** The clocks of the updates stored for `name`, ascending. */
async function updateClocks(storage: RoomStorage, name: string): Promise<number[]> {
  const prefix = updatePrefix(name);
  const clocks = new Set<number>();
  for (const key of (await storage.list({ prefix })).keys()) clocks.add(Number(key.slice(prefix.length, prefix.length + 9)));
  return [...clocks].sort((a, b) => a - b);
}
