/**
 * The brief's stability test (issue 18): 1,000 WebSocket connections in 10
 * rooms of 100 for 30 minutes, every reading client sending a chat message a
 * minute, with 50 stalled readers among them (5 a room: they keep beating
 * heartbeats but stop reading); then the same without stalled readers. Each
 * on a fresh server. Goals: every connection opened, 0 ack timeouts, 0
 * disconnects of readers that read, 0 lost, duplicated or reordered
 * deliveries, workerd RSS flat in the second half (slope <= 0.5 MiB/min);
 * CPU reported. Quick mode runs a short version whose slope is not judged.
 *
 * Beside each run, at the same time on its own server and load workers, runs
 * the floor: the storing null room (parties/null-store.ts), which writes each
 * message as the chat log does and does nothing else. workerd's storage keeps
 * what it wrote in memory for a while, so its RSS climbs under any room that
 * persists every message; the floor's slope is that part, measured in the same
 * minutes on the same machine. Its clients all read (a paused socket on the
 * null room would buffer every broadcast in workerd, which partyroom's budget
 * for readers that stop reading prevents), and the same 950 of them send.
 */
import { closes, openAll, probe, workerOf } from "../lib/chat-run";
import { nowMs, percentile, round, slope } from "../lib/stats";
import { checkLoad, zeroGoal } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { AckReport, ChatSpec } from "../load/protocol";
import { withTimeout } from "../../helpers/wait";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

/** An ack later than this (or missing) is an ack timeout. */
const ACK_TIMEOUT_MS = 10_000;
/** Issue 18: memory flat in the second half. */
const SLOPE_LIMIT_MIB_PER_MIN = 0.5;
/** A second half shorter than this cannot show a slope of a fraction of a MiB a minute. */
const MIN_HALF_MINUTES = 5;
const MESSAGE_PERIOD_MS = 60_000;

function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    connections: ctx.setting("stability.connections", q ? 100 : 1000),
    rooms: 10,
    stalled: ctx.setting("stability.stalled", q ? 10 : 50),
    seconds: ctx.setting("stability.seconds", q ? 10 : 1800),
    /**
     * 1 adds a second run of the same length without stalled readers, as a
     * control (the committed partial run in docs/bench/partial/stability has
     * one); off by default so a full `npm run bench` fits in two hours.
     */
    control: ctx.setting("stability.control", q ? 1 : 0),
    messagePeriodMs: MESSAGE_PERIOD_MS,
    messageBytes: 100,
    sampleEverySec: q ? 2 : 10,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    workers: q ? 2 : 4,
    /** 0 leaves out the floor run beside partyroom's. */
    floor: ctx.setting("stability.floor", 1),
    floorWorkers: q ? 1 : 2,
  };
}
type Params = ReturnType<typeof params>;

type Variant = {
  label: string;
  peer: PeerName;
  /** Messages the floor's rooms stored (null for partyroom, whose acks say so). */
  stored: number | null;
  stalled: number;
  connectSec: number;
  failed: number;
  sent: number;
  expected: number;
  lost: number;
  duplicates: number;
  reordered: number;
  lastP50: number;
  lastP99: number;
  acks: { acked: number; timeouts: number; errors: number; p99: number };
  readerCloses: number;
  closeCodes: Record<string, number>;
  stalledClosesSeen: number;
  serverCpuPct: number;
  memory: { minute: number; workerdMiB: number; groupMiB: number }[];
  slope: { slope: number; se: number; halfMinutes: number };
  load: { cpuPct: number; loopP99Ms: number; saturated: string | null };
};

export const stability: Scenario = {
  id: "stability",
  title: "Stability with stalled readers",
  deadlineMs: (ctx) => (1 + params(ctx).control) * params(ctx).seconds * 1000 + (ctx.quick ? 3 : 10) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const workers = await Workers.start(p.workers, ctx.loadCpu);
    const floorWorkers = p.floor ? await Workers.start(p.floorWorkers, ctx.loadCpu) : null;
    const variants: Variant[] = [];
    try {
      for (const stalled of p.control ? [p.stalled, 0] : [p.stalled]) {
        const runs = [variant(ctx, p, workers, stalled, "partyroom"), ...(floorWorkers ? [variant(ctx, p, floorWorkers, stalled, "null-store")] : [])];
        variants.push(...(await Promise.all(runs)));
      }
    } finally {
      await Promise.all([workers.stop(), floorWorkers?.stop()]);
    }
    const floorOf = (v: Variant) => variants.find((f) => f.peer === "null-store" && f.stalled === v.stalled);
    const goals: GoalCheck[] = variants.filter((v) => v.peer === "partyroom").flatMap((v) => goalsOf(ctx, v, floorOf(v)));
    const invalid = variants
      .map((v) => (v.load.saturated && `${v.label}: ${v.load.saturated}`) || (v.stored !== null && v.stored !== v.sent && `${v.label}: stored ${v.stored} of ${v.sent} messages`))
      .filter((x): x is string => !!x);
    const cols = (f: (v: Variant) => string | number) => Object.fromEntries(variants.map((v) => [v.label, f(v)]));
    // The null room sends no acks: its ack row would read as zero timeouts of zero.
    const roomOnly = (f: (v: Variant) => string | number) => cols((v) => (v.peer === "partyroom" ? f(v) : "no acks"));
    const rows: Row[] = [
      { metric: "connected (seconds to connect all)", values: cols((v) => `${p.connections - v.failed} of ${p.connections} (${round(v.connectSec, 1)} s)`) },
      { metric: "messages sent / deliveries expected", values: cols((v) => `${v.sent} / ${v.expected}`) },
      { metric: "lost / duplicated / reordered", values: cols((v) => `${v.lost} / ${v.duplicates} / ${v.reordered}`) },
      { metric: "last-recipient p50 / p99 (ms)", values: cols((v) => `${round(v.lastP50, 1)} / ${round(v.lastP99, 1)}`) },
      { metric: "acks / ack timeouts / chat errors, ack p99 (ms)", values: roomOnly((v) => `${v.acks.acked} / ${v.acks.timeouts} / ${v.acks.errors}, ${round(v.acks.p99, 1)}`) },
      { metric: "readers closed by the server (codes)", values: cols((v) => `${v.readerCloses} ${JSON.stringify(v.closeCodes)}`) },
      { metric: "stalled readers seen closed (a paused socket may not see its close)", values: cols((v) => v.stalledClosesSeen) },
      { metric: "server CPU (% of a core)", values: cols((v) => round(v.serverCpuPct, 1)) },
      { metric: "workerd RSS first / last sample (MiB)", values: cols((v) => `${v.memory[0]?.workerdMiB} / ${v.memory.at(-1)?.workerdMiB}`) },
      { metric: "workerd RSS slope, second half (MiB/min ± standard error)", values: cols((v) => `${round(v.slope.slope, 3)} ± ${round(v.slope.se, 3)} over ${round(v.slope.halfMinutes, 1)} min`) },
    ];
    return {
      id: "stability",
      title: stability.title,
      status: invalid.length ? "invalid" : "ok",
      ...(invalid.length ? { reason: invalid.join("; ") } : {}),
      params: p,
      rows,
      goals,
      notes: [
        `${p.rooms} rooms; stalled readers are the last ${p.stalled / p.rooms} clients of each room: app clients that say hello, then pause their TCP socket and keep sending heartbeats (they send no chat). Readers send one ${p.messageBytes}-byte chat message every ${MESSAGE_PERIOD_MS / 1000} s, their phases spread evenly over the first minute (over the whole run when it is shorter).`,
        `Every delivery to every reader is checked (loss, duplicates, per-sender order and the room's seq order); an ack later than ${ACK_TIMEOUT_MS / 1000} s, or missing at the end, is a timeout.`,
        `Memory: RSS of the workerd process every ${p.sampleEverySec} s; the slope is a least-squares fit over the second half of the run, judged only when that half spans at least ${MIN_HALF_MINUTES} minutes and its standard error allows it.`,
        ...(p.floor
          ? [
              `Floor: the storing null room (tests/bench/parties/null-store.ts) ran at the same time, on its own server (same CPU) and ${p.floorWorkers} load workers, with the same clients, rooms and messages: each message is posted to partyroom's own chat log (the same keys and bytes), then broadcast. All its clients read; the ${p.stalled} that stall on partyroom read here and do not send. A floor that stored fewer messages than it was sent makes the scenario invalid. Its RSS slope is what workerd's storage adds under that traffic; it is shown beside partyroom's slope, and is not a goal.`,
            ]
          : []),
      ],
      data: { variants },
    };
  },
};

const slopeOf = (s: Variant["slope"]) => `${round(s.slope, 3)} ± ${round(s.se, 3)} MiB/min over ${round(s.halfMinutes, 1)} min`;

function goalsOf(ctx: BenchContext, v: Variant, floor: Variant | undefined): GoalCheck[] {
  const l = v.label;
  const s = v.slope;
  const slopeGoal = `${l}: workerd RSS slope in the second half <= ${SLOPE_LIMIT_MIB_PER_MIN} MiB/min`;
  const slopeText = `${slopeOf(s)}${floor ? `; floor (storing null room, same minutes): ${slopeOf(floor.slope)}` : ""}`;
  const slopeCheck: GoalCheck =
    s.halfMinutes < MIN_HALF_MINUTES ? { goal: slopeGoal, measured: `not measurable: ${slopeText}, a second half of at least ${MIN_HALF_MINUTES} min is needed${ctx.quick ? " (quick run)" : ""}`, pass: null }
    : !(2 * s.se < SLOPE_LIMIT_MIB_PER_MIN) ? { goal: slopeGoal, measured: `not measurable: ${slopeText}, noise too large for the limit`, pass: null }
    : { goal: slopeGoal, measured: slopeText, pass: s.slope <= SLOPE_LIMIT_MIB_PER_MIN };
  return [
    zeroGoal(`${l}: every connection opened`, v.failed, `${v.failed} failed to connect; all connected in ${round(v.connectSec, 1)} s`),
    zeroGoal(`${l}: 0 ack timeouts`, v.acks.timeouts + v.acks.errors, `${v.acks.timeouts} ack timeouts, ${v.acks.errors} chat errors of ${v.sent} messages`),
    zeroGoal(`${l}: 0 disconnects of readers that read`, v.readerCloses, `${v.readerCloses} closed by the server ${JSON.stringify(v.closeCodes)}`),
    zeroGoal(`${l}: 0 lost, duplicated or reordered deliveries`, v.lost + v.duplicates + v.reordered, `${v.lost} lost, ${v.duplicates} duplicated, ${v.reordered} reordered of ${v.expected}`),
    slopeCheck,
  ];
}

async function variant(ctx: BenchContext, p: Params, workers: Workers, stalled: number, peerName: PeerName): Promise<Variant> {
  const room = peerName === "partyroom";
  const run = stalled ? `with ${stalled} stalled readers` : "without stalled readers";
  const label = room ? run : `floor beside "${run}"`;
  const peer = await startPeer(peerName, { serverCpu: ctx.serverCpu });
  try {
    const perRoom = Math.ceil(p.connections / p.rooms);
    const stalledPerRoom = Math.round(stalled / p.rooms);
    // Client g is in room g % rooms, at position floor(g / rooms); the last positions of each room are quiet: they
    // stall on partyroom, and on the floor they read but do not send.
    const quiet = (g: number) => Math.floor(g / p.rooms) >= perRoom - stalledPerRoom;
    const specs: ChatSpec[] = Array.from({ length: p.connections }, (_, g) => ({ url: peer.url(`stab-${g % p.rooms}`), kind: room ? "app" : "raw", room: `stab-${g % p.rooms}`, clientId: `s${g}`, heartbeat: true, stall: room && quiet(g) }));
    const opened = await openAll(workers, specs, { concurrency: 64 });
    await workers.status();
    const t0 = nowMs();
    const cpu0 = peer.usage().cpuSec;
    const memory: Variant["memory"] = [];
    const sample = () => {
      const u = peer.usage();
      memory.push({ minute: round((nowMs() - t0) / 60_000, 3), workerdMiB: round(u.serverRss / 2 ** 20, 1), groupMiB: round(u.rss / 2 ** 20, 1) });
    };
    sample();
    const timer = setInterval(sample, p.sampleEverySec * 1000);
    const readers = specs.map((s, g) => ({ s, g })).filter((x) => !quiet(x.g));
    const count = Math.max(1, Math.floor((p.seconds * 1000) / p.messagePeriodMs));
    const window = Math.min(p.messagePeriodMs, p.seconds * 1000);
    const startAt = nowMs() + 500;
    const senders = readers.map(({ s, g }, k) => ({ worker: workerOf(g, workers.size), spec: { clientId: s.clientId, run: "stab", startAt: startAt + (k * window) / readers.length, count, intervalMs: p.messagePeriodMs, bytes: p.messageBytes } }));
    ctx.log(`stability ${label}: ${opened.opened} connected in ${(opened.wallMs / 1000).toFixed(1)} s; running ${p.seconds} s`);
    let v;
    try {
      // Draining for the ack timeout means any ack still missing at the report is a timeout.
      v = await probe(workers, senders, ACK_TIMEOUT_MS);
    } finally {
      clearInterval(timer);
    }
    sample();
    const serverCpuPct = ((peer.usage().cpuSec - cpu0) / ((nowMs() - t0) / 1000)) * 100;
    const status = await workers.status();
    const stored = room ? null : await storedBy(peer, p.rooms);
    const acks = await workers.all<AckReport>(() => ({ op: "ackReport", timeoutMs: ACK_TIMEOUT_MS }), 60_000);
    const closed = closes(status);
    const end = memory.at(-1)!.minute;
    const fit = slope(memory.filter((m) => m.minute >= end / 2).map((m) => ({ x: m.minute, y: m.workerdMiB })));
    await workers.all(() => ({ op: "closeAll" }), 120_000);
    const result: Variant = {
      label,
      peer: peerName,
      stored,
      stalled,
      connectSec: opened.wallMs / 1000,
      failed: opened.failed,
      sent: v.sent,
      expected: v.expected,
      lost: v.lost,
      duplicates: v.duplicates,
      reordered: v.reordered,
      lastP50: v.lastP50,
      lastP99: v.lastP99,
      acks: { acked: acks.reduce((s, a) => s + a.acked, 0), timeouts: acks.reduce((s, a) => s + a.timeouts, 0), errors: acks.reduce((s, a) => s + a.errors, 0), p99: percentile(acks.flatMap((a) => a.ackMs), 99) },
      readerCloses: closed.unexpected,
      closeCodes: closed.codes,
      stalledClosesSeen: acks.reduce((s, a) => s + a.stalledCloses, 0),
      serverCpuPct,
      memory,
      slope: { ...fit, halfMinutes: end / 2 },
      load: checkLoad(status, ctx.loadCores),
    };
    // Readers closed, or a server that stopped working, are failures: say what the server said.
    if (closed.unexpected > 0 || v.lost > 0) ctx.log(`stability ${label}: server output (tail)\n${peer.output().slice(-3000)}`);
    ctx.log(`stability ${label}: lost ${v.lost}, dup ${v.duplicates}, reord ${v.reordered}, ack timeouts ${result.acks.timeouts}, reader closes ${closed.unexpected}, RSS ${memory[0]!.workerdMiB} -> ${memory.at(-1)!.workerdMiB} MiB, slope ${round(fit.slope, 3)} ± ${round(fit.se, 3)} MiB/min, cpu ${serverCpuPct.toFixed(1)}%`);
    return result;
  } finally {
    await peer.stop();
  }
}

/** The seqs the floor's rooms stored, summed (null-store.ts answers a GET with its seq). */
async function storedBy(peer: Peer, rooms: number): Promise<number> {
  let total = 0;
  for (let r = 0; r < rooms; r++) {
    const res = await withTimeout(fetch(peer.url(`stab-${r}`).replace(/^ws/, "http")), 10_000, `the floor's room stab-${r}`);
    total += ((await res.json()) as { seq: number }).seq;
  }
  return total;
}
