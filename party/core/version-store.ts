/**
 * Where a room's versions live in its storage. A version is the whole
 * document state (a Yjs update) in values of at most VERSIONS.chunkBytes
 * under `ver:d:<id>:<n>`, and an index entry under `ver:i:<id>` (ids padded,
 * so keys sort by id).
 *
 * A save writes the chunks first and the entry after: a crash in between
 * leaves chunks that no entry points at, never an entry pointing at nothing.
 * Such chunks can only belong to the id after the last entry (saves run one
 * at a time), and the next save of that id removes them before writing. A
 * drop deletes the entry with its chunks in one call (atomic in Durable
 * Object storage, up to 128 keys).
 */
import { digest } from "lib0/hash/sha256";
import { VERSIONS, type VersionInfo } from "../protocol";
import type { RoomStorage } from "./ports";

const INDEX = "ver:i:";
const DATA = "ver:d:";
/** Most keys one storage call takes. */
const KEYS_PER_CALL = 128;

/** An index entry: what the API shows, plus where the state is and a fingerprint of it. */
export type VersionEntry = VersionInfo & {
  chunks: number;
  /** First 128 bits of SHA-256 over the state, hex: tells whether the document changed since. */
  hash: string;
};

const pad = (id: number) => String(id).padStart(10, "0");
const indexKey = (id: number) => INDEX + pad(id);
const chunkPrefix = (id: number) => `${DATA}${pad(id)}:`;
const chunkKey = (id: number, n: number) => chunkPrefix(id) + String(n).padStart(4, "0");

/** The fingerprint kept in an entry. */
export function stateHash(state: Uint8Array): string {
  let hex = "";
  for (const byte of digest(state).subarray(0, 16)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** How many chunks a state of `bytes` takes. */
export function chunkCount(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / VERSIONS.chunkBytes));
}

export class VersionStore {
  constructor(private readonly storage: RoomStorage) {}

  /** Every index entry, oldest first. */
  async entries(): Promise<VersionEntry[]> {
    const found = await this.storage.list<VersionEntry>({ prefix: INDEX });
    return [...found.values()].filter(isEntry).sort((a, b) => a.id - b.id);
  }

  /**
   * Stores a version: chunks first, then its entry with `alongside` (other
   * keys to write in the same call as the entry). Returns how many chunks of
   * an interrupted earlier save of this id it removed first.
   */
  async write(entry: VersionEntry, state: Uint8Array, alongside: Record<string, unknown> = {}): Promise<number> {
    const stale = [...(await this.storage.list({ prefix: chunkPrefix(entry.id) })).keys()];
    await this.deleteKeys(stale);
    const chunks: [string, Uint8Array][] = [];
    for (let n = 0; n < entry.chunks; n++) chunks.push([chunkKey(entry.id, n), state.slice(n * VERSIONS.chunkBytes, (n + 1) * VERSIONS.chunkBytes)]);
    for (let i = 0; i < chunks.length; i += KEYS_PER_CALL) await this.storage.put(Object.fromEntries(chunks.slice(i, i + KEYS_PER_CALL)));
    await this.storage.put({ ...alongside, [indexKey(entry.id)]: entry });
    return stale.length;
  }

  /** A version's state, or null when its chunks are not all there (it was dropped meanwhile). */
  async read(entry: VersionEntry): Promise<Uint8Array | null> {
    const chunks = [...(await this.storage.list<Uint8Array>({ prefix: chunkPrefix(entry.id) })).values()];
    if (chunks.length !== entry.chunks) return null;
    const state = new Uint8Array(entry.bytes);
    let at = 0;
    for (const chunk of chunks) {
      if (at + chunk.byteLength > state.byteLength) return null;
      state.set(chunk, at);
      at += chunk.byteLength;
    }
    return at === entry.bytes ? state : null;
  }

  /** Drops versions: each entry goes in the same call as its chunks. */
  async remove(entries: readonly VersionEntry[]): Promise<void> {
    for (const e of entries) {
      const keys = [indexKey(e.id)];
      for (let n = 0; n < e.chunks; n++) keys.push(chunkKey(e.id, n));
      await this.deleteKeys(keys);
    }
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) await this.storage.delete(keys.slice(i, i + KEYS_PER_CALL));
  }
}

function isEntry(x: unknown): x is VersionEntry {
  const e = x as Partial<VersionEntry> | null;
  return typeof e === "object" && e !== null && typeof e.id === "number" && typeof e.chunks === "number" && typeof e.bytes === "number" && Array.isArray(e.editors);
}
