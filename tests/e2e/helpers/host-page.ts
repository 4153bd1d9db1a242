/**
 * An embedder's site for browser tests: a tiny node:http server on its own
 * free port on 127.0.0.1 (so a different origin from the rooms' server),
 * serving the HTML pages a test registers. Every page records the messages
 * it receives from frames in `window.hostMessages`.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { withTimeout } from "../../helpers/wait";

/** Put in every page's <head>: what frames post to the host, as the host sees it. */
const RECORDER = `<script>
window.hostMessages = [];
addEventListener("message", (e) => window.hostMessages.push({ origin: e.origin, data: JSON.stringify(e.data) }));
</script>`;

export class HostSite {
  private readonly pages = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<HostSite> {
    let site: HostSite | undefined;
    const server = createServer((req, res) => site?.serve(req.url ?? "/", res));
    const port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
      }),
      5_000,
      "the host site to listen",
    );
    site = new HostSite(server, `http://127.0.0.1:${port}`);
    return site;
  }

  /** Serves `body` (inside a minimal page with the message recorder) at `path`; returns its URL. */
  page(path: string, body: string): string {
    this.pages.set(
      path,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An embedder's page</title><link rel="icon" href="data:,">${RECORDER}
<style>body{margin:0;padding:24px;font:15px/1.5 system-ui,sans-serif;background:#eef0f3;color:#222}
@media (prefers-color-scheme: dark){body{background:#0b0c0f;color:#ddd}} .slot{margin:16px 0}</style></head>
<body>${body}</body></html>`,
    );
    return `${this.origin}${path}`;
  }

  private serve(url: string, res: ServerResponse): void {
    const html = this.pages.get(new URL(url, this.origin).pathname);
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html ?? "not found");
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await withTimeout(new Promise<void>((r) => this.server.close(() => r())), 5_000, "the host site to close");
  }
}
