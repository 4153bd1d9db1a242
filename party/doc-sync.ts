/**
 * The standard Yjs sync + awareness protocol (as y-websocket and y-partykit
 * speak it) between one Y.Doc and any number of peers. No sockets here: a peer
 * is anything with `sendBinary`, so this runs in unit tests as it runs in the room.
 *
 * Frames: varUint message type, then the payload.
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

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

/** Something the document can talk to. */
export interface YjsPeer {
  sendBinary(data: Uint8Array): void;
}

/** `dropped`: a read-only peer sent a document change, which was ignored. */
export type ReceiveResult = { ok: true; dropped?: boolean } | { ok: false; reason: string };

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

export class DocSync {
  /**
   * The tail of the storage writes, in update order. Forwarding an update and
   * answering a sync step 1 both wait for it: a peer is never told about an
   * edit, nor shown (by a step 2) that its own edits arrived, before they are
   * stored. Clients use that step 2 as their "saved" confirmation.
   */
  private stored: Promise<void> = Promise.resolve();
  /** Each peer with the awareness client ids it controls (removed when it goes). */
  private readonly peers = new Map<YjsPeer, Set<number>>();
  readonly awareness: awarenessProtocol.Awareness;

  constructor(
    readonly doc: Y.Doc,
    /**
     * Called for every document update before it is forwarded to peers; the
     * forward waits for it, so no other peer receives an update as a live
     * delta before the store has taken it. (A sync step 2 answers from memory.)
     */
    private readonly persist: (update: Uint8Array) => Promise<void>,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Registers a peer and sends it sync step 1 and the current awareness. */
  addPeer(peer: YjsPeer): void {
    if (this.peers.has(peer)) return;
    this.peers.set(peer, new Set());
    this.greet(peer);
  }

  /** Sends sync step 1 and every awareness state: the start of a sync, or a restart of one. */
  greet(peer: YjsPeer): void {
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(step1, this.doc);
    peer.sendBinary(encoding.toUint8Array(step1));
    const states = this.awareness.getStates();
    if (states.size > 0) peer.sendBinary(this.awarenessFrame([...states.keys()]));
  }

  /** Forgets a peer and removes the awareness states it owned (its cursors). */
  removePeer(peer: YjsPeer): void {
    const owned = this.peers.get(peer);
    if (!owned) return;
    this.peers.delete(peer);
    awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
  }

  hasPeer(peer: YjsPeer): boolean {
    return this.peers.has(peer);
  }

  /**
   * Handles one binary frame from a peer. Never throws: a frame that does not
   * decode is refused. With `readOnly`, the peer may sync down but its document
   * changes are ignored (awareness still flows, so its cursor shows).
   */
  receive(peer: YjsPeer, frame: Uint8Array, readOnly = false): ReceiveResult {
    try {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case MESSAGE_SYNC: {
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE_SYNC);
          const syncType = decoding.readVarUint(decoder);
          if (syncType === syncProtocol.messageYjsSyncStep1) {
            syncProtocol.writeSyncStep2(reply, this.doc, decoding.readVarUint8Array(decoder));
            const bytes = encoding.toUint8Array(reply);
            void this.stored.then(() => {
              if (this.peers.has(peer)) peer.sendBinary(bytes);
            });
            return { ok: true };
          } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
            const update = decoding.readVarUint8Array(decoder);
            if (readOnly) return { ok: true, dropped: update.byteLength > 2 };
            Y.applyUpdate(this.doc, update, peer);
          } else {
            return { ok: false, reason: `unknown sync message ${syncType}` };
          }
          if (encoding.length(reply) > 1) peer.sendBinary(encoding.toUint8Array(reply));
          return { ok: true };
        }
        case MESSAGE_AWARENESS:
          awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), peer);
          return { ok: true };
        case MESSAGE_QUERY_AWARENESS:
          peer.sendBinary(this.awarenessFrame([...this.awareness.getStates().keys()]));
          return { ok: true };
        default:
          return { ok: false, reason: `unknown Yjs message type ${type}` };
      }
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Stops listening to the document (the room is going away). */
  destroy(): void {
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.destroy();
    this.peers.clear();
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeUpdate(frame, update);
    const bytes = encoding.toUint8Array(frame);
    const write = this.stored.then(() => this.persist(update));
    this.stored = write.then(
      () => {
        for (const peer of this.peers.keys()) if (peer !== origin) peer.sendBinary(bytes);
      },
      (err: unknown) => console.error("partyroom: storing a document update failed", err),
    );
  };

  private onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    const owned = this.peers.get(origin as YjsPeer);
    if (owned) {
      // `updated` counts too: a client reconnecting to a room that still holds
      // its old state shows up as an update, and must still be removed with this peer.
      for (const id of added) owned.add(id);
      for (const id of updated) owned.add(id);
      for (const id of removed) owned.delete(id);
    }
    // Sent to the origin too: y-websocket clients count it as a sign of life.
    const frame = this.awarenessFrame([...added, ...updated, ...removed]);
    for (const peer of this.peers.keys()) peer.sendBinary(frame);
  };

  private awarenessFrame(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    return encoding.toUint8Array(encoder);
  }
}
