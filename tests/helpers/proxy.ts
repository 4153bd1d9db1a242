/**
 * A userspace TCP proxy in front of the test server, for real network faults
 * without mocking any socket: cut every connection and refuse new ones (an
 * outage), or silently stop forwarding on the live ones (a half-dead link that
 * only an application watchdog can notice). `tc netem` is not available here.
 */
import { createServer, type Server, type Socket, connect } from "node:net";
import { withTimeout } from "./wait";

type Pair = { client: Socket; upstream: Socket; stalled: boolean; held: boolean };

export type ProxyMode = "forward" | "refuse";

export class TcpProxy {
  /** Time (ms since epoch) of every accepted TCP connection, refused ones included. */
  readonly accepts: number[] = [];
  private mode: ProxyMode = "forward";
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a proxy on a free loopback port forwarding to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, targetPort));
    const port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
      }),
      5_000,
      "the proxy to listen",
    );
    proxy = new TcpProxy(server, port);
    return proxy;
  }

  /** host:port for clients. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Outage: drops every live connection and closes each new one right after accepting it. */
  refuse(): void {
    this.mode = "refuse";
    for (const pair of this.pairs) this.drop(pair);
  }

  /** Normal forwarding for new connections (live stalled ones stay stalled). */
  forward(): void {
    this.mode = "forward";
  }

  /** Half-dead link: live connections stay open but nothing more passes either way. */
  stall(): void {
    for (const pair of this.pairs) pair.stalled = true;
  }

  /**
   * Blackhole: like stall(), and when the client gives up on a connection its
   * server side stays open and silent (a NAT or proxy that forgot the flow
   * without telling the server). Only the server's own timeout ends it.
   */
  blackhole(): void {
    for (const pair of this.pairs) {
      pair.stalled = true;
      pair.held = true;
    }
  }

  /** Connections currently held (forwarding or not). */
  get open(): number {
    return this.pairs.size;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    await withTimeout(new Promise<void>((resolve) => this.server.close(() => resolve())), 5_000, "the proxy to close");
  }

  private accept(client: Socket, targetPort: number): void {
    this.accepts.push(Date.now());
    if (this.mode === "refuse") {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: Pair = { client, upstream, stalled: false, held: false };
    this.pairs.add(pair);
    client.on("data", (d) => {
      if (!pair.stalled) upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (!pair.stalled) client.write(d);
    });
    const end = () => this.drop(pair);
    upstream.on("error", end);
    upstream.on("close", end);
    const clientGone = () => {
      if (pair.held) client.destroy();
      else end();
    };
    client.on("error", clientGone);
    client.on("close", clientGone);
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
