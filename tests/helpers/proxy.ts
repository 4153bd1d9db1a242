/**
 * A userspace TCP proxy in front of the test server, for real network faults
 * without mocking any socket: cut every connection and refuse new ones (an
 * outage), silently stop forwarding on the live ones (a half-dead link that
 * only an application watchdog can notice), or throttle what the server sends
 * to a rate (a slow link: the proxy stops reading from the server while its
 * small queue is full, so the backlog builds up in the server's socket, as
 * behind a real slow link). `tc netem` is not available here.
 */
import { createServer, type Server, type Socket, connect } from "node:net";
import { withTimeout } from "./wait";

type Pair = { client: Socket; upstream: Socket; stalled: boolean; held: boolean; throttle: Throttle | null };

/** How often a throttled link passes on its next slice of bytes. */
const THROTTLE_TICK_MS = 20;

/** Server-to-client bytes of one connection, let through at `bytesPerSecond`. */
class Throttle {
  private queue: Buffer[] = [];
  private queued = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pair: Pair,
    private readonly bytesPerSecond: number,
  ) {
    this.timer = setInterval(() => this.pump(), THROTTLE_TICK_MS);
  }

  push(data: Buffer): void {
    this.queue.push(data);
    this.queued += data.byteLength;
    // Holds at most a quarter second of the rate; beyond that the server's socket takes the backlog.
    if (this.queued > this.bytesPerSecond / 4) this.pair.upstream.pause();
  }

  /** Stops throttling: what is queued goes out at once (`flush`), or is dropped with the connection. */
  stop(flush: boolean): void {
    clearInterval(this.timer);
    if (flush) for (const chunk of this.queue) if (!this.pair.stalled) this.pair.client.write(chunk);
    this.queue = [];
    this.queued = 0;
    this.pair.upstream.resume();
  }

  private pump(): void {
    if (this.pair.stalled) return;
    let allowance = (this.bytesPerSecond * THROTTLE_TICK_MS) / 1000;
    while (allowance > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      const part = head.byteLength <= allowance ? head : head.subarray(0, Math.floor(allowance));
      if (part.byteLength === 0) break;
      this.pair.client.write(part);
      allowance -= part.byteLength;
      this.queued -= part.byteLength;
      if (part === head) this.queue.shift();
      else this.queue[0] = head.subarray(part.byteLength);
    }
    if (this.queued <= this.bytesPerSecond / 8) this.pair.upstream.resume();
  }
}

export type ProxyMode = "forward" | "refuse";

export class TcpProxy {
  /** Time (ms since epoch) of every accepted TCP connection, refused ones included. */
  readonly accepts: number[] = [];
  private mode: ProxyMode = "forward";
  private readonly pairs = new Set<Pair>();
  private rate: number | null = null;

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

  /**
   * Slow link: from now on the server's bytes reach each client (live
   * connections and new ones) at `bytesPerSecond`; null lifts the limit.
   */
  throttle(bytesPerSecond: number | null): void {
    this.rate = bytesPerSecond;
    for (const pair of this.pairs) this.setThrottle(pair);
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
    const pair: Pair = { client, upstream, stalled: false, held: false, throttle: null };
    this.pairs.add(pair);
    this.setThrottle(pair);
    client.on("data", (d) => {
      if (!pair.stalled) upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (pair.stalled) return;
      if (pair.throttle) pair.throttle.push(d);
      else client.write(d);
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

  private setThrottle(pair: Pair): void {
    pair.throttle?.stop(true);
    pair.throttle = this.rate === null ? null : new Throttle(pair, this.rate);
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.throttle?.stop(false);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
