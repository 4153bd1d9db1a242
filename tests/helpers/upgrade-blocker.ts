/**
 * A TCP proxy that, while `blocking`, refuses WebSocket upgrades the way a
 * corporate proxy does (an HTTP 403 and a close) and passes every other
 * request through: the network the SSE and long-poll fallbacks are for.
 * It reads only the first bytes of each connection to find the Upgrade header.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { withTimeout } from "./wait";

export class UpgradeBlocker {
  blocking = true;
  /** Upgrades refused so far. */
  refused = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: number): Promise<UpgradeBlocker> {
    let blocker: UpgradeBlocker | undefined;
    const server = createServer((client) => blocker?.accept(client, target));
    const port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
      }),
      5_000,
      "the upgrade blocker to listen",
    );
    blocker = new UpgradeBlocker(server, port);
    return blocker;
  }

  private accept(client: Socket, target: number): void {
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.once("data", (first) => {
      if (this.blocking && /^upgrade:\s*websocket/im.test(first.toString("latin1"))) {
        this.refused++;
        client.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
      }
      const upstream = connect(target, "127.0.0.1");
      this.sockets.add(upstream);
      upstream.on("close", () => this.sockets.delete(upstream));
      upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await withTimeout(new Promise<void>((r) => this.server.close(() => r())), 5_000, "the upgrade blocker to close");
  }
}
