/**
 * The client side of the standard Yjs sync + awareness protocol (what
 * y-websocket speaks) over whatever socket the room client has open. No
 * socket here: `send` returns false when nothing can be sent, and a closed
 * socket loses nothing, because every (re)connect starts with a full sync
 * (both sides send step 1 and answer the other's with step 2).
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import type * as Y from "yjs";

/** y-protocols message types on binary frames. */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/** Binds a Y.Doc and its Awareness to a binary channel that comes and goes. */
export class DocLink {
  private synced = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly awareness: awarenessProtocol.Awareness,
    /** Sends a binary frame if the socket is ready; false otherwise. */
    private readonly send: (frame: Uint8Array) => boolean,
    /** Called once, after the first sync step 2 from the server. */
    private readonly onFirstSync: () => void,
  ) {
    doc.on("update", this.onDocUpdate);
    awareness.on("update", this.onAwarenessUpdate);
  }

  /** True once the server's step 2 has been applied (stays true across reconnects). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** A socket is ready (hello sent): start the sync and announce our awareness state. */
  start(): void {
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(step1, this.doc);
    this.send(encoding.toUint8Array(step1));
    const local = this.awareness.getLocalState();
    // Re-set (not just re-send) the state: the server dropped it when the old
    // socket closed but kept its clock, so only a newer clock is accepted again.
    if (local !== null) this.awareness.setLocalState({ ...local });
  }

  /** The socket closed: others' cursors are stale until the server resends them. */
  stop(): void {
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
  }

  /** Handles one binary frame from the server. Never throws: a bad frame is reported and dropped. */
  receive(frame: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      switch (type) {
        case MESSAGE_SYNC: {
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE_SYNC);
          const kind = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
          if (encoding.length(reply) > 1) this.send(encoding.toUint8Array(reply));
          if (kind === syncProtocol.messageYjsSyncStep2 && !this.synced) {
            this.synced = true;
            this.onFirstSync();
          }
          return;
        }
        case MESSAGE_AWARENESS:
          awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
          return;
        case MESSAGE_QUERY_AWARENESS:
          this.send(this.awarenessFrame([...this.awareness.getStates().keys()]));
          return;
        default:
          console.warn(`partyroom: ignoring Yjs message type ${type}`);
      }
    } catch (err) {
      console.warn("partyroom: could not apply a Yjs frame", err);
    }
  }

  /** Stops listening to the document and awareness. */
  destroy(): void {
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeUpdate(frame, update);
    this.send(encoding.toUint8Array(frame));
  };

  private readonly onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    if (origin === this) return;
    this.send(this.awarenessFrame([...added, ...updated, ...removed]));
  };

  private awarenessFrame(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    return encoding.toUint8Array(encoder);
  }
}
