/**
 * The client side of the standard Yjs sync + awareness protocol (what
 * y-websocket speaks) over whatever socket the room client has open. No
 * socket here: `send` returns false when nothing can be sent, and a closed
 * socket loses nothing, because every (re)connect starts with a full sync
 * (both sides send step 1 and answer the other's with step 2).
 * Which local edits the server already has is tracked by DocConfirm
 * (doc-confirm.ts), with extra step 1 frames as barriers.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import type * as Y from "yjs";
import { DocConfirm } from "./doc-confirm";

/** y-protocols message types on binary frames. */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_QUERY_AWARENESS = 3;

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/** Binds a Y.Doc and its Awareness to a binary channel that comes and goes. */
export class DocLink {
  private synced = false;
  private readonly confirm = new DocConfirm();

  constructor(
    private readonly doc: Y.Doc,
    private readonly awareness: awarenessProtocol.Awareness,
    /** Sends a binary frame if the socket is ready; false otherwise. */
    private readonly send: (frame: Uint8Array) => boolean,
    /** Called when `isSynced` or `hasUnsynced` may have changed. */
    private readonly onChange: () => void,
  ) {
    doc.on("update", this.onDocUpdate);
    awareness.on("update", this.onAwarenessUpdate);
  }

  /** True once the server's step 2 has been applied (stays true across reconnects). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** True while a local edit (or one restored from the offline cache) is not known to be on the server. */
  get hasUnsynced(): boolean {
    return this.confirm.unsynced;
  }

  /** A socket is ready (hello sent): start the sync and announce our awareness state. */
  start(): void {
    this.sendStep1();
    const local = this.awareness.getLocalState();
    // Re-set (not just re-send) the state: the server dropped it when the old
    // socket closed but kept its clock, so only a newer clock is accepted again.
    if (local !== null) this.awareness.setLocalState({ ...local });
  }

  /** The socket closed: others' cursors are stale until the server resends them. */
  stop(): void {
    this.confirm.disconnected();
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
          const before = [this.synced, this.confirm.unsynced].join();
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE_SYNC);
          const kind = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
          if (encoding.length(reply) > 1 && this.send(encoding.toUint8Array(reply)) && kind === syncProtocol.messageYjsSyncStep1) {
            this.confirm.sentHandshake();
          }
          if (kind === syncProtocol.messageYjsSyncStep2) {
            this.confirm.receivedStep2();
            this.synced = true;
          }
          this.barrierIfDue();
          if ([this.synced, this.confirm.unsynced].join() !== before) this.onChange();
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
    const wasUnsynced = this.confirm.unsynced;
    this.confirm.localUpdate();
    const frame = encoding.createEncoder();
    encoding.writeVarUint(frame, MESSAGE_SYNC);
    syncProtocol.writeUpdate(frame, update);
    if (this.send(encoding.toUint8Array(frame))) this.confirm.sentUpdate();
    this.barrierIfDue();
    if (!wasUnsynced) this.onChange();
  };

  /** Sends our state vector; the server's step 2 reply doubles as a barrier (see DocConfirm). */
  private sendStep1(): void {
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(step1, this.doc);
    if (this.send(encoding.toUint8Array(step1))) this.confirm.sentStep1();
  }

  private barrierIfDue(): void {
    if (this.confirm.wantsBarrier()) this.sendStep1();
  }

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
