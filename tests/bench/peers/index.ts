/**
 * Starts the peers the benchmark compares, each as its own process group on
 * loopback, pinned to the server CPU: partyroom (`main`, hosted as the room
 * chooses), the same room with hibernation off (`awake`) or with its storage
 * in memory (`volatile`), and the null room (plain, hibernating, storing
 * each chat message through the chat log, or announcing each join) under `partykit dev` with the
 * bench's own config, a plain `ws` broadcast server, and @y/websocket-server's
 * stock server. Each peer is stopped by its process group id only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, killGroup, ROOT, startServer, type DevServer } from "../../helpers/server";
import { withTimeout } from "../../helpers/wait";
import { groupUsage, pinGroup, type Usage } from "../lib/proc";

/** The peers, by the name used in results. */
export type PeerName = "partyroom" | "awake" | "volatile" | "null-room" | "null-hibernating" | "null-store" | "null-presence" | "y-partykit" | "y-partykit-persisted" | "open-read" | "ws" | "y-websocket-server";

export type Peer = {
  name: PeerName;
  /** WebSocket URL of a room (or Yjs document) named `room`. */
  url(room: string): string;
  /** The same URL split the way a stock y-websocket provider takes it (`${serverUrl}/${room}`). */
  yws(room: string): { serverUrl: string; room: string };
  http: string;
  /** The peer's processes: summed RSS and CPU, and the RSS of the process holding the sockets. */
  usage(): Usage;
  /** The peer's process group id (partykit dev's: workerd and its inspector are in it). */
  pgid: number;
  /** The tail of what the server printed (for a run that went wrong). */
  output(): string;
  stop(): Promise<void>;
};

export type PeerOptions = { serverCpu: string | null; vars?: Record<string, string> };

/** Starts one peer and resolves when it accepts connections. */
export async function startPeer(name: PeerName, opts: PeerOptions): Promise<Peer> {
  switch (name) {
    case "partyroom":
      return partykitPeer(name, "main", opts);
    case "awake":
      return partykitPeer(name, "awake", opts);
    case "volatile":
      return partykitPeer(name, "volatile", opts);
    case "null-room":
      return partykitPeer(name, "nullroom", opts);
    case "null-hibernating":
      return partykitPeer(name, "nullhibernating", opts);
    case "null-store":
      return partykitPeer(name, "nullstore", opts);
    case "null-presence":
      return partykitPeer(name, "nullpresence", opts);
    case "y-partykit":
      return partykitPeer(name, "ypartykit", opts);
    case "y-partykit-persisted":
      return partykitPeer(name, "ypartykitpersisted", opts);
    case "open-read":
      return partykitPeer(name, "openread", opts);
    case "ws":
      return nodePeer(name, join(ROOT, "tests/bench/peers/ws-broadcast.ts"), true, opts);
    case "y-websocket-server":
      return nodePeer(name, join(ROOT, "node_modules/@y/websocket-server/src/server.js"), false, opts);
  }
}

let snapshot: string | null = null;

/**
 * The bench's own PartyKit config, never deployed: `main` (the real room) with the directory party it reports to, as
 * deployed (partykit.json), and the bench's peers (tests/bench/parties).
 */
const BENCH_CONFIG = "tests/bench/partykit.json";
/** What the bench config reaches, relative to the repository root. */
const SNAPSHOT_PATHS = ["party", "tests/bench/parties", "tests/helpers/memory-storage.ts", BENCH_CONFIG];

/**
 * `partykit dev` hot-reloads when a file it serves changes, dropping every
 * socket: a colleague's edit mid-run would look like mass disconnects. So the
 * servers run a copy of the room and the bench parties taken once per
 * process, laid out as in the repository (partykit resolves `main` and
 * `parties` relative to the config file), under bench-results/ so
 * node_modules still resolves.
 */
function partySnapshot(): string {
  if (snapshot) return snapshot;
  const dir = join(ROOT, "bench-results", `party-snapshot-${process.pid}`);
  for (const path of SNAPSHOT_PATHS) cpSync(join(ROOT, path), join(dir, path), { recursive: true });
  snapshot = join(dir, BENCH_CONFIG);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return snapshot;
}

async function partykitPeer(name: PeerName, party: string, opts: PeerOptions): Promise<Peer> {
  const server: DevServer = await startServer({ vars: opts.vars ?? {}, config: partySnapshot() });
  const pgid = findDevPid(server.port);
  if (opts.serverCpu !== null) pinGroup(pgid, opts.serverCpu);
  return {
    name,
    url: (room) => `${server.ws}/parties/${party}/${room}`,
    yws: (room) => ({ serverUrl: `${server.ws}/parties/${party}`, room }),
    http: server.http,
    pgid,
    usage: () => groupUsage(pgid, "workerd"),
    output: () => server.output(),
    stop: () => server.stop(),
  };
}

/** The pid (= process group id) of the `partykit dev` we started on `port`. */
function findDevPid(port: number): number {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const i = cmd.indexOf("--port");
      if (cmd.some((a) => a.endsWith("partykit/dist/bin.mjs")) && i >= 0 && cmd[i + 1] === String(port)) return Number(name);
    } catch {
      // Gone while listing.
    }
  }
  throw new Error(`no partykit dev process found on port ${port}`);
}

async function nodePeer(name: PeerName, script: string, ts: boolean, opts: PeerOptions): Promise<Peer> {
  const port = await freePort();
  const node = [...(ts ? ["--import", "tsx"] : []), script];
  const [cmd, args] = opts.serverCpu !== null ? ["taskset", ["-c", opts.serverCpu, process.execPath, ...node]] : [process.execPath, node];
  const child: ChildProcess = spawn(cmd as string, args as string[], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
  });
  let log = "";
  child.stdout!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
  child.stderr!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
  live.add(child);
  child.on("exit", () => live.delete(child));
  await withTimeout(waitListening(port, child), 30_000, `${name} to listen`).catch((err: Error) => {
    killGroup(child, "SIGKILL");
    throw new Error(`${err.message}\n${log}`);
  });
  const base = `ws://127.0.0.1:${port}`;
  return {
    name,
    url: (room) => `${base}/${room}`,
    yws: (room) => ({ serverUrl: base, room }),
    http: `http://127.0.0.1:${port}`,
    pgid: child.pid!,
    usage: () => groupUsage(child.pid!, "node"),
    output: () => log,
    stop: async () => {
      killGroup(child, "SIGTERM");
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));
      await withTimeout(exited, 10_000, `${name} to stop`).catch(() => killGroup(child, "SIGKILL"));
    },
  };
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});


async function waitListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never answered`);
}
