/**
 * `npm run bench:profile-connect`: what the room's own code costs on the
 * hibernation benchmark's connect and idle paths, the two goals that
 * benchmark misses (10,000 sockets connected within 30 s; idle CPU at most
 * 10% of a core). As `bench:profile` does for the Yjs path, the room core runs
 * here in Node under Node's sampling profiler, with the benchmark's layout:
 * 10,000 app connections over 100 rooms, each connecting and saying hello
 * (one every 5 ms, socket g in room g % 100), then one heartbeat each (with
 * its read report), which is 10 s of the idle window's traffic. The connect
 * figure includes the fake clock's cost of running the presence timers. Memory
 * storage: workerd's storage and socket costs are not in these figures; the
 * benchmark measures them, with the null room as the platform's floor.
 *
 *   npm run bench:profile-connect
 *   npm run bench:profile-connect -- --rooms 10 --per-room 100 --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../party/core/config";
import type { Link } from "../../party/core/ports";
import { RoomCore } from "../../party/core/room";
import { HEARTBEAT_INTERVAL_MS, PROTOCOL_VERSION } from "../../party/protocol";
import { FakeClock } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";
import { scriptArgs } from "./lib/cli";
import { describeMachine } from "./lib/machine";
import { type ProfileLine, profileInNode, summarise } from "./lib/profiler";

const args = scriptArgs("bench:profile-connect");
const out = args.out;
const command = args.command;
const ROOMS = args.num("rooms", 100);
const PER_ROOM = args.num("per-room", 100);
const SOCKETS = ROOMS * PER_ROOM;

const clock = new FakeClock();
const grant = { role: "edit" as const, userId: "", exp: Number.POSITIVE_INFINITY };
const cores = await Promise.all(
  Array.from({ length: ROOMS }, (_, r) => RoomCore.open({ roomId: `profile${r}`, storage: new MemoryStorage(), clock, config: DEFAULT_CONFIG, verifyToken: null, outputGate: true })),
);
let sends = 0;
let bytes = 0;
const links: { core: RoomCore; link: Link; received: number }[] = [];

const connect = await profileInNode(async () => {
  for (let g = 0; g < SOCKETS; g++) {
    const core = cores[g % ROOMS]!;
    const entry = { core, link: null as unknown as Link, received: 0 };
    entry.link = {
      send: (d) => {
        const n = typeof d === "string" ? d.length : d.byteLength;
        entry.received += n;
        bytes += n;
        sends++;
      },
      close: () => undefined,
      save: () => undefined,
    };
    core.connect(entry.link, { transport: "websocket", grant, address: "" });
    await core.frame(entry.link, JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: `c${g}`, name: "bench", color: "#336699" }));
    links.push(entry);
    // The benchmark connects 10,000 in about 50 s: one every 5 ms, which also lets presence windows close.
    await clock.advance(5);
  }
});
const connectSends = sends;
const connectBytes = bytes;
sends = 0;
const idle = await profileInNode(async () => {
  for (const { core, link, received } of links) {
    await core.frame(link, `{"type":"heartbeat","read":${received}}`);
    // Time moves without running timers: a heartbeat schedules none, and the fake clock's own cost is not the room's.
    clock.t += HEARTBEAT_INTERVAL_MS / SOCKETS;
  }
});
const usPerHello = (connect.cpuMs * 1000) / SOCKETS;
const usPerHeartbeat = (idle.cpuMs * 1000) / SOCKETS;
const heartbeatsPerSec = SOCKETS / (HEARTBEAT_INTERVAL_MS / 1000);
// The figures the README quotes are written here once (tests/bench/report/readme.ts reads them, never recomputes).
const result = {
  command,
  machine: describeMachine(null, null),
  rooms: ROOMS,
  perRoom: PER_ROOM,
  sockets: SOCKETS,
  connect: { ...connect, usPerHello, cpuSecAll: (usPerHello * SOCKETS) / 1e6, sends: connectSends, bytes: connectBytes, profile: summarise([connect.profile], 15) },
  idle: { ...idle, usPerHeartbeat, heartbeatsPerSec, corePct: (usPerHeartbeat * heartbeatsPerSec) / 1e4, sends, profile: summarise([idle.profile], 15) },
};
for (const core of cores) core.dispose();
mkdirSync(out, { recursive: true });
// The raw profiles were replaced by their summaries above: what is written is what the page shows.
writeFileSync(join(out, "profile-connect.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(out, "profile-connect.md"), render());
console.log(`${SOCKETS} hellos: ${result.connect.usPerHello.toFixed(1)} µs each; heartbeats: ${result.idle.usPerHeartbeat.toFixed(1)} µs each; wrote ${join(out, "profile-connect.md")}`);

function table(lines: ProfileLine[]): string {
  return ["| self | ms | function | where |", "| --- | --- | --- | --- |", ...lines.map((l) => `| ${l.selfPct.toFixed(1)}% | ${l.selfMs} | \`${l.fn}\` | ${l.where} |`)].join("\n");
}

function render(): string {
  const r = result;
  const m = r.machine;
  return `# What the room's own code costs to connect and to idle

Generated by \`${r.command}\` (tests/bench/profile-connect.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadavgStart.join(" ")}.

The room core ran in Node, with the hibernation benchmark's layout: ${SOCKETS.toLocaleString("en")} app connections over ${r.rooms} rooms
(${r.perRoom} each), each connecting and saying hello, then one heartbeat each with its read report. Memory storage, no
sockets: what is left out is the platform's, which the benchmark measures with the null room beside partyroom.

- Connect and hello: **${r.connect.usPerHello.toFixed(1)} µs** of CPU each, ${(r.connect.sends / SOCKETS).toFixed(1)} frames and ${Math.round(r.connect.bytes / SOCKETS).toLocaleString("en")} bytes sent per hello
  (welcome, presence, Yjs greeting); ${r.connect.cpuSecAll.toFixed(1)} s of CPU for all ${SOCKETS.toLocaleString("en")}, against the goal of connecting them within 30 s.
- Heartbeat: **${r.idle.usPerHeartbeat.toFixed(1)} µs** each; at ${r.idle.heartbeatsPerSec.toLocaleString("en")} heartbeats a second (${SOCKETS.toLocaleString("en")} sockets, one every ${HEARTBEAT_INTERVAL_MS / 1000} s)
  that is ${r.idle.corePct.toFixed(2)}% of a core, against the goal of at most 10% of a core idle.
- Wall time ${Math.round(r.connect.wallMs)} / ${Math.round(r.idle.wallMs)} ms, CPU ${Math.round(r.connect.cpuMs)} / ${Math.round(r.idle.cpuMs)} ms (the sampling profiler's own cost included).

Connect and hello, self time by function (${Math.round(r.connect.profile.totalMs)} ms sampled):

${table(r.connect.profile.lines)}

Heartbeats, self time by function (${Math.round(r.idle.profile.totalMs)} ms sampled):

${table(r.idle.profile.lines)}
`;
}
