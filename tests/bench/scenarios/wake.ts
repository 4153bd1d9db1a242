/**
 * What waking costs (issue 10): a hibernating room with N idle sockets is
 * left alone until `partykit dev` evicts it; then one client's heartbeat
 * wakes it, and its pong is timed. The wake rebuilds the room from its
 * connections' saved state (and reads the chat seq); the document is not
 * loaded for a heartbeat. Compared with the same client's pong while the room
 * is warm. Eviction is verified, not assumed: the room's instance id (an
 * admin's view of its state) must differ after the wake.
 */
import { roomInstanceId } from "./yjs-load";
import { closes, openAll } from "../lib/chat-run";
import { roundPlan, showSpread, spreadOfKey, total, type Trial } from "../lib/rounds";
import { percentile } from "../lib/stats";
import { Workers } from "../lib/workers";
import { zeroGoal } from "../lib/verdict";
import type { ChatSpec } from "../load/protocol";
import { startPeer } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

/** Longer than partykit dev's idle eviction (~10 s): time that has to pass with no event at all. */
const IDLE_MS = 15_000;
/**
 * The presence TTL of the trial's server: longer than connecting the largest
 * room plus the idle time, so no sweep wakes the room while it should sleep.
 * With the default 30 s, the first of 5,000 silent sockets (about 20 s to
 * connect) expired inside the idle window, the sweep kept the room awake and
 * closed hundreds of them 4408.
 */
const TTL_MS = 180_000;

function params(ctx: BenchContext) {
  return {
    sizes: ctx.quick ? [1, 200] : [1, 1000, 5000],
    rounds: roundPlan(ctx, "wake.rounds", 3, 1, false),
    warmSamples: 10,
    idleMs: IDLE_MS,
    workers: ctx.quick ? 1 : 2,
  };
}

export const wake: Scenario = {
  id: "wake",
  title: "Waking a hibernated room",
  deadlineMs: (ctx) => (ctx.quick ? 3 : 20) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const workers = await Workers.start(p.workers, ctx.loadCpu);
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const data: Record<string, Trial[]> = {};
    let notEvicted = 0;
    try {
      for (const size of p.sizes) {
        const trials: Trial[] = [];
        // No warm-up round: every trial starts its own server.
        for (let r = 1; r <= p.rounds.kept; r++) {
          const t = await trial(ctx, p, workers, size, r);
          trials.push(t);
          if (!t.evicted) notEvicted++;
        }
        data[`${size} sockets`] = trials;
        const evicted = trials.filter((t) => t.evicted);
        const unanswered = total(trials, "noPong");
        const lost = total(trials, "failed") + total(trials, "closed");
        const broken = unanswered || lost ? `; ${unanswered} heartbeats unanswered, ${total(trials, "failed")} failed to connect, ${total(trials, "closed")} closed by the server` : "";
        const cell = (evicted.length ? `${showSpread(spreadOfKey(evicted, "warmP50"), " ms", 2)} warm, ${showSpread(spreadOfKey(evicted, "wakeMs"), " ms", 1)} for the first after eviction` : "never evicted") + broken;
        const label = `${size} idle socket${size === 1 ? "" : "s"}`;
        rows.push({ metric: `${label}: heartbeat round trip, warm p50 / first after eviction`, values: { partyroom: cell } });
        goals.push({ goal: `what waking costs, ${label}`, measured: cell, pass: null, report: true });
        goals.push(zeroGoal(`${label}: every socket connected and held, every heartbeat answered`, unanswered + lost, broken.slice(2) || "all answered"));
      }
    } finally {
      await workers.stop();
    }
    return {
      id: "wake",
      title: wake.title,
      status: notEvicted ? "invalid" : "ok",
      ...(notEvicted ? { reason: `${notEvicted} trial(s) found the room not evicted after ${p.idleMs / 1000} s idle` } : {}),
      params: p,
      rows,
      goals,
      notes: [
        `Each trial: a fresh partykit dev (presence TTL ${TTL_MS / 1000} s, so no sweep wakes the room), N app sockets in one room (hello, no heartbeats), ${p.warmSamples} heartbeat round trips while warm, then ${p.idleMs / 1000} s without any event, then one heartbeat: its round trip is the wake (the room is rebuilt from N connection states). Eviction is checked by the room's instance id.`,
      ],
      data,
    };
  },
};

type Params = ReturnType<typeof params>;

async function trial(ctx: BenchContext, p: Params, workers: Workers, size: number, r: number): Promise<Trial> {
  const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu, vars: { PRESENCE_TTL_MS: String(TTL_MS) } });
  try {
    const room = `wake${size}r${r}`;
    const specs: ChatSpec[] = Array.from({ length: size }, (_, g) => ({ url: peer.url(room), kind: "app", room, clientId: `c${g}`, heartbeat: false }));
    const opened = await openAll(workers, specs, { concurrency: 64, timeoutMs: 120_000 });
    const warm = await workers.call<number[]>(0, { op: "rtt", clientId: "c0", count: p.warmSamples }, 60_000);
    const before = await roomInstanceId(peer, room);
    // Time that has to pass: nothing may reach the room until partykit dev evicts it.
    await new Promise((res) => setTimeout(res, p.idleMs));
    const [wakeMs] = await workers.call<number[]>(0, { op: "rtt", clientId: "c0", count: 1 }, 60_000);
    const after = await roomInstanceId(peer, room);
    const status = await workers.status();
    const gone = closes(status);
    const answered = warm.filter(Number.isFinite);
    const t: Trial = {
      warmP50: answered.length ? percentile(answered, 50) : NaN,
      wakeMs: wakeMs!,
      // No pong: the probing client was closed or the room never answered; counted, never averaged away.
      noPong: warm.length - answered.length + (Number.isFinite(wakeMs) ? 0 : 1),
      closed: gone.unexpected,
      evicted: before !== null && after !== null && before !== after ? 1 : 0,
      failed: opened.failed,
    };
    ctx.log(`wake, ${size} sockets, round ${r}: warm pong p50 ${t.warmP50!.toFixed(2)} ms, first pong after ${p.idleMs / 1000} s idle ${t.wakeMs!.toFixed(1)} ms, ${t.evicted ? "evicted" : "NOT evicted"}${opened.failed ? `, ${opened.failed} failed to connect` : ""}${t.noPong ? `, ${t.noPong} heartbeats unanswered` : ""}${gone.unexpected ? `, ${gone.unexpected} closed by the server ${JSON.stringify(gone.codes)}` : ""}`);
    return t;
  } finally {
    await workers.all(() => ({ op: "closeAll" }), 120_000);
    await peer.stop();
  }
}


