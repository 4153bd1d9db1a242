/**
 * Hibernation (issue 10): partyroom as hosted (`main`; hibernating once the
 * room does), the same room with hibernation off (`awake`), and the null room
 * awake and hibernating (the floor on partyroom's own socket path), side by
 * side: one room with 1,000 and 5,000 sockets, then 10,000 sockets over 100
 * rooms. Per trial: time to connect them all, memory per socket
 * (with its noise), idle CPU over a window with heartbeats running, and
 * fan-out latency of a few chat probes. Goals: 10,000 connected within 30 s
 * with no failure, idle CPU at 10,000 at most 10% of a core, memory at most
 * 2 KiB per socket over the null room (when the noise allows saying so).
 */
import { stripVTControlCharacters } from "node:util";
import { closes, openAll, probe } from "../lib/chat-run";
import { interleave, roundPlan, showSpread, spreadOfKey, total, type Trial, trialOf } from "../lib/rounds";
import { nowMs } from "../lib/stats";
import { perSocketKiB, watch } from "../lib/usage";
import { checkLoad, limitGoal, loadFields, memoryGoal, ratioCell, saturationOf, zeroGoal } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { ChatSpec } from "../load/protocol";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const PEERS = ["partyroom", "awake", "null-room", "null-hibernating", "null-presence"] as const satisfies readonly PeerName[];
/** The null rooms: raw sockets, no hello; a round of one is a floor only if it held every socket. */
const NULLS = ["null-room", "null-hibernating", "null-presence"] as const;
type Name = (typeof PEERS)[number];
type Layout = { sockets: number; rooms: number };
const METRICS = ["connectSec", "idleCpuPct", "kibPerSocket", "noiseKib", "probeP50", "probeP99"];

/** One-room layouts: the full set by default (-1), else one room of `sockets`, or none for 0. */
const oneRoom = (sockets: number): number[] => (sockets < 0 ? [1000, 5000] : [sockets].filter((n) => n > 0));

function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    // Quick mode skips the one-room layout (the same code path with rooms = 1): every trial starts a server.
    // `--set hibernation.oneRoom=N` runs one room of N instead, in either mode; 0 skips it (the spread layout alone).
    oneRoom: oneRoom(ctx.setting("hibernation.oneRoom", q ? 0 : -1)),
    spread: { sockets: ctx.setting("hibernation.sockets", q ? 300 : 10_000), rooms: ctx.setting("hibernation.rooms", q ? 10 : 100) },
    rounds: roundPlan(ctx, "hibernation.rounds", 3, 1, false),
    idleSec: q ? 2 : 10,
    baselineMs: q ? 1000 : 2000,
    drainMs: q ? 1000 : 2000,
    probeMessages: q ? 4 : 10,
    probeRooms: 10,
    connectTimeoutMs: 60_000,
    workers: q ? 2 : 4,
  };
}

export const hibernation: Scenario = {
  id: "hibernation",
  title: "Hibernation and capacity",
  deadlineMs: (ctx) => (ctx.quick ? 5 : 120) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const workers = await Workers.start(p.workers, ctx.loadCpu);
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const invalid: string[] = [];
    const data: Record<string, unknown> = {};
    try {
      const layouts: Layout[] = [...p.oneRoom.map((sockets) => ({ sockets, rooms: 1 })), p.spread];
      for (const layout of layouts) {
        const label = layout.rooms === 1 ? `one room, ${layout.sockets} sockets` : `${layout.sockets} sockets in ${layout.rooms} rooms`;
        const kept = await interleave(PEERS, p.rounds, (name, r) => trial(ctx, p, workers, name, layout, r, label));
        for (const m of METRICS) rows.push({ metric: `${label}: ${m}`, values: Object.fromEntries(PEERS.map((x) => [x, spreadOfKey(kept[x], m)])) });
        rows.push({ metric: `${label}: failed/closed/probe lost (sum)`, values: Object.fromEntries(PEERS.map((x) => [x, `${total(kept[x], "failures")}/${total(kept[x], "closed")}/${total(kept[x], "probeBad")}`])) });
        data[label] = kept;

        const all = PEERS.flatMap((x) => kept[x]);
        const connectSat = saturationOf(all, `${label}, connecting`, "connectLoad");
        const idleSat = saturationOf(all, `${label}, idle`, "idleLoad");
        const probeSat = saturationOf(all, `${label}, probes`, "probeLoad");
        for (const [m, sat] of [["connectSec", connectSat], ["idleCpuPct", idleSat], ["probeP99", probeSat]] as const) {
          rows.push({ metric: `${label}: partyroom / peer, ${m}`, values: { awake: ratioCell(kept.partyroom, kept.awake, m, sat), ...Object.fromEntries(NULLS.map((x) => [x, ratioCell(kept.partyroom, kept[x].map((t) => (isHeld(t) ? t : {})), m, sat)])) } });
        }
        invalid.push(...[connectSat, idleSat, probeSat].filter((x): x is string => x !== null));
        // A floor is a null room's rounds that held every socket: a dead server's memory and CPU would flatter partyroom.
        // Its death is not always in the output (the run at 68aa8e8 lost all 10,000 sockets, 1006, in a round whose
        // log had no "Fatal"), so a round that lost any socket is left out too. partyroom hibernates, so its floor is
        // the hibernating null room; the awake one is shown beside it.
        const floor = kept["null-hibernating"].filter(isHeld);
        const floorOf = (x: (typeof NULLS)[number], m: string, unit: string) => {
          const live = kept[x].filter(isHeld);
          const died = kept[x].length - live.length;
          return live.length === 0
            ? `not measured: its server died or lost sockets in all ${died} rounds`
            : `${showSpread(spreadOfKey(live, m), unit)}${died ? `; its server died or lost sockets in ${died} of ${kept[x].length} rounds, left out` : ""}`;
        };
        const floors = (m: string, unit: string) =>
          `hibernating null room ${floorOf("null-hibernating", m, unit)}; null room ${floorOf("null-room", m, unit)}; announcing each join ${floorOf("null-presence", m, unit)}`;
        goals.push(memoryGoal(`${label}: memory over the hibernating null room <= 2 KiB per socket`, kept.partyroom, floor, 2, idleSat, "the hibernating null room"));
        const bad = total(kept.partyroom, "failures") + total(kept.partyroom, "closed") + total(kept.partyroom, "probeBad");
        goals.push(zeroGoal(`${label}: every socket connected and held, no probe lost (partyroom)`, bad, `${total(kept.partyroom, "failures")} failed, ${total(kept.partyroom, "closed")} closed by the server, ${total(kept.partyroom, "probeBad")} probe deliveries lost, duplicated or reordered`));
        if (layout === p.spread) {
          const connect = spreadOfKey(kept.partyroom, "connectSec");
          const idle = spreadOfKey(kept.partyroom, "idleCpuPct");
          goals.push(limitGoal(`${label}: all connected within 30 s`, connect.median, 30, `${showSpread(connect, " s")} (${floors("connectSec", " s")})`, connectSat));
          goals.push(limitGoal(`${label}: idle CPU <= 10% of a core, heartbeats running`, idle.median, 10, `${showSpread(idle, "%")} (awake ${showSpread(spreadOfKey(kept.awake, "idleCpuPct"), "%")}; answering the same heartbeats: ${floors("idleCpuPct", "%")})`, idleSat));
        }
      }
    } finally {
      await workers.stop();
    }
    return {
      id: "hibernation",
      title: hibernation.title,
      status: invalid.length ? "invalid" : "ok",
      ...(invalid.length ? { reason: invalid.join("; ") } : {}),
      params: p,
      rows,
      goals,
      notes: [
        "partyroom = the room as party/server.ts hosts it (hibernating once it sets hibernate: true); awake = the same class with hibernate: false (tests/bench/parties/awake.ts); null room = PartyKit's floor, not hibernating; null-hibernating = the same with hibernate: true (tests/bench/parties/null-hibernating.ts), the floor of partyroom's socket path; null-presence = the hibernating null room that also sends every join to each socket already in the room and the room's list to the joiner (tests/bench/parties/null-presence.ts), the floor for connecting a room that says who is here. A null room's round that lost any socket is no floor: it is left out of goals, and its ratio is left blank.",
        "Connecting: 64 handshakes at a time; a socket counts as connected after one round trip, hello -> welcome for partyroom and awake, heartbeat -> pong for the null rooms (raw sockets). Every client then beats a heartbeat every 10 s from a random phase; the null rooms answer each with a pong to its sender alone, as partyroom does, so its idle CPU is the platform's cost of the same frames (the floor for the idle goal).",
        "Memory: RSS of the server's process group (partykit dev = node + workerd), mean over the idle window minus mean over a window before connecting, per socket. Noise: how far RSS moved within those two windows, per socket, or the range over rounds if larger; when the noise is as large as the 2 KiB threshold, the difference is reported as not measurable, unless it is over the threshold by more than the noise (a miss).",
        "Probes: one sender in each of up to 10 rooms, 2 messages/s; latency of the slowest recipient (last-recipient p50/p99).",
      ],
      data,
    };
  },
};

type Params = ReturnType<typeof params>;

/** Whether a null room's round held every socket (its server neither died nor closed or refused any). */
function isHeld(t: Trial): boolean {
  return !t.serverDied && !t.closed && !t.failures;
}

/**
 * One trial on a fresh server: memory per socket is only meaningful from a
 * server that has not yet grown to hold an earlier trial's sockets (workerd
 * keeps what it once allocated).
 */
async function trial(ctx: BenchContext, p: Params, workers: Workers, name: Name, layout: Layout, r: number, label: string): Promise<Trial> {
  const peer = await startPeer(name, { serverCpu: ctx.serverCpu });
  try {
    return await measure(ctx, p, workers, peer, layout, r, label);
  } finally {
    await workers.all(() => ({ op: "closeAll" }), 120_000);
    await peer.stop();
  }
}

async function measure(ctx: BenchContext, p: Params, workers: Workers, peer: Peer, layout: Layout, r: number, label: string): Promise<Trial> {
  const app = !(NULLS as readonly string[]).includes(peer.name);
  const prefix = `h${r}${peer.name.replace(/\W/g, "")}${layout.sockets}x${layout.rooms}`;
  const roomOf = (g: number) => `${prefix}-${g % layout.rooms}`;
  // One socket in a room of its own first, so the baseline is a server that has loaded its code.
  await openAll(workers, [{ url: peer.url(`${prefix}-warm`), kind: app ? "app" : "raw", room: `${prefix}-warm`, clientId: "warm", heartbeat: false }]);
  await workers.all(() => ({ op: "closeAll" }), 30_000);
  // Before any measured socket: the baseline the per-socket memory is measured from.
  const before = await watch(peer.usage, p.baselineMs, 250);
  const specs: ChatSpec[] = Array.from({ length: layout.sockets }, (_, g) => ({ url: peer.url(roomOf(g)), kind: app ? "app" : "raw", room: roomOf(g), clientId: `c${g}`, heartbeat: true }));
  await workers.status();
  const opened = await openAll(workers, specs, { concurrency: 64, timeoutMs: p.connectTimeoutMs });
  const connectLoad = checkLoad(await workers.status(), ctx.loadCores);
  // Let the connect storm's follow-up work (presence batches, GC) pass before the idle window.
  await new Promise((res) => setTimeout(res, 1000));
  await workers.status();
  const idle = await watch(peer.usage, p.idleSec * 1000, 500);
  const idleLoad = checkLoad(await workers.status(), ctx.loadCores);
  const mem = perSocketKiB(before.rss, idle.rss, opened.opened);
  const startAt = nowMs() + 200;
  // Clients c0..c9 are the first of rooms 0..9, so each probe room has its own sender.
  const senders = Array.from({ length: Math.min(p.probeRooms, layout.rooms) }, (_, k) => ({ worker: k % workers.size, spec: { clientId: `c${k}`, run: `${prefix}p`, startAt: startAt + k * 37, count: p.probeMessages, intervalMs: 500, bytes: 100 } }));
  const v = await probe(workers, senders, p.drainMs);
  const status = await workers.status();
  const probeLoad = checkLoad(status, ctx.loadCores);
  // A workerd that died closes every socket: such a trial says nothing about the peer's cost. (Under `partykit dev` it
  // ran out of file descriptors near 10,000 sockets, "accept: Too many open files", while the null rooms' clients
  // opened faster than its Node process logged the requests; see ChatPool.connect.)
  const fatal = /Fatal uncaught[^\n]*/.exec(stripVTControlCharacters(peer.output()))?.[0];
  if (fatal) ctx.log(`${label}, ${peer.name} round ${r}: the server died: ${fatal}`);
  // The load generator's figures per phase are `connectLoad…`, `idleLoad…`, `probeLoad…`: "idle" alone would make
  // `idleCpuPct`, the server's own figure.
  const t = trialOf(
    {
      connectSec: opened.wallMs / 1000,
      failures: opened.failed,
      closed: closes(status).unexpected,
      idleCpuPct: idle.cpuPct,
      kibPerSocket: mem.kib,
      noiseKib: mem.noiseKib,
      probeP50: v.lastP50,
      probeP99: v.lastP99,
      probeBad: v.lost + v.unsent + v.duplicates + v.reordered,
      serverDied: fatal ? 1 : 0,
    },
    loadFields(connectLoad, "connectLoad"),
    loadFields(idleLoad, "idleLoad"),
    loadFields(probeLoad, "probeLoad"),
  );
  ctx.log(`${label}, ${peer.name} round ${r}: connect ${t.connectSec!.toFixed(1)} s (${opened.failed} failed${opened.errors[0] ? `: ${opened.errors[0]}` : ""}), ${mem.kib.toFixed(1)} ± ${mem.noiseKib.toFixed(1)} KiB/socket, idle ${idle.cpuPct.toFixed(1)}% of a core, probe p99 ${v.lastP99.toFixed(1)} ms (${v.unsent} unsent), ${t.closed} closed by the server ${JSON.stringify(closes(status).codes)}, load ${connectLoad.cpuPct.toFixed(0)}/${idleLoad.cpuPct.toFixed(0)}/${probeLoad.cpuPct.toFixed(0)}%`);
  return t;
}
