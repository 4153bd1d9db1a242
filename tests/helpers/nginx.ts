/**
 * Debian's nginx in front of a test server, configured from docs/nginx.conf
 * (the documented config, placeholders filled in): a free loopback port, its
 * own prefix dir for pid, logs and temp files, and stopped by its own PID,
 * never by name.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "./server";
import { until, withTimeout } from "./wait";

/** A running nginx. */
export type Nginx = {
  /** 127.0.0.1:PORT */
  host: string;
  http: string;
  port: number;
  pid: number;
  /** nginx's error log so far (for failure messages). */
  errors(): string;
  stop(): Promise<void>;
};

/** Starts nginx proxying to 127.0.0.1:`upstreamPort` (on `port`, default a free one); resolves once it answers for the room API. */
export async function startNginx(upstreamPort: number, port?: number, binary = process.env.NGINX_PATH ?? "/usr/sbin/nginx"): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "partyroom-nginx-"));
  for (const sub of ["logs", "tmp"]) mkdirSync(join(dir, sub));
  port ??= await freePort();
  const config = readFileSync(join(ROOT, "docs", "nginx.conf"), "utf8")
    .replaceAll("{{LISTEN}}", `127.0.0.1:${port}`)
    .replaceAll("{{UPSTREAM}}", `127.0.0.1:${upstreamPort}`);
  writeFileSync(join(dir, "nginx.conf"), config);
  let output = "";
  const child: ChildProcess = spawn(binary, ["-p", `${dir}/`, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  for (const s of [child.stdout!, child.stderr!]) s.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const errors = () => {
    let log = "";
    try {
      log = readFileSync(join(dir, "logs", "error.log"), "utf8");
    } catch {
      // Not written yet.
    }
    return `${output}${log}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Fast shutdown: a graceful one (SIGQUIT) would wait for every open WebSocket to end.
      child.kill("SIGTERM");
      await withTimeout(exited, 5_000, "nginx to stop").catch(async () => {
        child.kill("SIGKILL");
        await withTimeout(exited, 5_000, "nginx to die");
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const http = `http://127.0.0.1:${port}`;
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
      return (await fetch(`${http}/parties/main/nginx-ready`)).ok;
    }, "nginx to answer", 10_000, 100);
  } catch (err) {
    const log = errors();
    await stop();
    throw new Error(`${(err as Error).message}\n--- nginx ---\n${log}`);
  }
  return { host: `127.0.0.1:${port}`, http, port, pid: child.pid!, errors, stop };
}
