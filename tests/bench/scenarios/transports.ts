/**
 * Transports, the comparison the system was designed from, redone here: 10
 * subscribers, bursts of 3 messages 50 ms apart, 50 ms injected in each
 * direction by a calibrated userspace TCP proxy, for WebSocket, SSE and long
 * polling, interleaved in rounds; deliveries checked and timed from the
 * scheduled send. Each transport runs on partyroom and on its floor, the null
 * transport room (tests/bench/parties/null-transport.ts), in the same rounds,
 * so a goal partyroom misses can be read against what the platform's streams
 * and answers cost. Then memory and CPU per idle connection of each transport.
 * Goals (issue 12): WebSocket and SSE p99 <= 120 ms, long polling p99 <= 215
 * ms, nothing lost. The original figures are quoted apart, never beside ours.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { clientFetch, requestErrorKind } from "../../helpers/http-agent";
import { portOf } from "../lib/backlog";
import { DelayProxy } from "../lib/delay-proxy";
import { interleave, pairedRatio, roundPlan, showSpread, spreadOfKey, total, type Trial, trialOf } from "../lib/rounds";
import { percentile, round } from "../lib/stats";
import { perSocketKiB, watch } from "../lib/usage";
import { checkLoad, limitGoal, loadFields, saturationOf, zeroGoal } from "../lib/verdict";
import { calibrate, KINDS, type Kind, LATENCY_SHAPE, latencyRun, roomId, type Sub, subscribe } from "../load/transport-clients";
import { type Peer, startPeer } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const DELAY_MS = 50;
/** The floor's party (tests/bench/parties/null-transport.ts) and its columns: each transport's name with this after it. */
const FLOOR_PARTY = "nulltransport";
const FLOOR = ", floor";
type Column = Kind | `${Kind}${typeof FLOOR}`;
const COLUMNS: Column[] = KINDS.flatMap((k) => [k, `${k}${FLOOR}` as const]);
const kindOf = (c: Column) => c.replace(FLOOR, "") as Kind;

/**
 * Memory and CPU of `n` idle connections of one kind (each sends a heartbeat
 * in the window), on a fresh server: one that already held another
 * transport's connections would reuse that memory. Memory with its noise.
 */
async function footprint(ctx: BenchContext, kind: Kind, n: number, windowMs: number): Promise<Footprint> {
  const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu });
  try {
    return await idleConnections(kind, peer, n, windowMs);
  } finally {
    await peer.stop();
  }
}

type Footprint = { kib: number; noiseKib: number; cpuPct: number; opened: number; failed: number; beatErrors: number; errors: Record<string, number> };

async function idleConnections(kind: Kind, peer: Peer, n: number, windowMs: number): Promise<Footprint> {
  const base = { ws: peer.url("x").replace(/\/parties\/main\/x$/, ""), http: peer.http };
  const target = { party: "main", room: roomId(`${kind}-mem`) };
  const before = await watch(peer.usage, 1000, 250);
  const subs: Sub[] = [];
  // A connection that fails to open or to heartbeat is counted with its reason, not thrown: the run goes on and the table says so.
  const errors: Record<string, number> = {};
  const count = (err: unknown) => void (errors[requestErrorKind(err)] = (errors[requestErrorKind(err)] ?? 0) + 1);
  let failed = 0;
  let beatErrors = 0;
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(50, n - i) }, (_, j) => subscribe(kind, base, target, `m${i + j}`, (err) => (beatErrors++, count(err)))));
    for (const b of batch) b.status === "fulfilled" ? subs.push(b.value) : (failed++, count(b.reason));
  }
  // Let the joins' follow-up work (presence batches, GC) pass before the idle window.
  await new Promise((res) => setTimeout(res, 2_000));
  const idle = await watch(peer.usage, windowMs, 500);
  await Promise.all(subs.map((s) => s.close()));
  return { ...perSocketKiB(before.rss, idle.rss, Math.max(1, subs.length)), cpuPct: idle.cpuPct, opened: subs.length, failed, beatErrors, errors };
}

function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    ...LATENCY_SHAPE,
    rounds: roundPlan(ctx, "transports.rounds", 5, 1),
    repetitionsPerRound: ctx.setting("transports.reps", q ? 10 : 40),
    injectedDelayEachWayMs: DELAY_MS,
    footprintSizes: q ? [50] : [100, 1_000],
    footprintWindowMs: q ? 2_000 : 10_000,
  };
}

export const transports: Scenario = {
  id: "transports",
  title: "Transports, 50 ms injected each way",
  // partyroom and its floor on three transports: twice the trials of a scenario without a floor.
  deadlineMs: (ctx) => (ctx.quick ? 6 : 30) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu });
    const port = portOf(peer.http);
    const proxy = await DelayProxy.start(port, DELAY_MS);
    const viaProxy = { ws: `ws://127.0.0.1:${proxy.port}`, http: `http://127.0.0.1:${proxy.port}` };
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    try {
      const direct = await calibrate(peer.url("x").replace(/\/parties\/main\/x$/, ""));
      const delayed = await calibrate(viaProxy.ws);
      ctx.log(`calibration: round trip ${round(direct, 2)} ms direct, ${round(delayed, 1)} ms through the proxy (2 x ${DELAY_MS} ms injected)`);
      // partyroom and its floor on each transport, interleaved, through the same proxy to the same server.
      const kept = await interleave(COLUMNS, p.rounds, async (column, r): Promise<Trial> => {
        // This scenario's clients live in the orchestrator (pinned to the load cores): its own CPU and event loop are the generator's.
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        loop.reset();
        const s = await latencyRun(kindOf(column), viaProxy, column.endsWith(FLOOR) ? FLOOR_PARTY : "main", p.repetitionsPerRound);
        const used = process.cpuUsage(cpu0);
        const load = { cpuPct: ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100 / ctx.loadCores, loopP99Ms: loop.percentile(99) / 1e6 };
        const t = trialOf(
          {
            p50: percentile(s.latencies, 50),
            p95: percentile(s.latencies, 95),
            p99: percentile(s.latencies, 99),
            max: Math.max(...s.latencies),
            expected: s.expected,
            lost: s.expected - s.received,
            duplicated: s.dups,
            outOfOrder: s.outOfOrder,
          },
          loadFields(checkLoadOf(load)),
        );
        ctx.log(`${column} round ${r}: ${s.received}/${s.expected} delivered, p50 ${round(t.p50!, 1)} p99 ${round(t.p99!, 1)} ms, generator ${load.cpuPct.toFixed(0)}% loop p99 ${load.loopP99Ms.toFixed(0)} ms`);
        return t;
      });
      const rows: Row[] = ["p50", "p95", "p99", "max"].map((m) => ({ metric: `${m} (ms)`, values: Object.fromEntries(COLUMNS.map((c) => [c, spreadOfKey(kept[c], m)])) }));
      for (const m of ["p50", "p99"]) rows.push({ metric: `${m}: partyroom / its floor (per round)`, values: Object.fromEntries(KINDS.map((k) => [k, pairedRatio(kept[k], kept[`${k}${FLOOR}`], m)])) });
      rows.push({ metric: "delivered / lost / duplicated / out of order (sum)", values: Object.fromEntries(COLUMNS.map((c) => [c, `${total(kept[c], "expected") - total(kept[c], "lost")} / ${total(kept[c], "lost")} / ${total(kept[c], "duplicated")} / ${total(kept[c], "outOfOrder")}`])) });
      // A floor that dropped or reordered anything measured less than the work, and would bound nothing: the run fails.
      const faults = (c: Column) => total(kept[c], "lost") + total(kept[c], "duplicated") + total(kept[c], "outOfOrder");
      const floorBad = KINDS.reduce((a, k) => a + faults(`${k}${FLOOR}`), 0);
      if (floorBad > 0) throw new Error(`the floor (${FLOOR_PARTY}) lost, duplicated or reordered ${floorBad} deliveries`);
      const invalid = saturationOf(COLUMNS.flatMap((c) => kept[c]), "latency runs");
      // Each goal is partyroom's; its floor is shown beside it, the bound a miss can be read against.
      const latencyGoal = (goal: string, k: Kind, m: string, limit: number) => {
        const mine = spreadOfKey(kept[k], m);
        return limitGoal(goal, mine.median, limit, `${showSpread(mine, " ms")}; floor ${showSpread(spreadOfKey(kept[`${k}${FLOOR}`], m), " ms")}`, invalid);
      };
      const goals: GoalCheck[] = [];
      for (const k of ["websocket", "sse"] as const) {
        goals.push(latencyGoal(`${k} p50 <= 105 ms`, k, "p50", 105));
        goals.push(latencyGoal(`${k} p99 <= 120 ms`, k, "p99", 120));
      }
      goals.push(latencyGoal("long polling p99 <= 215 ms", "poll", "p99", 215));
      const bad = KINDS.reduce((a, k) => a + faults(k), 0);
      goals.push(zeroGoal("nothing lost, duplicated or out of order", bad, `${bad} of ${KINDS.reduce((a, k) => a + total(kept[k], "expected"), 0)} deliveries`));

      for (const n of p.footprintSizes) {
        const f: Partial<Record<Kind, Awaited<ReturnType<typeof footprint>>>> = {};
        for (const kind of KINDS) {
          f[kind] = await footprint(ctx, kind, n, p.footprintWindowMs);
          ctx.log(`${kind} x ${n}: ${f[kind]!.kib.toFixed(1)} ± ${f[kind]!.noiseKib.toFixed(1)} KiB/conn, ${f[kind]!.cpuPct.toFixed(1)}% of a core idle; ${f[kind]!.failed} failed to open, ${f[kind]!.beatErrors} heartbeats failed ${JSON.stringify(f[kind]!.errors)}`);
        }
        const broken = KINDS.reduce((a, k) => a + f[k]!.failed + f[k]!.beatErrors, 0);
        goals.push(zeroGoal(`${n} idle connections of each transport open and keep their heartbeats`, broken, KINDS.map((k) => `${k}: ${f[k]!.opened} of ${n} opened, ${f[k]!.beatErrors} heartbeats failed${Object.keys(f[k]!.errors).length ? ` ${JSON.stringify(f[k]!.errors)}` : ""}`).join("; ")));
        rows.push({ metric: `${n} idle connections: KiB per connection ± noise (one measurement, fresh server)`, values: Object.fromEntries(KINDS.map((k) => [k, `${f[k]!.kib.toFixed(1)} ± ${f[k]!.noiseKib.toFixed(1)}`])) });
        rows.push({ metric: `${n} idle connections: % of a core (one measurement)`, values: Object.fromEntries(KINDS.map((k) => [k, round(f[k]!.cpuPct, 1)])) });
        rows.push({ metric: `${n} idle connections: opened / failed to open / heartbeats failed`, values: Object.fromEntries(KINDS.map((k) => [k, `${f[k]!.opened} / ${f[k]!.failed} / ${f[k]!.beatErrors}`])) });
      }
      return {
        id: "transports",
        title: transports.title,
        status: invalid ? "invalid" : "ok",
        ...(invalid ? { reason: invalid } : {}),
        params: { ...p, calibratedRoundTripMs: round(delayed, 1), directRoundTripMs: round(direct, 2) },
        rows,
        goals,
        notes: [
          `A userspace TCP proxy on loopback adds ${DELAY_MS} ms in each direction (${2 * DELAY_MS} ms round trip; calibrated at the start of the run: ${round(delayed, 1)} ms through the proxy, ${round(direct, 2)} ms direct). The floor for any delivery is one round trip through it.`,
          `${p.subscribers} subscribers; bursts of ${p.burst} messages ${p.gapMs} ms apart every ${p.burstEveryMs} ms; latency from each message's scheduled send time to each subscriber. Publishers use each transport's own send path: a WebSocket frame, or an HTTP POST for SSE and long polling.`,
          `"floor" is the null transport room (tests/bench/parties/null-transport.ts) on the same server: the same routes and clients, each message written to the chat log before it goes out, and no other room work (no presence, budgets, rate limits or resume). Its rounds are interleaved with partyroom's. Loss, duplicates and order are partyroom's goal; the floor must have none (the run fails otherwise).`,
        ],
        quoted: [{ source: "the comparison this system was designed from (its own machine and method)", figures: "WS 346/375/381 ms p50/p95/p99, SSE 355/377/380 ms, long polling 356/32,735/32,741 ms with 2 lost" }],
        data: { trials: kept },
      };
    } finally {
      loop.disable();
      await proxy.stop();
      await peer.stop();
    }
  },
};

/** The orchestrator's own load, judged like a worker's. */
function checkLoadOf(load: { cpuPct: number; loopP99Ms: number }) {
  return checkLoad([{ open: 0, pongs: 0, unexpectedCloses: 0, closeCodes: {}, cpuPct: load.cpuPct, eventLoopP99Ms: load.loopP99Ms, rssMB: 0 }], 1);
}
