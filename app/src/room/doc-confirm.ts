/**
 * Knowing which local document edits the server has, without a server ack.
 *
 * The Yjs protocol never acknowledges an update, but the room handles each
 * socket's frames strictly in order and answers every sync step 1 with a
 * step 2. So a step 1 sent *after* some updates is a barrier: its step 2
 * reply proves the server has applied everything sent before it. This class
 * is the bookkeeping for that, with no socket and no Yjs in it:
 *
 * - every local update bumps `local` (edits, and updates restored from the
 *   offline cache: the server may not have those either);
 * - `covered` is the highest local count handed to the server on the current
 *   socket: the step 2 that answers the server's step 1 carries everything
 *   the server lacks, and once that went out, each live update is covered too;
 * - barriers are step 1s in flight, oldest first, each remembering `covered`
 *   when it left; a step 2 from the server settles the oldest one.
 *
 * At most one barrier is in flight: the next goes when the previous returns,
 * so a typing burst costs one round trip, not one per keystroke.
 *
 * What "confirmed" means: the server's in-memory document has the edits. The
 * server persists an update shortly after applying it (see PROTOCOL.md §8);
 * a crash inside that window can lose an edit confirmed here, and the next
 * connect of this page re-sends it (it is still in the local document).
 */
export class DocConfirm {
  private local = 0;
  private covered = 0;
  private confirmed = 0;
  /** This socket answered the server's step 1: live updates now reach it whole. */
  private handshaken = false;
  /** `covered` at the time each in-flight step 1 left, oldest first. */
  private barriers: number[] = [];

  /** True while some local edit is not known to be on the server. */
  get unsynced(): boolean {
    return this.local > this.confirmed;
  }

  /** A local update happened (whether or not it could be sent). */
  localUpdate(): void {
    this.local++;
  }

  /** A live update went out on the socket. */
  sentUpdate(): void {
    if (this.handshaken) this.covered = this.local;
  }

  /** Our step 2 (the answer to the server's step 1) went out: the server now gets everything. */
  sentHandshake(): void {
    this.handshaken = true;
    this.covered = this.local;
  }

  /** A step 1 left (ours at connect, or a barrier). */
  sentStep1(): void {
    this.barriers.push(this.covered);
  }

  /** A step 2 arrived: the oldest step 1 in flight is answered. */
  receivedStep2(): void {
    const settled = this.barriers.shift();
    if (settled !== undefined && settled > this.confirmed) this.confirmed = settled;
  }

  /** A barrier should go out now: none in flight and something covered but unconfirmed. */
  wantsBarrier(): boolean {
    return this.barriers.length === 0 && this.covered > this.confirmed;
  }

  /** The socket closed: in-flight barriers will never be answered; the next socket starts over. */
  disconnected(): void {
    this.barriers = [];
    this.handshaken = false;
    this.covered = this.confirmed;
  }
}
