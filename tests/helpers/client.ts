/**
 * A raw WebSocket client (the `ws` package) that speaks the room's JSON
 * protocol, collects every frame, and waits for frames with deadlines.
 * Raw on purpose: tests see exactly what goes over the wire.
 */
import WebSocket from "ws";
import { type ChatMessage, clientIdFromKey, FLOW, PROTOCOL_VERSION, type ServerMessage } from "../../party/protocol";
import { type RoomRef, roomUrl } from "./room-url";
import { withTimeout } from "./wait";
import { ADMIN_HEADERS } from "./server";

type Waiter = { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void };

/** The public clientId the room shows for a client that said hello with `clientId` and no key (it is the secret). */
export const pub = clientIdFromKey;

export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly binary: Uint8Array[] = [];
  closeCode: number | null = null;
  closeReason = "";
  /** Bytes received, and reported to the room as read every FLOW.reportEveryBytes (as a client must). */
  received = 0;
  private reported = 0;
  /** Set false to behave like a client that never reports reads. */
  reportReads = true;
  /** Called with every text message as it arrives. */
  readonly listeners = new Set<(m: ServerMessage) => void>();
  private waiters: Waiter[] = [];
  private readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    let closedByRoom: ((how: { code: number; reason: string }) => void) | null = null;
    ws.on("message", (data, isBinary) => {
      this.received += (data as Buffer).byteLength;
      if (this.reportReads && this.received - this.reported >= FLOW.reportEveryBytes && ws.readyState === WebSocket.OPEN) {
        this.reported = this.received;
        ws.send(JSON.stringify({ type: "read", bytes: this.received }));
      }
      if (isBinary) {
        this.binary.push(new Uint8Array(data as Buffer));
        return;
      }
      const msg = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(msg);
      for (const listener of this.listeners) listener(msg);
      // The room says it is closing us (its close frame may not arrive under partykit dev): close, with its code.
      if (msg.type === "close") closedByRoom?.({ code: msg.code, reason: msg.reason });
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      const done = (code: number, reason: string) => {
        if (this.closeCode !== null) return;
        this.closeCode = code;
        this.closeReason = reason;
        resolve({ code, reason });
      };
      closedByRoom = ({ code, reason }) => {
        done(code, reason);
        ws.terminate();
      };
      ws.on("close", (code, reason) => done(code, reason.toString()));
    });
  }

  /** Opens a socket to the room (plus `suffix`, e.g. a query); `headers` go with the upgrade (e.g. `cf-connecting-ip`). */
  static async open(wsBase: string, room: RoomRef, suffix = "", headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(`${roomUrl(wsBase, room)}${suffix}`, { headers });
    const client = new TestClient(ws);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      }),
      10_000,
      `socket to ${roomUrl("", room)} to open`,
    );
    return client;
  }

  /** Opens a socket and completes hello/welcome. */
  static async join(wsBase: string, room: RoomRef, who: Partial<HelloFields> = {}, headers: Record<string, string> = {}): Promise<{ client: TestClient; welcome: Extract<ServerMessage, { type: "welcome" }> }> {
    const client = await TestClient.open(wsBase, room, "", headers);
    const welcome = await client.hello(who);
    return { client, welcome };
  }

  async hello(who: Partial<HelloFields> = {}): Promise<Extract<ServerMessage, { type: "welcome" }>> {
    this.send({
      type: "hello",
      v: PROTOCOL_VERSION,
      clientId: who.clientId ?? `c${Math.random().toString(36).slice(2, 12)}`,
      name: who.name ?? "Tester",
      color: who.color ?? "#3366ff",
      ...(who.lastSeq !== undefined ? { lastSeq: who.lastSeq } : {}),
      ...(who.status ? { status: who.status } : {}),
    });
    return this.next("welcome");
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer | Uint8Array): void {
    this.ws.send(data);
  }

  /** The next message of `type` (already received ones count if not yet consumed by `next`). */
  next<T extends ServerMessage["type"]>(
    type: T,
    where: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    type M = Extract<ServerMessage, { type: T }>;
    const match = (m: ServerMessage) => m.type === type && where(m as M);
    const seenIndex = this.messages.findIndex((m) => match(m) && !this.consumed.has(m));
    if (seenIndex >= 0) {
      const m = this.messages[seenIndex]!;
      this.consumed.add(m);
      return Promise.resolve(m as M);
    }
    return withTimeout(
      new Promise<M>((resolve) =>
        this.waiters.push({
          match,
          resolve: (m) => {
            this.consumed.add(m);
            resolve(m as M);
          },
        }),
      ),
      timeoutMs,
      `a "${type}" message`,
    );
  }
  private readonly consumed = new Set<ServerMessage>();

  /** Chat messages received as `chat` broadcasts, in arrival order. */
  chats(): ChatMessage[] {
    return this.messages.flatMap((m) => (m.type === "chat" ? [m.message] : []));
  }

  /** Sends a chat message and waits for its ack. */
  async chat(id: string, text: string): Promise<Extract<ServerMessage, { type: "ack" }>> {
    this.send({ type: "chat", id, text });
    return this.next("ack", (a) => a.id === id);
  }

  /** Resolves with the close code once the socket closes. */
  waitClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return withTimeout(this.closed, timeoutMs, "the socket to close");
  }

  /** Closes from this side; resolves when done (dev may not acknowledge: see PARTYKIT-NOTES). */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await withTimeout(this.closed, 5_000, "close").catch(() => this.ws.terminate());
  }

  /** Drops the TCP connection without a close frame, like a crashed tab. */
  terminate(): void {
    this.ws.terminate();
  }
}

export type HelloFields = { clientId: string; name: string; color: string; lastSeq: number; status: "active" | "idle" | "away" };

/** GET JSON from the room's HTTP API, as an admin unless `headers` say otherwise. */
export async function getJson<T = any>(httpBase: string, path: string, headers: Record<string, string> = ADMIN_HEADERS): Promise<{ status: number; body: T }> {
  const res = await withTimeout(fetch(`${httpBase}${path}`, { headers }), 10_000, `GET ${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** Seeds a room with `count` messages over HTTP, spreading them over client ids to stay under the rate limit. */
export async function seedMessages(httpBase: string, room: string, count: number, from = 1): Promise<void> {
  for (let i = from; i < from + count; i += 10) {
    const batch = [];
    for (let j = i; j < Math.min(i + 10, from + count); j++) {
      batch.push(
        withTimeout(
          fetch(`${httpBase}/parties/main/${room}/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ clientId: `seed${Math.floor(j / 10)}`, id: `seed-${j}`, text: `message ${j}`, name: "Seeder", color: "#999999" }),
          }),
          10_000,
          "seed POST",
        ).then((r) => {
          if (r.status !== 201) throw new Error(`seed POST answered ${r.status}`);
        }),
      );
      // Sequential within a batch keeps seq == j, which tests rely on.
      await batch[batch.length - 1];
    }
  }
}
