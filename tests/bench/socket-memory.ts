/**
 * `npm run bench:socket-memory`: where the memory per socket that the
 * hibernation goal compares goes, under `partykit dev`. SOCKETS sockets join
 * one room of partyroom (app clients: hello, read reports, heartbeats) and of
 * the hibernating null room (raw sockets answered with pongs), and workerd's
 * resident memory per socket is taken as the hibernation scenario takes it (a
 * window once the crowd is in, less a window before it came). partyroom sends
 * each joiner a welcome and every member the crowd's presence, where the null
 * room sends pongs; so the null room then broadcasts, to the same sockets, as
 * many frames of the same mean size as a partyroom socket received, and is
 * measured again. What is left of partyroom's figure over that is the room's
 * own (its heap per session, docs/bench/session-heap.md, is part of it).
 *
 *   npm run bench:socket-memory
 *   npm run bench:socket-memory -- --sockets 2000 --rounds 3 --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "../helpers/wait";
import { scriptArgs } from "./lib/cli";
import { chooseCpus, describeMachine, loadNow } from "./lib/machine";
import { pinProcess } from "./lib/proc";
import { spreadOf } from "./lib/rounds";
import { nowMs, round } from "./lib/stats";
import { perSocketKiB, watch, type UsageWindow } from "./lib/usage";
import { ChatPool, type Client } from "./load/chat-pool";
import type { ChatSpec } from "./load/protocol";
import { startPeer, type Peer } from "./peers";
import type { Spread } from "./scenarios/types";

const args = scriptArgs("bench:socket-memory");
const SOCKETS = args.num("sockets", 2000);
const ROUNDS = args.num("rounds", 3);
const WINDOW_MS = args.num("window", 5) * 1000;
/** No presence frame for this long: the joins' presence is out (a few of the room's presence windows, BURST_WINDOW_MS). */
const QUIET_MS = 1000;
/** The whole probe gives up after this long (a round takes about a minute). */
const GIVE_UP_MS = ROUNDS * 6 * 60_000;

const cpus = chooseCpus();
if (cpus.loadCpu !== null) pinProcess(process.pid, cpus.loadCpu);
const machine = describeMachine(cpus.serverCpu, cpus.loadCpu);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

type Figure = { kib: number; noiseKib: number };
type Trial = {
  partyroom: Figure;
  /** What a partyroom socket received by the time the crowd was in: frames and bytes, mean per socket. */
  frames: number;
  bytes: number;
  nullRoom: Figure;
  nullAfterSends: Figure;
};

/** workerd's resident memory per socket between two windows (the process holding the sockets). */
function figure(before: UsageWindow, during: UsageWindow, sockets: number): Figure {
  const f = perSocketKiB(before.serverRss, during.serverRss, sockets);
  return { kib: round(f.kib, 2), noiseKib: round(f.noiseKib, 2) };
}

/** What a trial sees of its crowd: the sockets measured (the warm one aside), the pool, and the baseline window. */
type Crowd = { peer: Peer; pool: ChatPool; members: Client[]; before: UsageWindow };

/**
 * Starts `name` on a fresh server, opens `SOCKETS` of `kind` in one room from a baseline window, runs `body`, and
 * closes the sockets and the server whatever happens.
 */
async function withCrowd<T>(name: "partyroom" | "null-hibernating", kind: "app" | "raw", room: string, body: (c: Crowd) => Promise<T>): Promise<T> {
  const peer = await startPeer(name, { serverCpu: cpus.serverCpu });
  const pool = new ChatPool();
  try {
    // One socket first, in the same room, so the baseline is a server that has loaded its code and made the room: what
    // is measured is what each socket adds (the hibernation scenario's one-room figures include the room's own start).
    await pool.open([{ url: peer.url(room), kind, room, clientId: "warm", heartbeat: true }], nowMs(), 0, 1, 30_000);
    const before = await watch(peer.usage, WINDOW_MS, 250);
    const specs: ChatSpec[] = Array.from({ length: SOCKETS }, (_, i) => ({ url: peer.url(room), kind, room, clientId: `m${i}`, heartbeat: true }));
    const opened = await pool.open(specs, nowMs(), 0, 64, 60_000);
    if (opened.failed) throw new Error(`${opened.failed} of ${SOCKETS} sockets failed to open on ${name}: ${opened.errors[0]}`);
    const result = await body({ peer, pool, members: pool.clients.filter((x) => x.spec.clientId !== "warm"), before });
    if (pool.unexpectedCloses) throw new Error(`${name} closed ${pool.unexpectedCloses} sockets: ${JSON.stringify(pool.closeCodes)}`);
    return result;
  } finally {
    await pool.closeAll();
    await peer.stop();
  }
}

function partyroomTrial(r: number): Promise<Pick<Trial, "partyroom" | "frames" | "bytes">> {
  return withCrowd("partyroom", "app", `sm${r}`, async ({ peer, members, before }) => {
    // The crowd's presence has gone out once no presence frame arrives for a few presence windows (past its first 200, a
    // room lists nobody by name, so no single frame says the last joiner is known; pongs go on arriving).
    let last = -1;
    let quietSince = Date.now();
    await until(
      () => {
        const total = members.reduce((n, x) => n + x.presenceFrames, 0);
        if (total !== last) [last, quietSince] = [total, Date.now()];
        return Date.now() - quietSince >= QUIET_MS;
      },
      "the crowd's presence to go out",
      60_000,
      100,
    );
    const during = await watch(peer.usage, WINDOW_MS, 250);
    // Frames: the welcome and the presence frames (pongs left out: the null room sends those too). Bytes: all read.
    const frames = members.reduce((n, x) => n + 1 + x.presenceFrames, 0) / members.length;
    const bytes = members.reduce((n, x) => n + x.read(), 0) / members.length;
    return { partyroom: figure(before, during, SOCKETS), frames: round(frames, 1), bytes: Math.round(bytes) };
  });
}

function nullTrial(r: number, frames: number, bytes: number): Promise<Pick<Trial, "nullRoom" | "nullAfterSends">> {
  return withCrowd("null-hibernating", "raw", `sn${r}`, async ({ peer, pool, members, before }) => {
    const open = await watch(peer.usage, WINDOW_MS, 250);
    // The null room broadcasts every frame but a heartbeat to every socket, the sender's own and the warm one included.
    let heard = 0;
    for (const m of pool.clients) m.ws.on("message", (d) => void (String(d).startsWith('{"type":"pad"') && heard++));
    const count = Math.round(frames);
    const frame = JSON.stringify({ type: "pad", p: "" });
    const pad = "x".repeat(Math.max(0, Math.round(bytes / Math.max(1, count)) - frame.length));
    for (let i = 0; i < count; i++) {
      members[0]!.ws.send(JSON.stringify({ type: "pad", p: pad }));
      await until(() => heard >= (i + 1) * pool.clients.length, "a broadcast to every socket", 30_000);
    }
    const after = await watch(peer.usage, WINDOW_MS, 250);
    return { nullRoom: figure(before, open, SOCKETS), nullAfterSends: figure(before, after, SOCKETS) };
  });
}

const started = Date.now();
setTimeout(() => {
  console.error(`bench:socket-memory: no result after ${GIVE_UP_MS / 60_000} min; giving up`);
  process.exit(2);
}, GIVE_UP_MS).unref();
log(`${args.command}: ${SOCKETS} sockets in one room, ${ROUNDS} rounds; ${machine.pinning}`);
const trials: Trial[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const p = await partyroomTrial(r);
  const n = await nullTrial(r, p.frames, p.bytes);
  const t = { ...p, ...n };
  trials.push(t);
  log(`round ${r}: partyroom ${t.partyroom.kib} KiB/socket (${t.frames} frames, ${t.bytes} bytes each), null room ${t.nullRoom.kib}, after the same sends ${t.nullAfterSends.kib}`);
}
machine.loadavgEnd = loadNow();

const of = (pick: (t: Trial) => number) => spreadOf(trials.map(pick));
const result = {
  command: args.command,
  machine,
  minutes: round((Date.now() - started) / 60_000, 1),
  params: { sockets: SOCKETS, rounds: ROUNDS, windowMs: WINDOW_MS },
  partyroom: of((t) => t.partyroom.kib),
  nullRoom: of((t) => t.nullRoom.kib),
  nullAfterSends: of((t) => t.nullAfterSends.kib),
  overNull: of((t) => round(t.partyroom.kib - t.nullRoom.kib, 2)),
  overNullAfterSends: of((t) => round(t.partyroom.kib - t.nullAfterSends.kib, 2)),
  noise: of((t) => Math.max(t.partyroom.noiseKib, t.nullRoom.noiseKib, t.nullAfterSends.noiseKib)),
  frames: of((t) => t.frames),
  bytes: of((t) => t.bytes),
  trials,
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "socket-memory.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "socket-memory.md"), render());
log(`partyroom ${result.overNull.median} KiB/socket over the null room, ${result.overNullAfterSends.median} over it after the same sends; wrote ${join(args.out, "socket-memory.md")}`);
process.exit(0);

function render(): string {
  const m = machine;
  const show = (s: Spread) => `${s.median} (${s.min} to ${s.max})`;
  return `# Where a socket's memory goes under \`partykit dev\`

Generated by \`${result.command}\` (tests/bench/socket-memory.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, partykit ${m.partykit}, ${m.pinning}; load average ${m.loadavgStart.join(" ")} at the start, ${m.loadavgEnd!.join(" ")} at the end; ${result.minutes} min.

${SOCKETS} sockets join one room, on a fresh server each time; workerd's resident memory (the process that holds the
sockets) over ${WINDOW_MS / 1000} s once they are in, less ${WINDOW_MS / 1000} s before they came, per socket. partyroom's sockets are app clients
(hello, read reports, heartbeats), the hibernating null room's raw sockets answered with pongs. By the time the crowd is
in, each partyroom socket has received a welcome and the crowd's presence, ${show(result.frames)} frames and ${show(result.bytes)} bytes
(mean per socket); the null room then broadcasts as many frames of the same mean size to its sockets, and is measured
again. ${ROUNDS} rounds; a figure is the median (min to max) over them, in KiB per socket.

| | KiB per socket |
| --- | ---: |
| partyroom | ${show(result.partyroom)} |
| hibernating null room | ${show(result.nullRoom)} |
| hibernating null room, after sending each socket what partyroom sent | ${show(result.nullAfterSends)} |
| partyroom over the null room | ${show(result.overNull)} |
| partyroom over the null room after the same sends | ${show(result.overNullAfterSends)} |
| noise (how far memory moved within a window, per socket; the largest of the three) | ${show(result.noise)} |
`;
}
