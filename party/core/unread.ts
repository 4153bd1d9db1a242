/**
 * Unread bytes summed over links: per client address and over the room. One
 * link's budget (FLOW.budgetBytes) bounds what one slow reader makes the room
 * hold (its outbox, or the runtime's send queue), but not what many do: one
 * address opening its 256 allowed sessions, each asking for chat it never
 * reads, held 225 MiB in a room that has 128 MB. Past BUDGETS.unreadBytesPerAddress
 * (or unreadBytesPerRoom), a link whose unread would pass its fair share of
 * that budget (the budget divided among the links it covers, at most
 * FLOW.lowBytes, the mark above which a link counts as behind) is closed 1013
 * like any slow reader: links that keep reading go on, the laggards go.
 * A share is never below the link's read slack (READ_SLACK): an app client
 * reports what it read only every FLOW.reportEveryBytes, so a link within that
 * is keeping up by the protocol's own measure. A socket's report takes a round
 * trip to arrive while the room goes on sending, so a socket's slack is twice
 * that (with one interval, a socket that reported its reads was closed 1013 on
 * the pong that woke its room in the wake scenario on a slow machine, among
 * thousands from one address); an HTTP session's outbox is acknowledged by
 * the requests that read it, and the room itself holds it, so its slack stays
 * one interval. Without that floor a big room would close its own
 * healthy members whenever it passed its budget: past 2,048 links the room's
 * share is under 32 KiB, and at its 10,000 connections 6.5 KiB. What a link
 * under the floor holds is mostly already out of the room (in the kernel's
 * socket buffers, or read and not yet reported), so the floor costs the room
 * little memory. (A joiner's unread welcome and held presence: flow.ts.)
 * Pure: LinkFlow feeds it (flow.ts), the room attaches each link (room.ts).
 */
import { BUDGETS, FLOW } from "../protocol";
import type { Transport } from "./session";

/** One link's account: what LinkFlow reports to, and asks before sending. */
export type UnreadAccount = {
  /** Unread went up (a send) or down (a read) by `delta`. */
  add(delta: number): void;
  /** Whether a frame of `bytes` that leaves the link `after` bytes unread passes a shared budget the link is over its share of. */
  over(bytes: number, after: number): boolean;
  /** The link is gone: its links count drops (its bytes were taken back by the caller). */
  close(): void;
};

type Tally = { bytes: number; links: number };

/** What a link may hold unproven and still count as keeping up, by transport (see above). */
export const READ_SLACK: Readonly<Record<Transport, number>> = { websocket: 2 * FLOW.reportEveryBytes, sse: FLOW.reportEveryBytes, poll: FLOW.reportEveryBytes };

export class UnreadLedger {
  private readonly room: Tally = { bytes: 0, links: 0 };
  private readonly byAddress = new Map<string, Tally>();

  constructor(
    private readonly perAddress: number = BUDGETS.unreadBytesPerAddress,
    private readonly perRoom: number = BUDGETS.unreadBytesPerRoom,
    private readonly behindBytes: number = FLOW.lowBytes,
    private readonly slackBytes: number = FLOW.reportEveryBytes,
  ) {}

  /** Unread bytes over every link of the room. */
  get bytes(): number {
    return this.room.bytes;
  }

  /** An account for a link from `address` ("" = unknown: only the room's budget applies), never cut within `slackBytes`. */
  account(address: string, slackBytes = this.slackBytes): UnreadAccount {
    let mine: Tally | null = null;
    if (address) {
      mine = this.byAddress.get(address) ?? { bytes: 0, links: 0 };
      this.byAddress.set(address, mine);
      mine.links++;
    }
    this.room.links++;
    return new LedgerAccount(this, address, mine, slackBytes);
  }

  /** Whether a frame of `bytes` leaving a link `after` bytes unread passes the room's or its address's budget. */
  over(mine: Tally | null, bytes: number, after: number, slackBytes: number): boolean {
    return this.past(this.room, this.perRoom, bytes, after, slackBytes) || (mine !== null && this.past(mine, this.perAddress, bytes, after, slackBytes));
  }

  add(mine: Tally | null, delta: number): void {
    this.room.bytes += delta;
    if (mine) mine.bytes += delta;
  }

  close(address: string, mine: Tally | null): void {
    this.room.links--;
    if (mine && --mine.links === 0) this.byAddress.delete(address);
  }

  private past(tally: Tally, budget: number, bytes: number, after: number, slackBytes: number): boolean {
    const share = Math.max(slackBytes, Math.min(this.behindBytes, budget / Math.max(1, tally.links)));
    return tally.bytes + bytes > budget && after > share;
  }
}

/**
 * One link's account, an object of four fields: a room of thousands keeps one
 * per link, and three closures with their context cost it several times that
 * (`npm run bench:session-heap`).
 */
class LedgerAccount implements UnreadAccount {
  constructor(
    private readonly ledger: UnreadLedger,
    private readonly address: string,
    private readonly mine: Tally | null,
    private readonly slackBytes: number,
  ) {}

  add(delta: number): void {
    this.ledger.add(this.mine, delta);
  }

  over(bytes: number, after: number): boolean {
    return this.ledger.over(this.mine, bytes, after, this.slackBytes);
  }

  close(): void {
    this.ledger.close(this.address, this.mine);
  }
}
