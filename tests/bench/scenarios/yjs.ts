/**
 * Scenario 4, Yjs editing: many editors in one document, some typing at 5
 * updates/s open loop; update-to-remote latency and convergence, partyroom vs
 * @y/websocket-server (reference) and Hocuspocus (product peer). Then the
 * load of a ~160 KB document: partyroom cold (server restarted, document read
 * from storage) and warm, the peers warm, and raw `Y.applyUpdate`.
 * Goal: p99 <= 1.2x @y/websocket-server; all replicas identical within 500 ms
 * after typing stops.
 */
import * as Y from "yjs";
import { shareOf } from "../lib/chat-run";
import { interleave, medians, ratio, type Trial } from "../lib/rounds";
import { cdf, median, nowMs, percentile, round } from "../lib/stats";
import { syntheticTrace } from "../lib/trace";
import { Workers } from "../lib/workers";
import type { OpenResult, YjsSpec, YReport } from "../load/protocol";
import { YjsPool } from "../load/yjs-pool";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const PEERS = ["partyroom", "y-websocket-server", "hocuspocus"] as const satisfies readonly PeerName[];

function spec(peer: Peer, doc: string): YjsSpec {
  return { url: peer.url(doc), framing: peer.name === "hocuspocus" ? "hocus" : "yws", doc };
}

export const yjsEditing: Scenario = {
  id: "yjs",
  title: "4. Yjs editing",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const q = ctx.quick;
    const o = ctx.overrides;
    const p = { editors: o["yjs.editors"] ?? (q ? 40 : 200), typers: o["yjs.typers"] ?? (q ? 5 : 20), updatesPerSec: 5, seconds: q ? 3 : 20, rounds: q ? 2 : 3, coldLoads: q ? 1 : 3, warmLoads: q ? 1 : 3, docBytesTarget: 160 * 1024 };
    const peers = new Map<string, Peer>();
    const workers = await Workers.start(q ? 2 : 4, ctx.loadCpu);
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const data: Record<string, unknown> = {};
    try {
      for (const name of PEERS) peers.set(name, await startPeer(name, { serverCpu: ctx.serverCpu }));
      const cdfs: Record<string, unknown> = {};
      const kept = await interleave(PEERS, p.rounds, async (name, r): Promise<Trial> => {
        const peer = peers.get(name)!;
        const doc = `edit-${r}-${Date.now().toString(36)}`;
        const specs = Array.from({ length: p.editors }, () => spec(peer, doc));
        const opened = await workers.all<OpenResult>((i) => ({ op: "yOpen", specs: shareOf(specs, i, workers.size), concurrency: 16, timeoutMs: 30_000 }), 120_000);
        const failed = opened.reduce((s, o) => s + o.failed, 0);
        const editors = p.editors - failed;
        const run = `y${r}${name.replace(/\W/g, "")}`;
        const startAt = nowMs() + 500;
        const typersOf = (i: number) => shareOf(Array.from({ length: p.typers }, (_, t) => t), i, workers.size).map((_, k) => k);
        const sent = (await workers.all<number>((i) => ({ op: "yType", typers: typersOf(i), run, startAt: startAt + i * 13, count: p.seconds * p.updatesPerSec, intervalMs: 1000 / p.updatesPerSec }), p.seconds * 1000 + 60_000)).reduce((a, b) => a + b, 0);
        const stoppedAt = nowMs();
        const convergedMs = await convergence(workers, stoppedAt, 10_000);
        const reports = await workers.all<YReport>(() => ({ op: "yReport", run }), 60_000);
        const status = await workers.status();
        await workers.all(() => ({ op: "closeAll" }), 60_000);
        const latencies = reports.flatMap((x) => x.latencies);
        const slowest = new Map<string, number>();
        for (const x of reports) for (const [k, v] of Object.entries(x.slowest)) slowest.set(k, Math.max(v, slowest.get(k) ?? -Infinity));
        const received = reports.reduce((s, x) => s + x.received, 0);
        const expected = sent * (editors - 1);
        if (r === p.rounds - 1) cdfs[name] = cdf(latencies);
        const t: Trial = {
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          lastP99: percentile([...slowest.values()], 99),
          convergedMs,
          missing: expected - received,
          failed,
          loadCpuPct: status.reduce((sum, s) => sum + s.cpuPct, 0),
          loadLoopP99Ms: Math.max(...status.map((s) => s.eventLoopP99Ms)),
        };
        ctx.log(`yjs ${name} round ${r}: p50 ${t.p50!.toFixed(2)} p99 ${t.p99!.toFixed(2)} ms, converged after ${convergedMs.toFixed(0)} ms, missing ${t.missing}, failed ${failed}, load cpu ${t.loadCpuPct!.toFixed(0)}%`);
        return t;
      });
      const m = Object.fromEntries(PEERS.map((x) => [x, medians(kept[x])])) as Record<string, Trial>;
      for (const metric of ["p50", "p99", "lastP99", "convergedMs", "missing", "failed", "loadCpuPct", "loadLoopP99Ms"]) {
        rows.push({ metric: `editing: ${metric}`, values: Object.fromEntries(PEERS.map((x) => [x, round(m[x]![metric]!, 2)])) });
      }
      const rp = ratio(m.partyroom!.p99, m["y-websocket-server"]!.p99);
      rows.push({ metric: "editing: partyroom p99 / peer p99", values: { "y-websocket-server": round(rp, 2), hocuspocus: round(ratio(m.partyroom!.p99, m.hocuspocus!.p99), 2) } });
      goals.push({ goal: "update-to-remote p99 <= 1.2x @y/websocket-server", measured: `${rp.toFixed(2)}x (${m.partyroom!.p99!.toFixed(2)} vs ${m["y-websocket-server"]!.p99!.toFixed(2)} ms)`, pass: rp <= 1.2 });
      const worstConv = Math.max(...kept.partyroom.map((t) => t.convergedMs ?? Infinity));
      goals.push({ goal: "all replicas identical within 500 ms after typing stops", measured: `worst ${worstConv.toFixed(0)} ms over kept rounds (missing marks: ${kept.partyroom.map((t) => t.missing).join(", ")})`, pass: worstConv <= 500 });
      data.cdf = cdfs;
      data.medians = m;

      const load = await coldLoad(ctx, workers, peers, p.coldLoads, p.warmLoads);
      rows.push(...load.rows);
      data.load = load.data;
    } finally {
      await workers.stop();
      for (const x of peers.values()) await x.stop();
    }
    return {
      id: "yjs",
      title: yjsEditing.title,
      status: "ok",
      params: { ...p, workers: workers.size, discardedRounds: 1 },
      rows,
      goals,
      notes: [
        "All three peers are driven by the same minimal y-protocols client (tests/bench/load/yjs-pool.ts); for Hocuspocus it adds the document-name prefix and an empty auth token.",
        "Latency: from an edit's scheduled time to its arrival in each remote replica; 'convergedMs' = time after the last edit until every replica has the same text and state vector (every replica's state vector and text length compared every ~100 ms from the moment the last typer returned; typers only insert, so equal state vectors mean equal documents).",
        "The ~160 KB document is a synthetic editing trace (tests/bench/lib/trace.ts): no real trace such as automerge-paper is installable from the npm registry here.",
        "Cold load = partyroom after a kill -9 + restart of partykit dev, so the room starts and reads the document from storage; the peers have no persistence configured, so only warm loads are comparable.",
      ],
      data,
    };
  },
};

/** Polls every replica's digest until all agree; returns ms after `stoppedAt` (Infinity if never within `maxMs`). */
async function convergence(w: Workers, stoppedAt: number, maxMs: number): Promise<number> {
  for (;;) {
    const digests = (await w.all<string[]>(() => ({ op: "yDigest" }), 30_000)).flat();
    const at = nowMs() - stoppedAt;
    if (new Set(digests).size <= 1) return at;
    if (at > maxMs) return Infinity;
    await sleep(100);
  }
}

async function coldLoad(ctx: BenchContext, workers: Workers, peers: Map<string, Peer>, coldLoads: number, warmLoads: number): Promise<{ rows: Row[]; data: Record<string, unknown> }> {
  const trace = syntheticTrace();
  const raw: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = nowMs();
    Y.applyUpdate(new Y.Doc(), trace.update);
    raw.push(nowMs() - t0);
  }
  const warm: Record<string, number> = {};
  let cold = NaN;
  const seeder = new YjsPool();
  for (const [name, peer] of peers) {
    const doc = `big-${Date.now().toString(36)}`;
    const s = spec(peer, doc);
    const client = await seeder.connect(s, 30_000);
    Y.applyUpdate(client.doc, trace.update);
    await sleep(1000);
    seeder.closeAll();
    const loads: number[] = [];
    for (let i = 0; i < warmLoads; i++) loads.push(await workers.call<number>(0, { op: "yLoad", spec: s, expectedLength: trace.textLength, timeoutMs: 60_000 }, 90_000));
    warm[name] = median(loads);
    if (peer.restart) {
      const colds: number[] = [];
      for (let i = 0; i < coldLoads; i++) {
        await peer.restart();
        colds.push(await workers.call<number>(0, { op: "yLoad", spec: s, expectedLength: trace.textLength, timeoutMs: 60_000 }, 90_000));
      }
      cold = median(colds);
    }
    ctx.log(`yjs load ${name}: warm ${warm[name]!.toFixed(1)} ms${peer.restart ? `, cold ${cold.toFixed(1)} ms` : ""}`);
  }
  const rawMs = median(raw);
  const rows: Row[] = [
    { metric: `load ${Math.round(trace.update.byteLength / 1024)} KB doc: warm connect-to-synced (ms)`, values: Object.fromEntries(Object.entries(warm).map(([k, v]) => [k, round(v, 1)])) },
    { metric: "load: partyroom cold (after restart) (ms)", values: { partyroom: round(cold, 1) } },
    { metric: "load: raw Y.applyUpdate in one process (ms)", values: { partyroom: round(rawMs, 1), "y-websocket-server": round(rawMs, 1), hocuspocus: round(rawMs, 1) } },
  ];
  return { rows, data: { docBytes: trace.update.byteLength, textLength: trace.textLength, traceOps: trace.ops, rawApplyMs: rawMs, warm, cold } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
