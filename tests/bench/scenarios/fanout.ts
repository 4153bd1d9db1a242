/**
 * Scenario 1, chat fan-out: one room, N clients, one sender posting 100-byte
 * messages at 10/s open loop. Partyroom vs the null room (the PartyKit floor)
 * and plain `ws` (the Node upper bound). Goal: last-recipient p50 <= 1.2x and
 * p99 <= 1.5x the null room; nothing lost, duplicated or reordered.
 */
import { loadHealth, openAll, probe, workerOf } from "../lib/chat-run";
import { interleave, medians, ratio, type Trial } from "../lib/rounds";
import { cdf, nowMs, round } from "../lib/stats";
import { Workers } from "../lib/workers";
import type { ChatSpec } from "../load/protocol";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const PEERS = ["partyroom", "null-room", "ws"] as const satisfies readonly PeerName[];

export const fanout: Scenario = {
  id: "fanout",
  title: "1. Chat fan-out",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const sizes = ctx.quick ? [100] : [100, 1000];
    const roundsFor = (size: number) => (ctx.quick ? 2 : size >= 1000 ? 3 : 4);
    const seconds = ctx.quick ? 2 : 10;
    const rate = 10;
    const peers = new Map<string, Peer>();
    const workers = await Workers.start(ctx.quick ? 2 : 4, ctx.loadCpu);
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const data: Record<string, unknown> = {};
    try {
      for (const name of PEERS) peers.set(name, await startPeer(name, { serverCpu: ctx.serverCpu }));
      for (const size of sizes) {
        const cdfs: Record<string, unknown> = {};
        const rounds = roundsFor(size);
        const kept = await interleave(PEERS, rounds, async (name, r): Promise<Trial> => {
          const peer = peers.get(name)!;
          const room = `fan-${size}-${r}-${Date.now().toString(36)}`;
          const specs: ChatSpec[] = Array.from({ length: size }, (_, j) => ({
            url: peer.url(room),
            kind: name === "partyroom" ? "app" : "raw",
            room,
            clientId: `f${r}x${j}`,
            heartbeat: name === "partyroom",
          }));
          const opened = await openAll(workers, specs);
          await workers.status();
          const before = peer.usage();
          const startAt = nowMs() + 300;
          const v = await probe(workers, [{ worker: workerOf(0, workers.size), spec: { clientId: specs[0]!.clientId, run: `r${r}${name.replace(/\W/g, "")}${size}`, startAt, count: seconds * rate, intervalMs: 1000 / rate, bytes: 100 } }], ctx.quick ? 1000 : 3000);
          const after = peer.usage();
          const health = loadHealth(await workers.status());
          await workers.all(() => ({ op: "closeAll" }), 60_000);
          ctx.log(`fanout ${size} ${name} round ${r}: last p50 ${v.lastP50.toFixed(2)} p99 ${v.lastP99.toFixed(2)} ms, lost ${v.lost} dup ${v.duplicates} reord ${v.reordered}, failed ${opened.failed}, load cpu ${health.totalCpuPct.toFixed(0)}%`);
          if (r === rounds - 1) cdfs[name] = cdf(v.latencies);
          return {
            lastP50: v.lastP50,
            lastP99: v.lastP99,
            allP50: v.allP50,
            allP99: v.allP99,
            lost: v.lost,
            duplicates: v.duplicates,
            reordered: v.reordered,
            connectFailures: opened.failed,
            serverCpuPct: ((after.cpuSec - before.cpuSec) / ((seconds * 1000 + (ctx.quick ? 1300 : 3300)) / 1000)) * 100,
            loadCpuPct: health.totalCpuPct,
            loadLoopP99Ms: health.maxLoopP99Ms,
          };
        });
        const m = Object.fromEntries(PEERS.map((p) => [p, medians(kept[p])])) as Record<string, Trial>;
        const worst = (k: string) => Math.max(...PEERS.flatMap((p) => kept[p].map((t) => t[k] ?? 0)));
        for (const metric of ["lastP50", "lastP99", "allP50", "allP99", "serverCpuPct", "loadCpuPct", "loadLoopP99Ms"]) {
          rows.push({ metric: `${size} clients: ${metric}${metric.endsWith("Pct") ? "" : " (ms)"}`, values: Object.fromEntries(PEERS.map((p) => [p, round(m[p]![metric]!, 2)])) });
        }
        rows.push({ metric: `${size} clients: lost/dup/reordered (sum over kept rounds)`, values: Object.fromEntries(PEERS.map((p) => [p, `${sum(kept[p], "lost")}/${sum(kept[p], "duplicates")}/${sum(kept[p], "reordered")}`])) });
        const pr = m.partyroom!;
        const nul = m["null-room"]!;
        const ws = m.ws!;
        rows.push({ metric: `${size} clients: partyroom / peer, last p50`, values: { "null-room": round(ratio(pr.lastP50, nul.lastP50), 2), ws: round(ratio(pr.lastP50, ws.lastP50), 2) } });
        rows.push({ metric: `${size} clients: partyroom / peer, last p99`, values: { "null-room": round(ratio(pr.lastP99, nul.lastP99), 2), ws: round(ratio(pr.lastP99, ws.lastP99), 2) } });
        const p50r = ratio(pr.lastP50, nul.lastP50);
        const p99r = ratio(pr.lastP99, nul.lastP99);
        goals.push({ goal: `${size} clients: last-recipient p50 <= 1.2x null room`, measured: `${p50r.toFixed(2)}x (${pr.lastP50!.toFixed(2)} vs ${nul.lastP50!.toFixed(2)} ms)`, pass: p50r <= 1.2 });
        goals.push({ goal: `${size} clients: last-recipient p99 <= 1.5x null room`, measured: `${p99r.toFixed(2)}x (${pr.lastP99!.toFixed(2)} vs ${nul.lastP99!.toFixed(2)} ms)`, pass: p99r <= 1.5 });
        const bad = sum(kept.partyroom, "lost") + sum(kept.partyroom, "duplicates") + sum(kept.partyroom, "reordered");
        goals.push({ goal: `${size} clients: zero lost, duplicated or reordered (partyroom)`, measured: `${bad} bad of ${kept.partyroom.length * size * seconds * rate} deliveries`, pass: bad === 0 });
        data[`cdf${size}`] = cdfs;
        data[`medians${size}`] = m;
        data[`worstLoadCpu${size}`] = worst("loadCpuPct");
      }
    } finally {
      await workers.stop();
      for (const p of peers.values()) await p.stop();
    }
    return {
      id: "fanout",
      title: fanout.title,
      status: "ok",
      params: { sizes, rounds: Object.fromEntries(sizes.map((s) => [s, roundsFor(s)])), discardedRounds: 1, secondsPerTrial: seconds, messagesPerSecond: rate, messageBytes: 100, senders: 1, workers: workers.size },
      rows,
      goals,
      notes: [
        "Latency is from the scheduled send time (open loop) to receipt, over a wall clock shared by all processes; 'last' = slowest recipient of each message.",
        "Every peer broadcasts to all sockets, the sender included; partyroom clients are app clients (hello/welcome, heartbeats); null room and ws clients are raw sockets.",
        "Partyroom persists each chat message before broadcasting it (persist-before-ack): that storage write is on the measured path, the null room has none.",
      ],
      data,
    };
  },
};

function sum(trials: Trial[], key: string): number {
  return trials.reduce((s, t) => s + (t[key] ?? 0), 0);
}
