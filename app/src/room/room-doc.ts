/**
 * The room client's document side: the Y.Doc and its Awareness, the Yjs
 * link to the server (DocLink) and the offline copy (IndexedDB). It knows
 * nothing of sockets: `send` says whether a binary frame could go out.
 */
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { type DocCache, openDocCache } from "./doc-cache";
import { DocLink } from "./doc-link";
import type { Identity } from "./types";

/** The document, awareness, sync and offline copy of one room client. */
export class RoomDoc {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private readonly link: DocLink;
  private readonly cache: DocCache | null;
  /** The offline copy is loaded and had something in it (an empty cache is not content). */
  private cacheHadContent = false;

  constructor(options: { roomId: string; doc?: Y.Doc | undefined; offlineCache: boolean; send: (frame: Uint8Array) => boolean; onChange: () => void }) {
    this.doc = options.doc ?? new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.link = new DocLink(this.doc, this.awareness, options.send, options.onChange);
    // Opened after the link listens: updates loaded from the cache count as unsynced until the server confirms them.
    this.cache = options.offlineCache ? openDocCache(options.roomId, this.doc) : null;
    void this.cache?.loaded.then(() => {
      // An empty state vector is one byte: nobody has written anything into this copy.
      this.cacheHadContent = Y.encodeStateVector(this.doc).length > 1;
      options.onChange();
    });
  }

  /** True once the server's first sync is in. */
  get synced(): boolean {
    return this.link.isSynced;
  }

  /** True once an offline copy with content is in the document. */
  get cached(): boolean {
    return this.cacheHadContent;
  }

  /** True while a local edit is not known to be on the server. */
  get unsynced(): boolean {
    return this.link.hasUnsynced;
  }

  /** Who this tab is, for cursors and the avatar stack (`id` ties a cursor to a presence entry). */
  setUser({ name, color, clientId }: Identity): void {
    this.awareness.setLocalStateField("user", { name, color, id: clientId });
  }

  /** A socket was welcomed: sync starts. */
  start(): void {
    this.link.start();
  }

  /** The socket closed. */
  stop(): void {
    this.link.stop();
  }

  /** One binary frame from the server. */
  receive(frame: Uint8Array): void {
    this.link.receive(frame);
  }

  /** Says goodbye to the others (while the socket is still open), then stops everything. */
  leave(): void {
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "local");
  }

  destroy(): void {
    this.link.destroy();
    this.cache?.destroy();
    this.awareness.destroy();
  }
}
