/**
 * Presence timing (partyroom only; the peers have no presence): join and
 * leave visibility to observers vs one round trip, ghost removal (a client
 * that goes silent without closing) vs the heartbeat TTL, whether a burst of
 * joins is batched, and that nobody else is dropped meanwhile. The TTL is
 * shortened with `--var` so the run stays short; results are reported
 * against that TTL.
 */
import { clientIdFromKey } from "../../../party/protocol";
import { closes, openAll } from "../lib/chat-run";
import { roundPlan, showSpread, spreadOf } from "../lib/rounds";
import { nowMs, percentile, round } from "../lib/stats";
import { checkLoad, limitGoal, type LoadCheck, zeroGoal } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { ChatSpec, GhostRecord, JoinLeaveRecord, PresenceReport } from "../load/protocol";
import { startPeer } from "../peers";
import type { BenchContext, GoalCheck, Scenario, ScenarioResult } from "./types";

const HEARTBEAT_MS = 2000;
const TTL_MS = 6000;
/** Presence budget from the issue: one round trip + 25 ms. */
const SLACK_MS = 25;
/** A join or leave not seen by an observer this long after the phase counts as missed. */
const SETTLE_MS = 1000;

function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    observers: 20,
    rttSamples: q ? 20 : 100,
    rounds: roundPlan(ctx, "presence.rounds", 3, 2),
    joinLeavesPerRound: ctx.setting("presence.joinLeaves", q ? 15 : 100),
    joinsPerSec: 10,
    ghosts: ctx.setting("presence.ghosts", q ? 6 : 30),
    burstJoins: ctx.setting("presence.burstJoins", q ? 100 : 1000),
    burstSec: q ? 2 : 10,
    heartbeatMs: HEARTBEAT_MS,
    ttlMs: TTL_MS,
    workers: q ? 2 : 4,
  };
}

export const presence: Scenario = {
  id: "presence",
  title: "Presence timing",
  deadlineMs: (ctx) => (ctx.quick ? 4 : 15) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu, vars: { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_TTL_MS: String(TTL_MS) } });
    const workers = await Workers.start(p.workers, ctx.loadCpu);
    const goals: GoalCheck[] = [];
    const data: Record<string, unknown> = {};
    const invalid: string[] = [];
    const saturated = (phase: string, load: LoadCheck) => {
      const why = load.saturated ? `${phase}: ${load.saturated}` : null;
      if (why) invalid.push(why);
      return why;
    };
    try {
      const room = `presence-${Date.now().toString(36)}`;
      const observers: ChatSpec[] = Array.from({ length: p.observers }, (_, j) => ({ url: peer.url(room), kind: "app", room, clientId: `obs${j}`, heartbeat: true, observe: true }));
      const openedObservers = await openAll(workers, observers);
      const rtt = await workers.call<number[]>(0, { op: "rtt", clientId: "obs0", count: p.rttSamples }, 120_000);
      // An unanswered heartbeat is NaN: without a round trip there is no budget, and every goal built on it fails.
      const rttP50 = rtt.every(Number.isFinite) ? percentile(rtt, 50) : NaN;
      const budget = rttP50 + SLACK_MS;

      // Joins and leaves, open loop, in rounds (the first is a warm-up).
      const joinP99: number[] = [];
      const leaveP99: number[] = [];
      const allJl: JoinLeaveRecord[] = [];
      let jlSaturated: string | null = null;
      await workers.status();
      for (let r = p.rounds.warmup ? 0 : 1; r <= p.rounds.kept; r++) {
        const startAt = nowMs() + 300;
        const perWorker = Math.ceil(p.joinLeavesPerRound / workers.size);
        const jl = (await workers.all<JoinLeaveRecord[]>((i) => ({ op: "joinLeave", url: peer.url(room), prefix: `jl${r}w${i}x`, startAt: startAt + (i * 1000) / p.joinsPerSec, count: perWorker, intervalMs: (1000 * workers.size) / p.joinsPerSec, holdMs: 300 }), 300_000)).flat();
        await sleep(SETTLE_MS);
        jlSaturated ??= saturated(`join/leave round ${r}`, checkLoad(await workers.status(), ctx.loadCores));
        if (r === 0) continue;
        allJl.push(...jl);
        const seen = (await observed(workers)).filter((o) => o.room === room);
        const ok = jl.filter((x) => !x.failed);
        // Missed events are NaN here and counted by the "sees every join and leave" goal.
        joinP99.push(percentile(ok.map((x) => lastSeen(seen, "join", x.clientId) - x.helloAt).filter(Number.isFinite), 99));
        leaveP99.push(percentile(ok.map((x) => lastSeen(seen, "leave", x.clientId) - x.closeAt).filter(Number.isFinite), 99));
        ctx.log(`presence round ${r}: join p99 ${round(joinP99.at(-1)!, 1)} ms, leave p99 ${round(leaveP99.at(-1)!, 1)} ms, ${jl.length - ok.length} failed joins`);
      }
      const join = spreadOf(joinP99);
      const leave = spreadOf(leaveP99);
      goals.push(limitGoal("join visible to every observer: p99 <= one round trip + 25 ms", join.median, budget, `p99 ${showSpread(join, " ms")}; budget ${round(budget, 1)} ms (heartbeat round trip p50 ${round(rttP50, 2)} ms)`, jlSaturated));
      goals.push(limitGoal("leave visible to every observer: p99 <= one round trip + 25 ms", leave.median, budget, `p99 ${showSpread(leave, " ms")}`, jlSaturated));

      // Ghosts: silent but open sockets, which only the TTL sweep can remove.
      const ghosts = (await workers.all<GhostRecord[]>((i) => ({ op: "ghosts", url: peer.url(room), prefix: `gh${i}x`, count: Math.ceil(p.ghosts / workers.size), liveMs: 2 * HEARTBEAT_MS + 500, heartbeatMs: HEARTBEAT_MS, waitMs: TTL_MS * 4 }), 120_000)).flat();
      await sleep(SETTLE_MS);
      const ghostSaturated = saturated("ghosts", checkLoad(await workers.status(), ctx.loadCores));
      const seenGhosts = (await observed(workers)).filter((o) => o.room === room);
      const live = ghosts.filter((g) => !g.failed);
      const gone = live.map((g) => lastSeen(seenGhosts, "leave", g.clientId) - g.lastFrameAt);
      const early = gone.filter((x) => x < TTL_MS).length;
      const late = gone.filter((x) => !(x <= TTL_MS + budget)).length;
      const finite = gone.filter(Number.isFinite);
      const ghostGoal = `every ghost announced as gone between the TTL (${TTL_MS} ms here) and the TTL + one round trip + 25 ms after its last frame`;
      const ghostMeasured = `${live.length} ghosts: gone after ${round(percentile(finite, 50), 1)} ms p50 (${round(Math.min(...finite), 1)}-${round(Math.max(...finite), 1)}) of their last frame; ${early} before the TTL, ${late} later than TTL + ${round(budget, 1)} ms or never; sockets closed with ${[...new Set(live.map((g) => g.code))].join(", ")}`;
      goals.push(ghostSaturated ? { goal: ghostGoal, measured: `invalid: ${ghostSaturated}`, pass: null } : zeroGoal(ghostGoal, early + late, ghostMeasured));

      // A burst of joins into a fresh room: is presence traffic batched, and does everyone stay?
      const burstRoom = `burst-${Date.now().toString(36)}`;
      const watchers: ChatSpec[] = Array.from({ length: 4 }, (_, j) => ({ url: peer.url(burstRoom), kind: "app", room: burstRoom, clientId: `w${j}`, heartbeat: true, observe: true }));
      const openedWatchers = await openAll(workers, watchers);
      const joiners: ChatSpec[] = Array.from({ length: p.burstJoins }, (_, j) => ({ url: peer.url(burstRoom), kind: "app", room: burstRoom, clientId: `b${j}`, heartbeat: true }));
      await workers.status();
      const burst = await openAll(workers, joiners, { ratePerSec: p.burstJoins / p.burstSec, concurrency: 200 });
      // Two heartbeats' time with everyone in: joiners that the room cannot keep up with are swept by now.
      await sleep(2 * HEARTBEAT_MS);
      const status = await workers.status();
      const burstSaturated = saturated("burst", checkLoad(status, ctx.loadCores));
      const joinerIds = new Set(joiners.map((j) => clientIdFromKey(j.clientId)));
      const watcherReports = (await observed(workers)).filter((o) => o.room === burstRoom).map((o) => ({ joins: Object.keys(o.join).filter((id) => joinerIds.has(id)).length, frames: o.frames }));
      const fewestJoins = Math.min(...watcherReports.map((w) => w.joins));
      const mostFrames = Math.max(...watcherReports.map((w) => w.frames));
      // Every join counts, listed or not: past the room's list (LIMITS.presenceListed) a join is a new count, which is a frame too.
      goals.push(limitGoal(`${p.burstJoins} joins in ${p.burstSec} s: presence batched (at most one frame per two joins)`, mostFrames, burst.opened / 2, `${mostFrames} presence frames per watcher for ${burst.opened} joins (${fewestJoins} of them listed to the watcher with the fewest); joins took ${round(burst.wallMs / 1000, 1)} s`, burstSaturated));

      const seen = (await observed(workers)).filter((o) => o.room === room);
      const okJl = allJl.filter((x) => !x.failed);
      const missed = {
        joins: missedCount(seen, "join", okJl.map((x) => x.clientId)),
        leaves: missedCount(seen, "leave", okJl.map((x) => x.clientId)),
        ghostLeaves: missedCount(seenGhosts, "leave", live.map((g) => g.clientId)),
      };
      goals.push(zeroGoal("every observer sees every join and leave", missed.joins + missed.leaves + missed.ghostLeaves, `missed ${missed.joins} joins, ${missed.leaves} leaves, ${missed.ghostLeaves} ghost leaves over ${p.observers} observers`));
      // Observers, watchers and burst joiners are ChatPool clients (their closes are counted); join/leave clients and ghosts report failures.
      const closed = closes(status);
      const refused = openedObservers.failed + openedWatchers.failed + burst.failed + allJl.filter((x) => x.failed).length + ghosts.filter((g) => g.failed).length;
      goals.push(zeroGoal("no socket refused or closed by the server (ghosts aside, which must be closed)", closed.unexpected + refused, `${closed.unexpected} closed by the server ${JSON.stringify(closed.codes)}, ${refused} never welcomed (${burst.errors[0] ?? "no error"})`));
      ctx.log(`presence: missed ${JSON.stringify(missed)}, closed ${closed.unexpected}, refused ${refused}`);
      data.rtt = { p50: rttP50, p99: percentile(rtt, 99) };
      data.joinP99 = joinP99;
      data.leaveP99 = leaveP99;
      data.ghostGoneMs = gone;
      data.burst = { watchers: watcherReports, failed: burst.failed, openSec: burst.wallMs / 1000 };
    } finally {
      await workers.stop();
      await peer.stop();
    }
    return {
      id: "presence",
      title: presence.title,
      status: invalid.length ? "invalid" : "ok",
      ...(invalid.length ? { reason: invalid.join("; ") } : {}),
      params: p,
      rows: [],
      goals,
      notes: [
        `Server started with --var HEARTBEAT_INTERVAL_MS=${HEARTBEAT_MS} --var PRESENCE_TTL_MS=${TTL_MS}; the default TTL is 30 s.`,
        "Join latency: from the joiner's hello to the slowest observer seeing the join; leave: from the client's close() to the slowest observer seeing the leave; p99 per round, median and range over the kept rounds. 'One round trip' is the heartbeat->pong p50 on the same server.",
        "Ghost: joins, beats twice, then sends nothing while keeping its TCP connection open; timed from its last frame. Gone before the TTL would drop a live client; much after it leaves a ghost on everyone's screen.",
      ],
      data,
    };
  },
};

type Seen = PresenceReport["observers"];

async function observed(w: Workers): Promise<Seen> {
  return (await w.all<PresenceReport>(() => ({ op: "presenceReport" }), 60_000)).flatMap((r) => r.observers);
}

/** When the slowest observer that saw `id` join/leave saw it (NaN if none did; misses are counted apart). */
/** Presence names a client by the id derived from the clientId it sent (its secret: PROTOCOL.md §3a). */
function lastSeen(seen: Seen, kind: "join" | "leave", sent: string): number {
  const id = clientIdFromKey(sent);
  let max = NaN;
  for (const o of seen) {
    const t = o[kind][id];
    if (t !== undefined) max = Number.isNaN(max) ? t : Math.max(max, t);
  }
  return max;
}

/** Observer/client pairs where the observer never saw the event. */
function missedCount(seen: Seen, kind: "join" | "leave", sent: string[]): number {
  const ids = sent.map(clientIdFromKey);
  return seen.reduce((n, o) => n + ids.filter((id) => o[kind][id] === undefined).length, 0);
}

/** Time that must pass for events to arrive (a deadline, not a wait for a known event). */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
