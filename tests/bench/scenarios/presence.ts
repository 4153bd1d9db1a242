/**
 * Scenario 3, presence timing (partyroom only; the peers have no presence):
 * join/leave visibility to observers vs one round trip, ghost removal (a
 * client that goes silent without closing) vs the heartbeat TTL, and whether
 * a burst of joins is batched. The TTL is shortened with `--var` so the run
 * stays short; results are reported against that TTL.
 */
import { loadHealth, openAll } from "../lib/chat-run";
import { nowMs, percentile, round } from "../lib/stats";
import { Workers } from "../lib/workers";
import type { ChatSpec, GhostRecord, JoinLeaveRecord, PresenceReport } from "../load/protocol";
import { startPeer } from "../peers";
import type { BenchContext, GoalCheck, Scenario, ScenarioResult } from "./types";

const HEARTBEAT_MS = 2000;
const TTL_MS = 6000;

export const presence: Scenario = {
  id: "presence",
  title: "3. Presence timing",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const q = ctx.quick;
    const p = { observers: 20, rttSamples: q ? 20 : 100, joinLeaves: q ? 40 : 300, joinsPerSec: 10, ghosts: q ? 5 : 30, burstJoins: q ? 200 : 1000, burstSec: q ? 4 : 10, heartbeatMs: HEARTBEAT_MS, ttlMs: TTL_MS };
    const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu, vars: { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_TTL_MS: String(TTL_MS) } });
    const workers = await Workers.start(q ? 2 : 4, ctx.loadCpu);
    const goals: GoalCheck[] = [];
    const data: Record<string, unknown> = {};
    try {
      const room = `presence-${Date.now().toString(36)}`;
      const observers: ChatSpec[] = Array.from({ length: p.observers }, (_, j) => ({ url: peer.url(room), kind: "app", room, clientId: `obs${j}`, heartbeat: true, observe: true }));
      await openAll(workers, observers);
      const rtt = await workers.call<number[]>(0, { op: "rtt", clientId: "obs0", count: p.rttSamples }, 120_000);
      const rttP50 = percentile(rtt, 50);

      // Joins and leaves, open loop, spread over the workers.
      const startAt = nowMs() + 300;
      const perWorker = Math.ceil(p.joinLeaves / workers.size);
      const jl = (
        await workers.all<JoinLeaveRecord[]>(
          (i) => ({ op: "joinLeave", url: peer.url(room), prefix: `jl${i}x`, startAt: startAt + (i * 1000) / p.joinsPerSec, count: perWorker, intervalMs: (1000 * workers.size) / p.joinsPerSec, holdMs: 300 }),
          300_000,
        )
      ).flat();
      await sleep(1000);
      const seen = await observed(workers);
      const joinLat = jl.map((r) => lastSeen(seen, "join", r.clientId) - r.helloAt);
      const leaveLat = jl.map((r) => lastSeen(seen, "leave", r.clientId) - r.closeAt);
      const welcomeRtt = percentile(jl.map((r) => r.welcomeAt - r.helloAt), 50);
      const budget = rttP50 + 25;
      goals.push({ goal: "join visible to others: p99 <= one round trip + 25 ms", measured: `p99 ${fmt(percentile(joinLat, 99))} ms (p50 ${fmt(percentile(joinLat, 50))}); budget ${fmt(budget)} ms (heartbeat RTT p50 ${fmt(rttP50)})`, pass: percentile(joinLat, 99) <= budget });
      goals.push({ goal: "leave visible to others: p99 <= one round trip + 25 ms", measured: `p99 ${fmt(percentile(leaveLat, 99))} ms (p50 ${fmt(percentile(leaveLat, 50))})`, pass: percentile(leaveLat, 99) <= budget });

      // Ghosts: silent but open sockets must be removed by the TTL sweep.
      const ghosts = (await workers.all<GhostRecord[]>((i) => ({ op: "ghosts", url: peer.url(room), prefix: `gh${i}x`, count: Math.ceil(p.ghosts / workers.size), liveMs: 2 * HEARTBEAT_MS + 500, heartbeatMs: HEARTBEAT_MS, waitMs: TTL_MS * 4 }), 120_000)).flat();
      await sleep(500);
      const seen2 = await observed(workers);
      const announced = ghosts.map((g) => lastSeen(seen2, "leave", g.clientId) - g.lastFrameAt);
      const closed = ghosts.map((g) => (g.closedAt === null ? NaN : g.closedAt - g.lastFrameAt));
      const maxGone = Math.max(...announced.map((x) => (Number.isFinite(x) ? x : Infinity)));
      goals.push({ goal: `ghost gone within the TTL (${TTL_MS} ms here) every time`, measured: `announced as left after ${fmt(percentile(announced, 50))} ms p50, ${fmt(maxGone)} ms max of last frame; socket closed after ${fmt(percentile(closed, 50))} ms p50 (codes ${[...new Set(ghosts.map((g) => g.code))].join(",")})`, pass: maxGone <= TTL_MS });

      // A burst of joins into a fresh room: is presence traffic batched?
      const burstRoom = `burst-${Date.now().toString(36)}`;
      await workers.all(() => ({ op: "closeAll" }), 60_000);
      const watchers: ChatSpec[] = Array.from({ length: 4 }, (_, j) => ({ url: peer.url(burstRoom), kind: "app", room: burstRoom, clientId: `w${j}`, heartbeat: true, observe: true }));
      await openAll(workers, watchers);
      const joiners: ChatSpec[] = Array.from({ length: p.burstJoins }, (_, j) => ({ url: peer.url(burstRoom), kind: "app", room: burstRoom, clientId: `b${j}`, heartbeat: true }));
      const t0 = nowMs();
      const opened = await openAll(workers, joiners, { ratePerSec: p.burstJoins / p.burstSec, concurrency: 200 });
      const openSec = (nowMs() - t0) / 1000;
      await sleep(3000);
      const reports = await workers.all<PresenceReport>(() => ({ op: "presenceReport" }), 60_000);
      const watcherJoins = reports.flatMap((r) => r.observers.map((o) => Object.keys(o.join).length));
      const frames = reports.flatMap((r) => r.frames);
      const watcherFrames = Math.max(...reports.flatMap((r) => r.frames.slice(0, r.observers.length)));
      const totalFrames = frames.reduce((a, b) => a + b, 0);
      goals.push({
        goal: `${p.burstJoins} joins in ${p.burstSec} s: presence traffic batched`,
        measured: `${watcherFrames} presence frames per watcher for ${Math.min(...watcherJoins)} joins (${fmt(Math.min(...watcherJoins) / Math.max(1, watcherFrames))} joins/frame); ${totalFrames} frames to all clients; ${opened.failed} failed; joins took ${fmt(openSec)} s`,
        pass: watcherFrames < Math.min(...watcherJoins) / 2,
      });
      data.missed = { joins: missed(seen, "join", jl.map((r) => r.clientId)), leaves: missed(seen, "leave", jl.map((r) => r.clientId)), ghostLeaves: missed(seen2, "leave", ghosts.map((g) => g.clientId)), observers: seen2.length };
      const health = loadHealth(await workers.status());
      const closes = `${health.unexpectedCloses} ${JSON.stringify(health.closeCodes)}`;
      data.loadCpuPct = health.totalCpuPct;
      ctx.log(`presence: missed ${JSON.stringify(data.missed)}, unexpected closes ${closes}, load cpu ${health.totalCpuPct.toFixed(0)}%`);
      goals.push({ goal: "every observer sees every join and leave", measured: `missed: ${JSON.stringify(data.missed)}; sockets closed by the server over the whole scenario, burst joiners included: ${closes}`, pass: Object.values(data.missed as Record<string, number>).slice(0, 3).every((x) => x === 0) });
      data.rtt = { p50: rttP50, p99: percentile(rtt, 99) };
      data.join = { p50: percentile(joinLat, 50), p99: percentile(joinLat, 99), samples: joinLat.length, welcomeRttP50: welcomeRtt };
      data.leave = { p50: percentile(leaveLat, 50), p99: percentile(leaveLat, 99) };
      data.ghosts = { announced, closed };
      data.burst = { watcherFrames, watcherJoins, totalFrames, failed: opened.failed, openSec };
    } finally {
      await workers.stop();
      await peer.stop();
    }
    return {
      id: "presence",
      title: presence.title,
      status: "ok",
      params: p,
      rows: [],
      goals,
      notes: [
        `Server started with --var HEARTBEAT_INTERVAL_MS=${HEARTBEAT_MS} --var PRESENCE_TTL_MS=${TTL_MS}; the default TTL is 30 s and scales the ghost numbers accordingly.`,
        "Join latency: from the joiner's hello to the slowest observer seeing the join; leave: from the client's close() to the slowest observer seeing the leave. 'One round trip' is the heartbeat->pong p50 on the same server.",
        "Ghost: joins, beats twice, then sends nothing while keeping the TCP connection open; measured from its last frame.",
      ],
      data,
    };
  },
};

type Seen = PresenceReport["observers"];

async function observed(w: Workers): Promise<Seen> {
  return (await w.all<PresenceReport>(() => ({ op: "presenceReport" }), 60_000)).flatMap((r) => r.observers);
}

/** When the slowest observer that saw `id` join/leave saw it (NaN if none did; misses are counted by `missed`). */
function lastSeen(seen: Seen, kind: "join" | "leave", id: string): number {
  let max = NaN;
  for (const o of seen) {
    const t = o[kind][id];
    if (t !== undefined) max = Number.isNaN(max) ? t : Math.max(max, t);
  }
  return max;
}

/** Observer/client pairs where the observer never saw the event. */
function missed(seen: Seen, kind: "join" | "leave", ids: string[]): number {
  return seen.reduce((n, o) => n + ids.filter((id) => o[kind][id] === undefined).length, 0);
}

const fmt = (v: number) => String(round(v, 1));
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
