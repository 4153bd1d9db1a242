/**
 * A userspace TCP proxy that delays every chunk by a fixed one-way delay in
 * each direction (tc netem is not available here). Equal delays keep order:
 * timers with the same delay fire in the order they were set. Loopback only.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { withTimeout } from "../../helpers/wait";

export class DelayProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port, forwarding to 127.0.0.1:`target` with `delayMs` each way. */
  static async start(target: number, delayMs: number): Promise<DelayProxy> {
    let proxy: DelayProxy | undefined;
    const server = createServer((client) => proxy?.pipe(client, target, delayMs));
    const port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
      }),
      5_000,
      "the delay proxy to listen",
    );
    proxy = new DelayProxy(server, port);
    return proxy;
  }

  private pipe(client: Socket, target: number, delayMs: number): void {
    const upstream = connect(target, "127.0.0.1");
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const forward = (from: Socket, to: Socket) => {
      from.on("data", (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
      from.on("end", () => setTimeout(() => to.end(), delayMs));
      from.on("error", () => to.destroy());
      from.on("close", () => {
        this.sockets.delete(from);
        setTimeout(() => to.destroy(), delayMs);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await withTimeout(new Promise<void>((r) => this.server.close(() => r())), 5_000, "the delay proxy to close");
  }
}
