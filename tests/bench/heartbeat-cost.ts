/**
 * `npm run bench:heartbeat`: the server CPU one heartbeat costs, partyroom
 * against the hibernating null room (the platform's floor for the same frame
 * and its pong), under `partykit dev` on the real runtime. The idle goal of
 * the hibernation benchmark (10,000 sockets at most 10% of a core) is 1,000
 * heartbeats a second; at that rate the idle CPU is a few points of a core
 * and its spread over rounds is as large as the room's own share. Here the
 * same sockets beat 20 times as often (one every 500 ms, the room's interval
 * set to match, so its record writes keep their real proportion), long enough
 * that the CPU per heartbeat is read to a microsecond or so.
 *
 * With `--windows N` the server's CPU is read in N windows one after another,
 * from `--settle S` seconds after the last socket opened: how long the work a
 * crowd's connect leaves behind takes to pass (the hibernation benchmark reads
 * its idle window one second after the connect). The CPU per heartbeat is the
 * last window's. `--peers` adds peers (`awake`: partyroom with hibernation off).
 *
 *   npm run bench:heartbeat
 *   npm run bench:heartbeat -- --sockets 4000 --rooms 40 --every 500 --window 15 --rounds 3 --out DIR
 *   npm run bench:heartbeat -- --sockets 10000 --rooms 100 --every 10000 --window 10 --windows 4 --settle 1 --peers partyroom,awake,null-hibernating --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { closes, openAll } from "./lib/chat-run";
import { scriptArgs } from "./lib/cli";
import { chooseCpus, describeMachine, loadNow } from "./lib/machine";
import { spreadOf } from "./lib/rounds";
import { round } from "./lib/stats";
import { watch } from "./lib/usage";
import { checkLoad } from "./lib/verdict";
import { Workers } from "./lib/workers";
import type { WorkerStatus } from "./load/protocol";
import { startPeer, type PeerName } from "./peers";

const args = scriptArgs("bench:heartbeat");
const SOCKETS = args.num("sockets", 4000);
const ROOMS = args.num("rooms", 40);
const EVERY_MS = args.num("every", 500);
const WINDOW_SEC = args.num("window", 15);
const ROUNDS = args.num("rounds", 3);
const WINDOWS = args.num("windows", 1);
/** Seconds from the last socket's open to the first window: two intervals (at most 10 s) and one more by default. */
const SETTLE_SEC = args.num("settle", (Math.min(2 * EVERY_MS, 10_000) + 1_000) / 1000);
const EXTRA_PEERS = ["awake", "null-room"] as const satisfies readonly PeerName[];
type Name = "partyroom" | "null-hibernating" | (typeof EXTRA_PEERS)[number];
const PEERS = args.str("peers", "partyroom,null-hibernating").split(",") as Name[];
for (const name of PEERS) if (!["partyroom", "null-hibernating", ...EXTRA_PEERS].includes(name)) throw new Error(`--peers: unknown peer ${name} (partyroom, null-hibernating, ${EXTRA_PEERS.join(", ")})`);
if (!PEERS.includes("partyroom") || !PEERS.includes("null-hibernating")) throw new Error("--peers must include partyroom and null-hibernating: the room's own share is the difference");
if (!(WINDOWS >= 1 && SETTLE_SEC >= 0)) throw new Error("--windows must be at least 1 and --settle at least 0");
type Trial = {
  baselineCpuPct: number;
  /** Server CPU in each window, in order from the first (SETTLE_SEC after the last open). */
  windowCpuPct: number[];
  beatingCpuPct: number;
  heartbeatsPerSec: number;
  usPerHeartbeat: number;
  pongShortfallPct: number;
  closed: number;
  loadSaturated: string | null;
};

const cpus = chooseCpus();
const machine = describeMachine(cpus.serverCpu, cpus.loadCpu);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const pongs = (s: readonly WorkerStatus[]) => s.reduce((n, w) => n + w.pongs, 0);

async function trial(workers: Workers, name: Name, r: number): Promise<Trial> {
  // The room's own interval, so a client's welcome tells it to beat at EVERY_MS (raw sockets are told directly).
  const peer = await startPeer(name, { serverCpu: cpus.serverCpu, vars: { HEARTBEAT_INTERVAL_MS: String(EVERY_MS) } });
  try {
    const app = name === "partyroom" || name === "awake";
    const prefix = `hb${r}${name.replace(/\W/g, "")}`;
    // One socket first, so the baseline is a server that has loaded its code.
    await openAll(workers, [{ url: peer.url(`${prefix}-warm`), kind: app ? "app" : "raw", room: `${prefix}-warm`, clientId: "warm", heartbeat: false }]);
    await workers.all(() => ({ op: "closeAll" }), 30_000);
    const baseline = await watch(peer.usage, 5_000, 500);
    const specs = Array.from({ length: SOCKETS }, (_, g) => ({ url: peer.url(`${prefix}-${g % ROOMS}`), kind: app ? ("app" as const) : ("raw" as const), room: `${prefix}-${g % ROOMS}`, clientId: `c${g}`, heartbeat: true, heartbeatMs: EVERY_MS }));
    const opened = await openAll(workers, specs, { concurrency: 64, timeoutMs: 60_000 });
    if (opened.failed) throw new Error(`${name}: ${opened.failed} sockets failed to open: ${opened.errors[0]}`);
    // By default two intervals (at most 10 s) for the connect's follow-up work (presence windows) to pass and every
    // socket to be beating.
    await new Promise((res) => setTimeout(res, SETTLE_SEC * 1000));
    const windowCpuPct: number[] = [];
    let before = 0;
    for (let w = 0; w < WINDOWS; w++) {
      // Pongs are counted over the last window, the one the CPU per heartbeat is read from.
      if (w === WINDOWS - 1) before = pongs(await workers.status());
      windowCpuPct.push((await watch(peer.usage, WINDOW_SEC * 1000, 500)).cpuPct);
    }
    const beatingCpuPct = windowCpuPct.at(-1)!;
    const status = await workers.status();
    const heartbeatsPerSec = SOCKETS / (EVERY_MS / 1000);
    const answered = (pongs(status) - before) / WINDOW_SEC;
    const load = checkLoad(status, cpus.loadCores);
    const t: Trial = {
      baselineCpuPct: round(baseline.cpuPct),
      windowCpuPct: windowCpuPct.map((pct) => round(pct)),
      beatingCpuPct: round(beatingCpuPct),
      heartbeatsPerSec,
      // % of a core is 10^4 µs of CPU a second.
      usPerHeartbeat: round(((beatingCpuPct - baseline.cpuPct) * 1e4) / heartbeatsPerSec),
      pongShortfallPct: round((1 - answered / heartbeatsPerSec) * 100),
      closed: closes(status).unexpected,
      loadSaturated: load.saturated,
    };
    log(`${name} round ${r}: ${t.usPerHeartbeat} µs per heartbeat (${t.windowCpuPct.join("%, ")}% beating by window, ${t.baselineCpuPct}% before), ${round(answered)} pongs/s of ${heartbeatsPerSec}, ${t.closed} closed${t.loadSaturated ? `, load generator saturated: ${t.loadSaturated}` : ""}`);
    return t;
  } finally {
    await workers.all(() => ({ op: "closeAll" }), 60_000);
    await peer.stop();
  }
}

const started = Date.now();
log(`${args.command}: ${SOCKETS} sockets in ${ROOMS} rooms, one heartbeat every ${EVERY_MS} ms each, ${WINDOWS} x ${WINDOW_SEC} s windows from ${SETTLE_SEC} s after the last open, ${ROUNDS} rounds, peers ${PEERS.join(", ")}; ${machine.pinning}`);
const workers = await Workers.start(2, cpus.loadCpu);
const trials = Object.fromEntries(PEERS.map((name) => [name, [] as Trial[]])) as Record<Name, Trial[]>;
try {
  for (let r = 1; r <= ROUNDS; r++) {
    for (const name of r % 2 ? PEERS : [...PEERS].reverse()) trials[name].push(await trial(workers, name, r));
  }
} finally {
  await workers.stop();
}
machine.loadavgEnd = loadNow();

const us = (name: Name) => trials[name].map((t) => t.usPerHeartbeat);
/** Each window's CPU, a spread over rounds, per peer. */
const byWindow = Object.fromEntries(PEERS.map((name) => [name, Array.from({ length: WINDOWS }, (_, w) => spreadOf(trials[name].map((t) => t.windowCpuPct[w]!)))]));
const own = trials.partyroom.map((t, i) => t.usPerHeartbeat - trials["null-hibernating"][i]!.usPerHeartbeat);
const invalid = Object.values(trials).flat().some((t) => t.loadSaturated !== null || t.closed > 0 || t.pongShortfallPct > 1);
const result = {
  command: args.command,
  machine,
  minutes: round((Date.now() - started) / 60_000, 1),
  params: { sockets: SOCKETS, rooms: ROOMS, everyMs: EVERY_MS, windowSec: WINDOW_SEC, windows: WINDOWS, settleSec: SETTLE_SEC, rounds: ROUNDS, peers: PEERS },
  valid: !invalid,
  partyroom: spreadOf(us("partyroom")),
  nullHibernating: spreadOf(us("null-hibernating")),
  roomOwn: spreadOf(own),
  others: Object.fromEntries(PEERS.filter((n) => n !== "partyroom" && n !== "null-hibernating").map((n) => [n, spreadOf(us(n))])),
  byWindow,
  trials,
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "heartbeat-cost.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "heartbeat-cost.md"), render());
log(`partyroom ${result.partyroom.median} µs, hibernating null room ${result.nullHibernating.median} µs per heartbeat; wrote ${join(args.out, "heartbeat-cost.md")}`);

function render(): string {
  const m = machine;
  const show = (s: { median: number; min: number; max: number }) => `${s.median} µs (${s.min}-${s.max})`;
  const at1000 = (s: { median: number }) => round(s.median / 10, 2);
  const LABELS: Record<Name, string> = {
    partyroom: "partyroom (heartbeat with its read report, pong)",
    "null-hibernating": "hibernating null room (heartbeat, pong)",
    awake: "partyroom with hibernation off (awake)",
    "null-room": "null room, not hibernating (heartbeat, pong)",
  };
  const others = Object.entries(result.others).map(([n, s]) => `| ${LABELS[n as Name]} | ${show(s)} | ${at1000(s)} |\n`).join("");
  const windows =
    WINDOWS === 1
      ? ""
      : `
Server CPU (% of a core, not less the baseline) in each ${WINDOW_SEC} s window, the first starting ${SETTLE_SEC} s after the last socket opened: how long the work
left by the connect takes to pass. Median over rounds (min-max).

| | ${Array.from({ length: WINDOWS }, (_, w) => `${round(SETTLE_SEC + w * WINDOW_SEC)}-${round(SETTLE_SEC + (w + 1) * WINDOW_SEC)} s`).join(" | ")} |
| --- |${" ---: |".repeat(WINDOWS)}
${PEERS.map((n) => `| ${LABELS[n]} | ${byWindow[n]!.map((s) => `${s.median}% (${s.min}-${s.max})`).join(" | ")} |`).join("\n")}
`;
  return `# What one heartbeat costs the server

Generated by \`${result.command}\` (tests/bench/heartbeat-cost.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, partykit ${m.partykit}, ${m.pinning}; load average ${m.loadavgStart.join(" ")} at the start, ${m.loadavgEnd!.join(" ")} at the end; ${result.minutes} min.
${result.valid ? "" : "\n**Not valid**: a load generator saturated, a socket closed, or more than 1% of heartbeats went unanswered (see the trials).\n"}
${SOCKETS.toLocaleString("en")} sockets in ${ROOMS} rooms, each beating every ${EVERY_MS} ms (${(SOCKETS / (EVERY_MS / 1000)).toLocaleString("en")} heartbeats a second; partyroom's interval set to match), under \`partykit dev\`
with the server pinned to one core. Server CPU (its whole process group) over ${WINDOWS === 1 ? `${WINDOW_SEC} s of beating` : `the last of ${WINDOWS} windows of ${WINDOW_SEC} s of beating`}, less its CPU over 5 s before the sockets opened,
per heartbeat. ${ROUNDS} rounds, the peers in turn (the order reversed each round); a figure is the median (min-max).

| | µs of server CPU per heartbeat | % of a core at 1,000 heartbeats a second (10,000 sockets) |
| --- | ---: | ---: |
| ${LABELS.partyroom} | ${show(result.partyroom)} | ${at1000(result.partyroom)} |
| ${LABELS["null-hibernating"]} | ${show(result.nullHibernating)} | ${at1000(result.nullHibernating)} |
${others}| the room's own (partyroom less the null room, per round) | ${show(result.roomOwn)} | ${at1000(result.roomOwn)} |
${windows}`;
}
