/**
 * A webhook receiver for tests: a Node HTTP server on 127.0.0.1 that checks
 * every delivery's Standard Webhooks signature twice (with the spec's
 * `standardwebhooks` library and with its own HMAC from node:crypto), records
 * it, and answers as the test says: 200, a failure status, slowly, or not at
 * all (`down()` stops listening; `up()` listens on the same port again).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import type { WebhookBody } from "../../party/protocol";
import { withTimeout } from "./wait";

/** One request the receiver took. */
export type Delivery = { id: string; timestamp: number; body: WebhookBody; at: number; signatureOk: boolean };

/** A fresh `whsec_` secret (24 random bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** What to answer next: a status, and a delay before it. `failNext` answers that many requests with 500 after recording them. */
  status = 200;
  delayMs = 0;
  failNext = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<import("node:net").Socket>();

  private constructor(
    readonly secret: string,
    public port: number,
  ) {}

  /** Starts listening on a free loopback port. */
  static async start(secret = newWebhookSecret()): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(secret, 0);
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/partyroom`;
  }

  /** Listens (again, on the same port once it has one). */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await withTimeout(new Promise<void>((resolve, reject) => server.once("error", reject).listen(this.port, "127.0.0.1", () => resolve())), 5_000, "receiver to listen");
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: the room's requests now fail to connect. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5_000, "receiver to close");
  }

  /** Deliveries deduplicated on the event id, in the order each id first arrived. */
  unique(): WebhookBody[] {
    const seen = new Set<string>();
    return this.deliveries.filter((d) => !seen.has(d.id) && seen.add(d.id)).map((d) => d.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const headers = { "webhook-id": String(req.headers["webhook-id"]), "webhook-timestamp": String(req.headers["webhook-timestamp"]), "webhook-signature": String(req.headers["webhook-signature"]) };
    let signatureOk = false;
    try {
      new Webhook(this.secret).verify(raw, headers);
      signatureOk = ownCheck(this.secret, headers, raw);
    } catch {
      signatureOk = false;
    }
    this.deliveries.push({ id: headers["webhook-id"], timestamp: Number(headers["webhook-timestamp"]), body: JSON.parse(raw) as WebhookBody, at: Date.now(), signatureOk });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const status = this.failNext > 0 ? (this.failNext--, 500) : this.status;
    res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "nope");
  }

  async stop(): Promise<void> {
    await this.down();
  }
}

/** The spec's rule, written out: v1 = base64(HMAC-SHA256(base64-decoded secret, "id.timestamp.body")). */
function ownCheck(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest();
  return headers["webhook-signature"]!.split(" ").some((s) => {
    const [version, sig] = s.split(",");
    const given = Buffer.from(sig ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
