/**
 * `npm run dev`: one URL for the app and the rooms. Starts `partykit dev` on
 * a free internal port, then Vite's dev server on PORT (default 1999,
 * 127.0.0.1) proxying /parties (HTTP and WebSocket) to it, with HMR.
 *
 * Both children run in their own process groups so each is stopped with
 * everything it spawned (workerd, esbuild); only those groups are signalled.
 * SIGINT/SIGTERM are forwarded; if either child exits, the other is stopped
 * and this script exits too.
 */
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const port = Number(process.env.PORT ?? 1999);
const host = "127.0.0.1";
/** How long partykit dev may take to start listening. */
const PARTYKIT_START_TIMEOUT_MS = 60_000;
/** How long children get to stop after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** Asks the kernel for a free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const { port: free } = srv.address();
      srv.close(() => resolve(free));
    });
  });
}

/** Resolves once something accepts TCP connections on `p`. */
async function waitForPort(p, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("partykit dev exited during start-up");
    const open = await new Promise((resolve) => {
      const socket = connect(p, host);
      socket.once("connect", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`partykit dev did not listen on ${p} within ${timeoutMs} ms`);
}

const children = [];
let stopping = false;

function start(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} exited (${signal ?? code}); stopping.`);
    void stop(typeof code === "number" && code !== 0 ? code : 1);
  });
  return child;
}

function signalGroup(child, signal) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

const exited = (child) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve));

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => children.forEach((c) => signalGroup(c, "SIGKILL")), STOP_GRACE_MS);
  await Promise.all(children.map(exited));
  clearTimeout(timer);
  process.exit(code);
}

process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));
// Last resort if this script dies some other way: never leave the groups behind.
process.on("exit", () => children.forEach((c) => signalGroup(c, "SIGKILL")));

/**
 * `partykit dev` reads vars only from `.env` and `--var`, never from the shell:
 * forward the room's own variables (PARTYROOM_*, and the timing ones) so that
 * `PARTYROOM_TOKEN_SECRET=… npm run dev` does what it says.
 */
const ROOM_VARS = /^(PARTYROOM_[A-Z_]+|HEARTBEAT_INTERVAL_MS|PRESENCE_TTL_MS|HELLO_TIMEOUT_MS|SSE_KEEPALIVE_MS)$/;
const forwarded = Object.entries(process.env).filter(([k, v]) => ROOM_VARS.test(k) && k !== "PARTYROOM_SKIP_APP_BUILD" && v !== undefined);
const varArgs = forwarded.flatMap(([k, v]) => ["--var", `${k}=${v}`]);

const partykitPort = await freePort();
const partykit = start(
  "partykit dev",
  [join(root, "node_modules", "partykit", "dist", "bin.mjs"), "dev", "--port", String(partykitPort), "--persist", ".partykit/state", "--disable-request-cf-fetch", ...varArgs],
  { PARTYROOM_SKIP_APP_BUILD: "1" },
);
try {
  await waitForPort(partykitPort, partykit, PARTYKIT_START_TIMEOUT_MS);
} catch (err) {
  console.error(String(err));
  await stop(1);
}
start("vite", [join(root, "node_modules", "vite", "bin", "vite.js"), "--port", String(port), "--strictPort", "--host", host], {
  PARTYKIT_PORT: String(partykitPort),
});
const access = process.env.PARTYROOM_TOKEN_SECRET
  ? "rooms need a token (PARTYROOM_TOKEN_SECRET is set; mint one with `npm run token`)"
  : "rooms are OPEN: anyone with a room's link can join it (set PARTYROOM_TOKEN_SECRET to require tokens)";
console.log(`\npartyroom: http://${host}:${port}  ·  ${access}`);
if (forwarded.length) console.log(`partyroom: variables passed to the rooms: ${forwarded.map(([k]) => k).join(", ")}`);
console.log(`partyroom: the rooms' own port ${partykitPort} is internal (partykit dev cannot bind it to loopback only); use the URL above\n`);
