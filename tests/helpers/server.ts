/**
 * Starts a real `partykit dev` for tests: a free port, a temp persist dir,
 * its own process group (so workerd goes with it), and a hard stop at exit.
 * Only processes started here are ever signalled, by process group id.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { withTimeout } from "./wait";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Every test server runs with operator tools on (PARTYROOM_ADMIN_SECRET); helpers send it so tests can read `internals`. */
export const TEST_ADMIN_SECRET = "test-admin-secret-0123456789";
/** Headers that make a request an admin's. */
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_SECRET}` } as const;
const BIN = join(ROOT, "node_modules", "partykit", "dist", "bin.mjs");

/**
 * A free port below the kernel's ephemeral range. A port the kernel hands out
 * for listen(0) comes from that range, which is also where every outgoing
 * connection on the machine takes its local port: between our check and
 * `partykit dev` binding it (a build in between), a test's client or workerd's
 * own loopback connections took it, and the server failed "Address already in
 * use" (a CI run). Below the range only another listener can take it.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralLow() - 1);
  for (let i = 0; i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    // Checked on every address, as partykit dev binds it (0.0.0.0).
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found in ${low}-${high} after 50 tries`);
}

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralLow(): number {
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, () => srv.close(() => resolve(true)));
  });
}

export type DevServer = {
  port: number;
  /** http://127.0.0.1:PORT */
  http: string;
  /** ws://127.0.0.1:PORT */
  ws: string;
  persistDir: string;
  /** The `partykit dev` process, which leads its process group (workerd runs in it): for memory readings. */
  readonly pid: number;
  /** SIGKILL to the whole process group, as a crash would. */
  kill9(): Promise<void>;
  /** Starts again on the same port with the same state. */
  restart(): Promise<void>;
  /** Stops the server and removes its temp state (unless it was given). */
  stop(): Promise<void>;
  /** What the server printed, its last 100-200 KB, for diagnosing failures. */
  output(): string;
  /** A mark in the server's output, for `outputSince`: stays valid when old output is dropped. */
  outputMark(): number;
  /** What the server printed since `mark` (as much of it as is still kept). */
  outputSince(mark: number): string;
  /** True while the partykit dev process has not exited (a crash shows here). */
  alive(): boolean;
  /** The partykit dev process (its pid is the process group id), for signals that must be sent synchronously. */
  process(): ChildProcess;
};

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

/** Signals a child's whole process group (only processes we started). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export type StartOptions = {
  port?: number;
  persistDir?: string;
  /** Extra `--var KEY=VALUE` pairs (PARTYROOM_ADMIN_SECRET defaults to TEST_ADMIN_SECRET; "" leaves a variable out). */
  vars?: Record<string, string>;
  /** Extra CLI arguments (e.g. `--serve dist`). */
  args?: string[];
  config?: string;
  /** How long a launch may take to answer before it counts as hung (READY_TIMEOUT_MS). */
  readyTimeoutMs?: number;
};

/**
 * partykit dev's inspector proxy takes port 9229, or a free one when 9229 is
 * taken, by checking and then listening: two started at the same moment both
 * saw 9229 free and the second died with EADDRINUSE (the quick bench's
 * stability scenario starts its two servers together). So launches in one
 * process wait for each other, and one that died of that clash (another
 * process launching at the same moment) is launched again.
 *
 * A launch that printed "starting server" and then never answered (once, in a
 * bench run: no error, no exit, 60 s) is killed and launched once more, with a
 * line on stderr saying so; a second hang fails.
 */
let launching: Promise<unknown> = Promise.resolve();
const INSPECTOR_CLASH = /EADDRINUSE[^\n]*:9229/;
const LAUNCH_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 60_000;
/** A launch that neither answered nor exited in time. */
class LaunchHung extends Error {}

/** Starts `partykit dev` and resolves once it answers HTTP. */
export async function startServer(options: StartOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const ownDir = options.persistDir === undefined;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "partyroom-test-"));
  let child: ChildProcess;
  let log = "";
  /** Characters of output dropped from the front of `log`: an offset into `log` alone would shift when it is trimmed. */
  let dropped = 0;

  const launchOnce = async () => {
    const args = [BIN, "dev", "--port", String(port), "--persist", join(persistDir, "state"), "--disable-request-cf-fetch"];
    if (options.config) args.push("--config", options.config);
    for (const [k, v] of Object.entries({ PARTYROOM_ADMIN_SECRET: TEST_ADMIN_SECRET, ...options.vars })) if (v !== "") args.push("--var", `${k}=${v}`);
    args.push(...(options.args ?? []));
    child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { PARTYROOM_SKIP_APP_BUILD: "1", ...process.env, NO_COLOR: "1" } });
    live.add(child);
    child.on("exit", () => live.delete(child));
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.length > 200_000) {
        dropped += log.length - 100_000;
        log = log.slice(-100_000);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const started = child;
    await withTimeout(waitReady(port, started), readyTimeoutMs, `partykit dev on port ${port} to answer`).catch(async (err: Error) => {
      const hung = started.exitCode === null && started.signalCode === null;
      killGroup(started, "SIGKILL");
      // The port is free again only once the hung process is gone.
      if (hung) await withTimeout(exited(started), 10_000, "a hung partykit dev to die");
      throw new (hung ? LaunchHung : Error)(`${err.message}\n--- partykit dev output ---\n${log}`);
    });
  };

  // One launch at a time in this process, and again if another process took the inspector's port first (below).
  const launch = async () => {
    const turn = launching.then(async () => {
      let hangs = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          return await launchOnce();
        } catch (err) {
          const hung = err instanceof LaunchHung && ++hangs === 1;
          if (attempt >= LAUNCH_ATTEMPTS || !(hung || INSPECTOR_CLASH.test((err as Error).message))) throw err;
          if (hung) console.error(`partykit dev on port ${port} did not answer within ${readyTimeoutMs} ms; launching it again`);
        }
      }
    });
    launching = turn.catch(() => undefined);
    return turn;
  };

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r()));

  const kill9 = async () => {
    killGroup(child, "SIGKILL");
    await withTimeout(exited(child), 10_000, "partykit dev to die");
  };

  await launch();
  return {
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    persistDir,
    get pid() {
      return child.pid!;
    },
    kill9,
    restart: async () => {
      await kill9();
      await launch();
    },
    stop: async () => {
      killGroup(child, "SIGTERM");
      await withTimeout(exited(child), 10_000, "partykit dev to stop").catch(() => kill9());
      // workerd is in the same process group but can outlive partykit's node process
      // (a wedged workerd ignores SIGTERM): end whatever is left of the group.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is already empty.
      }
      if (ownDir) rmSync(persistDir, { recursive: true, force: true });
    },
    output: () => log,
    outputMark: () => dropped + log.length,
    outputSince: (mark) => log.slice(Math.max(0, mark - dropped)),
    alive: () => child.exitCode === null && child.signalCode === null,
    process: () => child,
  };
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    // Killed (a launch that timed out) ends the loop too: signalCode, not exitCode, is set then.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`partykit dev exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/parties/main/ready-check`);
      if (res.status < 500) return; // any answer from the room means it is up (401 when it needs a token)
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The server shared by one test run (started by scripts/test.mjs, passed in
 * PARTYROOM_TEST_URL), or a private one when a file runs on its own.
 */
export async function sharedServer(): Promise<{ http: string; ws: string; stop(): Promise<void> }> {
  const url = process.env.PARTYROOM_TEST_URL;
  if (url) return { http: url, ws: url.replace(/^http/, "ws"), stop: async () => undefined };
  return startServer();
}

/** A room id no other test uses. */
export function uniqueRoom(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
