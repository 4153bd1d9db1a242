/**
 * Scenario 2, capacity ladder: 100 -> 1,000 -> 5,000 -> 10,000 connections
 * spread over 100 rooms, partyroom clients beating their heartbeats. At each
 * step: time to connect the step, failures, server RSS and idle CPU, and the
 * latency of a few chat probes. Goal: 10,000 held with zero connect failures,
 * all connected within 30 s, <= 2 KB per connection over the null room, idle
 * CPU <= 10% of a core.
 */
import { loadHealth, openAll, probe } from "../lib/chat-run";
import { nowMs, round } from "../lib/stats";
import { Workers } from "../lib/workers";
import type { ChatSpec } from "../load/protocol";
import { startPeer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const PEERS = ["partyroom", "null-room", "ws"] as const satisfies readonly PeerName[];

export type Step = { peer: string; connections: number; stepConnectSec: number; failures: number; rssMB: number; kbPerConn: number; idleCpuPct: number; probeP50: number; probeP99: number; probeLost: number; held: number; loadCpuPct: number };

export const capacity: Scenario = {
  id: "capacity",
  title: "2. Capacity ladder",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const ladder = ctx.quick ? [100, 500] : [100, 1000, 5000, 10000];
    const rooms = ctx.quick ? 10 : 100;
    const idleSec = ctx.quick ? 2 : 10;
    const workers = await Workers.start(ctx.quick ? 2 : 4, ctx.loadCpu);
    const steps: Step[] = [];
    try {
      for (const name of PEERS) {
        const peer = await startPeer(name, { serverCpu: ctx.serverCpu });
        try {
          await sleep(ctx.quick ? 300 : 1000);
          const base = peer.usage().rss;
          const owner = new Map<string, number>();
          let have = 0;
          for (const level of ladder) {
            const specs: ChatSpec[] = [];
            for (let g = have; g < level; g++) {
              const room = `cap-${g % rooms}`;
              specs.push({ url: peer.url(room), kind: name === "partyroom" ? "app" : "raw", room, clientId: `k${g}`, heartbeat: name === "partyroom" });
              owner.set(`k${g}`, (g - have) % workers.size);
            }
            const opened = await openAll(workers, specs, { concurrency: 64, timeoutMs: 30_000 });
            have = level;
            await sleep(ctx.quick ? 500 : 2000);
            await workers.status();
            const u0 = peer.usage();
            await sleep(idleSec * 1000);
            const u1 = peer.usage();
            const probeRooms = Math.min(10, rooms);
            const count = ctx.quick ? 2 : 10;
            const startAt = nowMs() + 200;
            const v = await probe(
              workers,
              Array.from({ length: probeRooms }, (_, r) => ({ worker: owner.get(`k${r}`)!, spec: { clientId: `k${r}`, run: `cap${name.replace(/\W/g, "")}${level}`, startAt: startAt + r * 37, count, intervalMs: 500, bytes: 100 } })),
              ctx.quick ? 1000 : 3000,
            );
            const status = await workers.status();
            const health = loadHealth(status);
            const held = status.reduce((s, x) => s + x.open, 0);
            const step: Step = {
              peer: name,
              connections: level,
              stepConnectSec: round(opened.wallMs / 1000, 2),
              failures: opened.failed,
              rssMB: round(u1.rss / 2 ** 20, 1),
              kbPerConn: round((u1.rss - base) / 1024 / level, 2),
              idleCpuPct: round(((u1.cpuSec - u0.cpuSec) / idleSec) * 100, 1),
              probeP50: round(v.lastP50, 2),
              probeP99: round(v.lastP99, 2),
              probeLost: v.lost + v.duplicates + v.reordered,
              held: held - health.unexpectedCloses,
              loadCpuPct: round(health.totalCpuPct, 0),
            };
            steps.push(step);
            ctx.log(`capacity ${name} ${level}: connect ${step.stepConnectSec} s, failed ${step.failures}${opened.errors.length ? ` (${opened.errors[0]})` : ""}, rss ${step.rssMB} MB (${step.kbPerConn} KiB/conn), idle cpu ${step.idleCpuPct}%, probe p99 ${step.probeP99} ms, held ${step.held}`);
            if (opened.failed > level / 10) {
              ctx.log(`capacity ${name}: stopping the ladder at ${level} (too many failures)`);
              break;
            }
          }
        } finally {
          await workers.all(() => ({ op: "closeAll" }), 120_000).catch(() => undefined);
          await peer.stop();
        }
      }
    } finally {
      await workers.stop();
    }
    return summarize(ladder, rooms, idleSec, workers.size, steps);
  },
};

/** Builds the scenario result from the measured steps (also used to re-render a stored run). */
export function summarize(ladder: number[], rooms: number, idleSec: number, workerCount: number, steps: Step[]): ScenarioResult {
  const rows: Row[] = [];
  const at = (peer: string, level: number) => steps.find((s) => s.peer === peer && s.connections === level);
  for (const level of ladder) {
    for (const metric of ["stepConnectSec", "failures", "held", "rssMB", "kbPerConn", "idleCpuPct", "probeP50", "probeP99", "probeLost", "loadCpuPct"] as const) {
      rows.push({ metric: `${level}: ${metric}`, values: Object.fromEntries(PEERS.map((p) => [p, at(p, level)?.[metric] ?? null])) });
    }
  }
  // Marginal memory between the last two steps: free of the start-up baseline's noise.
  const marginal = (peer: string) => {
    const [a, b] = ladder.slice(-2).map((l) => at(peer, l));
    return a && b ? ((b.rssMB - a.rssMB) * 1024) / (b.connections - a.connections) : NaN;
  };
  if (ladder.length > 1) rows.push({ metric: `KiB per connection, marginal ${ladder[ladder.length - 2]} -> ${ladder[ladder.length - 1]}`, values: Object.fromEntries(PEERS.map((p) => [p, round(marginal(p), 2)])) });
  const top = ladder[ladder.length - 1]!;
  const pr = at("partyroom", top);
  const nul = at("null-room", top);
  const goals: GoalCheck[] = [];
  const prSteps = steps.filter((s) => s.peer === "partyroom");
  const totalConnect = prSteps.reduce((s, x) => s + x.stepConnectSec, 0);
  const failures = prSteps.reduce((s, x) => s + x.failures, 0);
  goals.push({ goal: `${top} connections held, zero connect failures`, measured: pr ? `${pr.held} held, ${failures} failures` : "ladder did not reach this step", pass: pr ? pr.held === top && failures === 0 : false });
  goals.push({ goal: `all ${top} connected within 30 s`, measured: `${totalConnect.toFixed(1)} s summed over the steps`, pass: pr ? totalConnect <= 30 : false });
  const over = pr && nul ? pr.kbPerConn - nul.kbPerConn : NaN;
  const overMarginal = marginal("partyroom") - marginal("null-room");
  goals.push({
    goal: "memory over the null room <= 2 KB per connection",
    measured: `${over.toFixed(2)} KiB at ${top} (${pr?.kbPerConn} vs ${nul?.kbPerConn} KiB/conn from an empty server); marginal over the last step ${overMarginal.toFixed(2)} KiB (${marginal("partyroom").toFixed(1)} vs ${marginal("null-room").toFixed(1)})`,
    pass: Number.isFinite(over) ? over * 1.024 <= 2 && overMarginal * 1.024 <= 2 : false,
  });
  goals.push({ goal: "idle CPU <= 10% of one core", measured: `${pr?.idleCpuPct ?? "?"}% at ${top} (heartbeats running)`, pass: pr ? pr.idleCpuPct <= 10 : false });
  return {
    id: "capacity",
    title: capacity.title,
    status: "ok",
    params: { ladder, rooms, idleWindowSec: idleSec, workers: workerCount, rounds: 1 },
    rows,
    goals,
    notes: [
      "One round per peer (a fresh server each), not interleaved repeats: a 10,000-connection ladder per peer costs minutes.",
      "RSS is summed over the server's process group (partykit dev = node + workerd); per-connection = (RSS at the step - RSS before any connection) / connections, rooms' own memory included.",
      "Partyroom clients say hello and beat heartbeats (10 s); null-room and ws clients are raw sockets with no heartbeat, since those peers would re-broadcast a heartbeat to the whole room.",
      "Probe: one sender in each of 10 rooms, 2 messages/s; latency of the slowest recipient.",
    ],
    data: { ladder: steps },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
