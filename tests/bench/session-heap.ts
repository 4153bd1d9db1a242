/**
 * `npm run bench:session-heap`: what one more session costs the room core's
 * heap, by constructor. The hibernation goal compares a server's memory per
 * socket with the null room's, and workerd's inspector answers no command
 * under `partykit dev`, so what the room itself holds per session is measured
 * here, in Node: the core (party/core) bundled by the same esbuild partykit
 * bundles a room with, not run through tsx, whose `keepNames` gives every
 * arrow function a property store that no deployed room has. Sessions say
 * hello from addresses of their own (a crowd of people, not one host), on a
 * fake clock; the heap is collected and snapshotted at `--base` sessions and
 * again after `--sessions` more, and the difference divided by them.
 *
 *   npm run bench:session-heap                      200 + 2,000 sessions
 *   npm run bench:session-heap -- --base 200 --sessions 5000 --out DIR
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import type { Link } from "../../party/core/ports";
import type * as Core from "./session-heap-entry";
import { FakeClock, OPEN } from "../helpers/core";
import { ROOT } from "../helpers/server";
import { scriptArgs } from "./lib/cli";
import { growth, summariseSnapshot } from "./lib/heap-snapshot";
import { describeMachine } from "./lib/machine";
import { OffHeapStorage } from "./lib/off-heap-storage";

const args = scriptArgs("bench:session-heap");
const BASE = args.num("base", 200);
const SESSIONS = args.num("sessions", 2000);
const REPORT = join(args.out, "session-heap.md");
const command = args.command;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:session-heap does)");

/** Bundles the core as partykit does (its own esbuild, no keepNames) and loads it; packages stay Node's own (one Yjs). */
async function loadCore(dir: string): Promise<typeof Core> {
  const esbuild = createRequire(join(ROOT, "node_modules", "partykit", "package.json"))("esbuild") as typeof import("esbuild");
  const outfile = join(dir, "core.mjs");
  await esbuild.build({ entryPoints: [join(ROOT, "tests/bench/session-heap-entry.ts")], bundle: true, format: "esm", platform: "neutral", packages: "external", outfile, logLevel: "error" });
  return (await import(pathToFileURL(outfile).href)) as typeof Core;
}

/** A socket as the core sees it: counts, keeps nothing (conn.setState keeps a record outside the isolate). */
class CountingLink implements Link {
  received = 0;
  closed: string | null = null;
  send(data: string | Uint8Array): void {
    this.received += typeof data === "string" ? data.length : data.byteLength;
  }
  close(code: number, reason: string): void {
    this.closed ??= `${code} ${reason}`;
  }
  save(): void {}
}

async function measure(core: typeof Core, dir: string) {
  const storage = new OffHeapStorage();
  const clock = new FakeClock();
  const room = await core.RoomCore.open({ roomId: "session-heap", storage, clock, config: core.DEFAULT_CONFIG, verifyToken: null, outputGate: true });
  await core.DirectoryReporter.attach(room, () => true);
  const links: CountingLink[] = [];
  const enter = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const k = links.length;
      const address = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
      const link = new CountingLink();
      links.push(link);
      const refused = room.admit(address, "");
      if (refused) throw new Error(`session ${k} refused: ${refused.reason}`);
      room.connect(link, { transport: "websocket", grant: OPEN, address });
      await room.frame(link, JSON.stringify({ type: "hello", v: 1, clientId: `person-${k}`, name: `Guest ${k}`, color: "#336699" }));
    }
    // Presence batches and the directory's window: let every timer the joins set run.
    for (let t = 0; t < 100; t++) {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
  };
  const snap = (name: string) => {
    gc!();
    gc!();
    const used = process.memoryUsage().heapUsed;
    return { used, path: writeHeapSnapshot(join(dir, name)) };
  };
  await enter(BASE);
  const before = snap("before.heapsnapshot");
  await enter(SESSIONS);
  const after = snap("after.heapsnapshot");
  const closed = links.filter((l) => l.closed);
  if (closed.length) throw new Error(`${closed.length} sessions closed by the room, e.g. ${closed[0]!.closed}: the figure would count the wrong crowd`);
  if (room.sessions.size !== BASE + SESSIONS) throw new Error(`${room.sessions.size} sessions, expected ${BASE + SESSIONS}`);
  const all = growth(summariseSnapshot(before.path), summariseSnapshot(after.path), Number.MAX_SAFE_INTEGER);
  await storage.close();
  // Code compiled between the snapshots is the JIT's, not the sessions': left out of the second figure, which moves less.
  const objects = all.filter((g) => g.kind !== "(code)").reduce((n, g) => n + g.bytes, 0);
  return { perSession: (after.used - before.used) / SESSIONS, objectsPerSession: objects / SESSIONS, top: all.slice(0, 16), presence: room.presence.size };
}

const dir = join(ROOT, "bench-results", `session-heap-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  const core = await loadCore(dir);
  const r = await measure(core, dir);
  const m = describeMachine(null, null);
  const rows = r.top.map((t) => `| \`${t.kind}\` | ${t.count >= 0 ? "+" : ""}${t.count} | ${(t.bytes / SESSIONS).toFixed(0)} |`).join("\n");
  const text = `# What one session costs the room core's heap

Generated by \`${command}\` (tests/bench/session-heap.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
Node ${m.node}, on ${m.cpus} × ${m.cpuModel}.

The core (party/core) bundled by partykit's own esbuild, as \`partykit dev\` bundles a room, run in Node on a fake clock:
${BASE} app sessions said hello, each from its own address; the heap was collected and snapshotted; ${SESSIONS} more
said hello; collected and snapshotted again (${r.presence} people present at the end, none closed).

**Heap used per session: ${r.perSession.toFixed(0)} bytes** (heap used after GC, difference over ${SESSIONS} sessions);
**${r.objectsPerSession.toFixed(0)} bytes** of it in the objects the snapshots hold, code the JIT compiled meanwhile aside.

By constructor (self size; the room's maps and sets keyed by session are in \`(array)\`, their tables):

| kind | count Δ | bytes per session |
| --- | --- | --- |
${rows}
`;
  mkdirSync(args.out, { recursive: true });
  writeFileSync(REPORT, text);
  console.log(`heap used per session: ${r.perSession.toFixed(0)} bytes, ${r.objectsPerSession.toFixed(0)} in objects; wrote ${REPORT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
