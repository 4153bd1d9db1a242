/**
 * Yjs fan-out (issue 12): one writer appends to a Y.Text at 50 updates/s,
 * open loop, and 200 stock y-websocket receivers apply every update;
 * partyroom vs @y/websocket-server, interleaved in rounds. Per-delivery
 * p50/p99, last-recipient p99, marks lost, and whether every replica ends
 * identical to the writer's. Goal: per-delivery p99 at most 1.2x
 * @y/websocket-server, nothing lost, every replica identical.
 */
import { shareOf } from "../lib/chat-run";
import { interleave, pairedRatio, roundPlan, showSpread, spreadOfKey, total, type Trial, trialOf } from "../lib/rounds";
import { cdf, nowMs, percentile } from "../lib/stats";
import { portOf, watchBacklog } from "../lib/backlog";
import { checkLoad, loadFields, ratioCell, ratioGoal, saturationOf, zeroGoal } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { OpenResult, YFanReport } from "../load/protocol";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

/**
 * y-partykit = y-partykit's own server on the same workerd: the platform's Yjs floor. volatile = partyroom with its
 * storage in memory: what partyroom would cost if it did not make each update durable before anyone sees it.
 */
const PEERS = ["partyroom", "volatile", "y-partykit", "y-websocket-server"] as const satisfies readonly PeerName[];
const METRICS = ["p50", "p99", "lastP99", "convergedMs", "serverCpuPct", "loadCpuPct", "loadLoopP99Ms"];

export function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    receivers: ctx.setting("yjs.receivers", q ? 50 : 200),
    updatesPerSec: ctx.setting("yjs.rate", 50),
    secondsPerTrial: ctx.setting("yjs.seconds", q ? 3 : 20),
    rounds: roundPlan(ctx, "yjs.rounds", 5, 2),
    /** After the last write, replicas get this long to become identical to the writer's; a mark missing then is lost. */
    convergeWithinMs: 30_000,
    /** Receivers are spread over these workers; the writer has one more to itself, so its timers are not held up by receiving. */
    receiverWorkers: ctx.setting("yjs.workers", q ? 2 : 4),
  };
}

export const yjsFanout: Scenario = {
  id: "yjs-fanout",
  title: "Yjs fan-out",
  deadlineMs: (ctx) => (ctx.quick ? 4 : 25) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const peers = new Map<string, Peer>();
    const workers = await Workers.start(p.receiverWorkers + 1, ctx.loadCpu);
    const cdfs: Record<string, unknown> = {};
    let kept: Record<(typeof PEERS)[number], Trial[]>;
    try {
      for (const name of PEERS) peers.set(name, await startPeer(name, { serverCpu: ctx.serverCpu }));
      kept = await interleave(PEERS, p.rounds, async (name, r): Promise<Trial> => {
        const { trial, latencies } = await yjsTrial(ctx, peers.get(name)!, workers, p, `yfan-${r}`);
        if (r === p.rounds.kept) cdfs[name] = cdf(latencies);
        ctx.log(`yjs fan-out ${name} round ${r}: ${describeTrial(trial)}`);
        return trial;
      });
    } finally {
      await workers.stop();
      for (const x of peers.values()) await x.stop();
    }
    const rows: Row[] = METRICS.map((m) => ({ metric: `${m}${m.endsWith("Pct") ? " (% of a core)" : " (ms)"}`, values: Object.fromEntries(PEERS.map((x) => [x, spreadOfKey(kept[x], m)])) }));
    rows.push({ metric: "lost / replicas differing / unexpected marks / failed to connect (sum)", values: Object.fromEntries(PEERS.map((x) => [x, `${total(kept[x], "lost")} / ${total(kept[x], "differing")} / ${total(kept[x], "unexpected")} / ${total(kept[x], "failed")}`])) });
    const invalid = saturationOf(PEERS.flatMap((x) => kept[x]), `${p.receivers} receivers`);
    for (const m of ["p50", "p99", "lastP99"]) {
      rows.push({ metric: `partyroom / peer, ${m}`, values: { "y-partykit": ratioCell(kept.partyroom, kept["y-partykit"], m, invalid), "y-websocket-server": ratioCell(kept.partyroom, kept["y-websocket-server"], m, invalid) } });
      rows.push({ metric: `y-partykit / y-websocket-server (the platform's own share), ${m}`, values: { "y-websocket-server": ratioCell(kept["y-partykit"], kept["y-websocket-server"], m, invalid) } });
      rows.push({ metric: `partyroom / volatile (the durable write before each forward), ${m}`, values: { volatile: ratioCell(kept.partyroom, kept.volatile, m, invalid) } });
    }
    const pr = spreadOfKey(kept.partyroom, "p99");
    const ys = spreadOfKey(kept["y-websocket-server"], "p99");
    const goals: GoalCheck[] = [
      ratioGoal(`${p.receivers} receivers: per-delivery p99 <= 1.2x @y/websocket-server`, pairedRatio(kept.partyroom, kept["y-websocket-server"], "p99"), 1.2, `${pr.median.toFixed(1)} vs ${ys.median.toFixed(1)} ms; the platform floor, y-partykit on the same workerd: ${spreadOfKey(kept["y-partykit"], "p99").median.toFixed(1)} ms; partyroom with storage in memory (no durable write before forwarding): ${spreadOfKey(kept.volatile, "p99").median.toFixed(1)} ms`, invalid),
      zeroGoal(`${p.receivers} receivers: nothing lost (partyroom)`, total(kept.partyroom, "lost") + total(kept.partyroom, "failed"), `${total(kept.partyroom, "lost")} of ${total(kept.partyroom, "expected")} deliveries missing ${p.convergeWithinMs / 1000} s after the last write; ${total(kept.partyroom, "failed")} receivers failed to connect`),
      zeroGoal(`${p.receivers} receivers: every replica identical to the writer's at the end (partyroom)`, total(kept.partyroom, "differing"), `${total(kept.partyroom, "differing")} replicas differ (text and state vector); identical ${showSpread(spreadOfKey(kept.partyroom, "convergedMs"), " ms")} after the last write`),
      zeroGoal("the check itself: no mark seen that was never written", total(kept.partyroom, "unexpected") + total(kept["y-websocket-server"], "unexpected"), `${total(kept.partyroom, "unexpected") + total(kept["y-websocket-server"], "unexpected")} unexpected marks`),
    ];
    return {
      id: "yjs-fanout",
      title: yjsFanout.title,
      status: invalid ? "invalid" : "ok",
      ...(invalid ? { reason: invalid } : {}),
      params: p,
      rows,
      goals,
      notes: [
        "volatile = partyroom itself with its storage in memory (tests/bench/parties/volatile.ts): partyroom / volatile is what making each update durable before anyone sees it costs (the output gate waits for the storage commit).",
        "y-partykit = y-partykit's own onConnect server, in memory, on the same partykit dev and workerd (tests/bench/parties/y-partykit.ts): the platform's floor for the Yjs path. It stores nothing before forwarding; partyroom stores every update first (the runtime's output gate holds the frames until the write is durable).",
        "Receivers and writer are stock y-websocket providers (WebsocketProvider, BroadcastChannel off so updates only travel through the server), spread over load workers; the writer has a worker of its own. Receivers clear their awareness state once synced: 200 providers made within seconds of each other renew their states together 15 s later, and those 40,000 awareness deliveries on the load core made every server's p99 the load generator's backlog (about 500 ms for all three).",
        "Latency: from a mark's scheduled write time to the moment a receiver applies the update carrying it; 'last' = the slowest receiver of each mark. The writer appends, so marks are never split.",
        `Identical: each replica's text and state vector, hashed and compared with the writer's every ${POLL_MS} ms after the last write until all agree ('convergedMs', from the last write) or ${p.convergeWithinMs / 1000} s pass; a mark missing then is lost, and the replicas are compared as they are.`,
      ],
      data: { cdf: cdfs, trials: kept },
    };
  },
};

export type YjsParams = ReturnType<typeof params>;

/**
 * One trial: `receivers` stock providers join a fresh document on `peer`, a
 * writer appends `seconds x rate` marks, and the replicas are checked. Also
 * used by tests/bench/profile.ts, which profiles the room during the same load.
 */
export async function yjsTrial(ctx: BenchContext, peer: Peer, workers: Workers, p: YjsParams, tag: string): Promise<{ trial: Trial; latencies: number[] }> {
  const writer = p.receiverWorkers;
  const receiverIds = Array.from({ length: p.receiverWorkers }, (_, i) => i);
  const spec = peer.yws(`${tag}-${Date.now().toString(36)}`);
  const all = Array.from({ length: p.receivers }, () => spec);
  const opened = await Promise.all(receiverIds.map((i) => workers.call<OpenResult>(i, { op: "yReceive", specs: shareOf(all, i, p.receiverWorkers), concurrency: 16, timeoutMs: 30_000 }, 120_000)));
  const failed = opened.reduce((s, o) => s + o.failed, 0);
  await workers.status();
  const before = peer.usage();
  const count = p.secondsPerTrial * p.updatesPerSec;
  const startAt = nowMs() + 1000;
  const backlog = watchBacklog(portOf(peer.url("x")));
  const sent = await workers.call<number>(writer, { op: "yWrite", spec, startAt, count, intervalMs: 1000 / p.updatesPerSec, timeoutMs: 30_000 }, p.secondsPerTrial * 1000 + 60_000);
  const lastWrite = nowMs();
  const unread = backlog.stop();
  const convergedMs = await converged(workers, lastWrite, p.convergeWithinMs);
  const after = peer.usage();
  const load = checkLoad(await workers.status(), ctx.loadCores, true, unread);
  const reports = await workers.all<YFanReport>(() => ({ op: "yFanReport", sent }), 60_000);
  await workers.all(() => ({ op: "closeAll" }), 60_000);
  const latencies = reports.flatMap((x) => x.latencies);
  const slowest = Array.from({ length: sent }, (_, n) => Math.max(...reports.map((x) => x.slowest[n] ?? -Infinity)));
  const writerDigest = reports.find((x) => x.writer)?.writer;
  const differing = reports.flatMap((x) => x.receivers).filter((d) => d !== writerDigest).length;
  const trial = trialOf(
    {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      lastP99: percentile(slowest.filter(Number.isFinite), 99),
      lost: reports.reduce((s, x) => s + x.lost, 0),
      unexpected: reports.reduce((s, x) => s + x.unexpected, 0),
      differing,
      convergedMs,
      failed,
      expected: sent * reports.reduce((s, x) => s + x.receiverCount, 0),
      serverCpuPct: ((after.cpuSec - before.cpuSec) / ((nowMs() - startAt) / 1000)) * 100,
    },
    loadFields(load),
  );
  return { trial, latencies };
}

/** One line for the log. */
export function describeTrial(t: Trial): string {
  return `p50 ${Number(t.p50).toFixed(2)} p99 ${Number(t.p99).toFixed(2)} last p99 ${Number(t.lastP99).toFixed(2)} ms, identical after ${Number(t.convergedMs).toFixed(0)} ms, lost ${t.lost}, differing ${t.differing}, failed ${t.failed}, server ${Number(t.serverCpuPct).toFixed(0)}% of a core, load ${Number(t.loadCpuPct).toFixed(0)}%, unread p50 ${Number(t.loadBacklogKiB).toFixed(0)} KiB${t.loadSaturated ? " SATURATED" : ""}`;
}

/** Often enough that `convergedMs` resolves a few ms (at 250 it read 0 or 250, nothing between). */
const POLL_MS = 20;

/** Polls the replicas' digests until all equal the writer's; ms after `since`, or Infinity when they do not within `withinMs`. */
async function converged(w: Workers, since: number, withinMs: number): Promise<number> {
  for (;;) {
    const d = await w.all<{ writer: string | null; receivers: string[] }>(() => ({ op: "yDigests" }), 30_000);
    const writer = d.find((x) => x.writer)?.writer;
    const at = nowMs() - since;
    if (writer && d.every((x) => x.receivers.every((r) => r === writer))) return at;
    if (at > withinMs) return Infinity;
    await new Promise((res) => setTimeout(res, POLL_MS));
  }
}
