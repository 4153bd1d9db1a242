/**
 * Chat traffic for abuse tests: writers posting timestamped messages at a
 * steady rate (every acked message is remembered: nothing acknowledged may be
 * lost), readers that measure delivery latency, and stalled readers (raw
 * sockets that keep sending heartbeats while their TCP socket is paused, so
 * the kernel buffers fill and the room must notice by itself).
 */
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type ChatMessage, LIMITS, RATE_LIMIT } from "../../party/protocol";
import { TestClient } from "./client";
import { until } from "./wait";

/** A resuming client asks for its next page at most this often: half the socket's frame rate. */
const SYNC_EVERY_MS = 2_000 / RATE_LIMIT.perSecond;

/** Three UTF-8 bytes per character: a full message is about 6 KB on the wire. */
const CJK = "部屋の文書と会話を同期する長い段落です";

/** A chat text of `chars` UTF-16 units that starts with the time it was written (`<ms>|`). */
export function stampedText(chars: number = LIMITS.chatTextMax): string {
  const head = `${Date.now()}|`;
  return head + CJK.repeat(Math.ceil(chars / CJK.length)).slice(0, chars - head.length);
}

/** When a stamped message was written (NaN for other texts). */
export const stampOf = (m: ChatMessage): number => Number(m.text.slice(0, m.text.indexOf("|")));

/** One person posting chat at a steady rate; counts acks, refusals and ack latency. */
export class Writer {
  /** Acked message id -> seq. */
  readonly acked = new Map<string, number>();
  readonly ackMs: number[] = [];
  /** Error codes the room answered instead of an ack. */
  readonly refused: string[] = [];
  private readonly sentAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private n = 0;

  constructor(
    readonly client: TestClient,
    readonly tag: string,
  ) {
    client.listeners.add((m) => {
      if (m.type === "ack") {
        const at = this.sentAt.get(m.id);
        if (at === undefined) return;
        this.sentAt.delete(m.id);
        this.acked.set(m.id, m.seq);
        this.ackMs.push(performance.now() - at);
      } else if (m.type === "error" && m.ref && this.sentAt.delete(m.ref)) this.refused.push(m.code);
    });
  }

  static async join(ws: string, room: string, tag: string, headers: Record<string, string> = {}): Promise<Writer> {
    const { client } = await TestClient.join(ws, room, { clientId: `${tag}-secret-${Math.random().toString(36).slice(2)}`, name: tag }, headers);
    return new Writer(client, tag);
  }

  /** Posts one message of `chars` characters now. */
  post(chars?: number): void {
    const id = `${this.tag}-${++this.n}`;
    this.sentAt.set(id, performance.now());
    this.client.send({ type: "chat", id, text: stampedText(chars) });
  }

  /** Posts `perSecond` messages a second until `stop()`. */
  start(perSecond: number, chars?: number): void {
    this.timer = setInterval(() => this.post(chars), 1000 / perSecond);
  }

  /** Stops posting and waits for every answer still owed. */
  async stop(timeoutMs = 20_000): Promise<void> {
    clearInterval(this.timer);
    await until(() => this.sentAt.size === 0 || this.client.closeCode !== null, `${this.tag}'s acks`, timeoutMs);
  }
}

/** Delivery latency (stamp to arrival) of every stamped chat message a client receives. */
export function measureDelivery(client: TestClient): number[] {
  const ms: number[] = [];
  client.listeners.add((m) => {
    if (m.type !== "chat") return;
    const at = stampOf(m.message);
    if (Number.isFinite(at)) ms.push(Date.now() - at);
  });
  return ms;
}

/** The TCP socket under a `ws` client (ws keeps it in a private field). */
export function tcpOf(client: TestClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket;
}

/**
 * A reader that stops reading: its TCP socket is paused (the kernel buffers
 * fill, then the room's sends pile up on the server), while it keeps sending
 * heartbeats with what it has read, as a frozen tab's network stack would.
 */
export class StalledReader {
  private readonly beat: NodeJS.Timeout;

  constructor(
    readonly client: TestClient,
    heartbeatMs: number,
  ) {
    tcpOf(client).pause();
    this.beat = setInterval(() => {
      if (client.closeCode === null) client.send({ type: "heartbeat", read: client.received });
    }, heartbeatMs);
  }

  /** Starts reading again (heartbeats go on: the client is alive). */
  resume(): void {
    tcpOf(this.client).resume();
  }

  stop(): void {
    clearInterval(this.beat);
  }
}

/**
 * Every chat seq a client holds, after it has fetched what it missed: it
 * resumes from its highest contiguous seq on a fresh socket (hello with
 * lastSeq, then `sync` pages), as a client closed 1013 does. Returns the seqs.
 */
export async function resumeAll(ws: string, room: string, have: ChatMessage[], headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<Set<number>> {
  const seqs = new Set(have.map((m) => m.seq));
  let last = 0;
  while (seqs.has(last + 1)) last++;
  const client = await TestClient.open(ws, room, "", headers);
  const closed = () => (client.closeCode === null ? "" : ` (the room closed the socket ${client.closeCode} ${client.closeReason})`);
  try {
    const welcome = await client.hello({ lastSeq: last }).catch((err: Error) => {
      throw new Error(err.message + closed());
    });
    for (const m of welcome.messages) seqs.add(m.seq);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (seqs.has(last + 1)) last++;
      if (last >= welcome.seq) break;
      if (Date.now() > deadline) throw new Error(`resume stuck at seq ${last} of ${welcome.seq}`);
      // Paced under the socket's frame rate (RATE_LIMIT.perSecond): a page is small, a backlog may be many.
      await sleep(SYNC_EVERY_MS);
      client.send({ type: "sync", after: last });
      const page = await client.next("messages", (m) => m.for === "sync").catch((err: Error) => {
        throw new Error(err.message + closed());
      });
      for (const m of page.messages) seqs.add(m.seq);
    }
    for (const m of client.chats()) seqs.add(m.seq);
    return seqs;
  } finally {
    await client.close();
  }
}
