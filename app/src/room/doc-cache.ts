/**
 * The offline copy of a room's document, in the browser's IndexedDB
 * (y-indexeddb). Edits made while offline survive a reload: the next page
 * loads them from here before (or without) reaching the server, and the
 * normal sync sends the server whatever it lacks. Yjs merges are idempotent,
 * so loading updates the server already has is harmless.
 */
import { IndexeddbPersistence } from "y-indexeddb";
import type * as Y from "yjs";

/** An open cache; `loaded` resolves once the stored updates are in the document. */
export type DocCache = { loaded: Promise<void>; destroy(): void };

/** The IndexedDB database name for a room's document. */
export function docCacheName(roomId: string): string {
  return `partyroom:doc:${roomId}`;
}

/** Opens the cache for `roomId` into `doc`, or returns null where IndexedDB is missing (Node, some privacy modes). */
export function openDocCache(roomId: string, doc: Y.Doc): DocCache | null {
  if (typeof indexedDB === "undefined") return null;
  try {
    const persistence = new IndexeddbPersistence(docCacheName(roomId), doc);
    return {
      loaded: persistence.whenSynced.then(() => undefined),
      destroy: () => void persistence.destroy(),
    };
  } catch (err) {
    // A blocked IndexedDB must not keep anyone out of the room: work without the cache.
    console.warn("partyroom: offline document cache unavailable", err);
    return null;
  }
}
