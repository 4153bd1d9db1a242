/**
 * Chat fan-out: one room, N clients, one sender posting 100-byte messages at
 * 10/s open loop. Partyroom vs the null room (the PartyKit floor) and plain
 * `ws` (the Node upper bound), interleaved in rounds, with partyroom's storage
 * in memory beside them (`volatile`: what the durable write before each
 * broadcast costs) and the storing null room (`null-store`: the null room
 * with that write, the floor for any room that persists before it
 * broadcasts). Goals (issue 12): at 100 clients last-recipient p50 <= 1.2x
 * and p99 <= 1.5x the null room, and the same at 1,000; nothing lost,
 * duplicated or reordered; nobody disconnected.
 */
import { closes, openAll, probe, workerOf } from "../lib/chat-run";
import { interleave, pairedRatio, roundPlan, spreadOfKey, total, type Trial, trialOf } from "../lib/rounds";
import { cdf, nowMs } from "../lib/stats";
import { portOf, watchBacklog } from "../lib/backlog";
import { checkLoad, loadFields, ratioCell, ratioGoal, saturationOf, zeroGoal } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { ChatSpec } from "../load/protocol";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

const PEERS = ["partyroom", "volatile", "null-room", "null-store", "ws"] as const satisfies readonly PeerName[];
const METRICS = ["lastP50", "lastP99", "allP50", "allP99", "serverCpuPct", "loadCpuPct", "loadLoopP99Ms"];

function params(ctx: BenchContext) {
  const q = ctx.quick;
  return {
    sizes: q ? [ctx.setting("fanout.clients", 100)] : [100, 1000],
    rounds: roundPlan(ctx, "fanout.rounds", 5, 2),
    secondsPerTrial: ctx.setting("fanout.seconds", q ? 2 : 10),
    drainMs: q ? 1000 : 3000,
    messagesPerSecond: 10,
    messageBytes: 100,
    workers: q ? 2 : 4,
  };
}

/** Peers that run the real room (app clients: hello, welcome, heartbeats). */
const isRoom = (name: PeerName) => name === "partyroom" || name === "volatile";

export const fanout: Scenario = {
  id: "fanout",
  title: "Chat fan-out",
  deadlineMs: (ctx) => (ctx.quick ? 4 : 40) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const peers = new Map<string, Peer>();
    const workers = await Workers.start(p.workers, ctx.loadCpu);
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const invalid: string[] = [];
    const data: Record<string, unknown> = {};
    try {
      for (const name of PEERS) peers.set(name, await startPeer(name, { serverCpu: ctx.serverCpu }));
      for (const size of p.sizes) {
        const cdfs: Record<string, unknown> = {};
        const kept = await interleave(PEERS, p.rounds, async (name, r): Promise<Trial> => {
          const peer = peers.get(name)!;
          const room = `fan-${size}-${r}-${Date.now().toString(36)}`;
          const specs: ChatSpec[] = Array.from({ length: size }, (_, j) => ({ url: peer.url(room), kind: isRoom(name) ? "app" : "raw", room, clientId: `f${r}x${j}`, heartbeat: isRoom(name) }));
          const opened = await openAll(workers, specs);
          await workers.status();
          const before = peer.usage();
          const t0 = nowMs();
          const sender = { worker: workerOf(0, workers.size), spec: { clientId: specs[0]!.clientId, run: `r${r}${name.replace(/\W/g, "")}${size}`, startAt: t0 + 300, count: p.secondsPerTrial * p.messagesPerSecond, intervalMs: 1000 / p.messagesPerSecond, bytes: p.messageBytes } };
          const backlog = watchBacklog(portOf(peer.url(room)));
          const v = await probe(workers, [sender], p.drainMs);
          const after = peer.usage();
          const status = await workers.status();
          const load = checkLoad(status, ctx.loadCores, true, backlog.stop());
          await workers.all(() => ({ op: "closeAll" }), 60_000);
          // Which close codes and connect errors, so a failed or closed client says why (the room's limits name themselves).
          const gone = closes(status);
          const why = gone.unexpected || opened.failed ? ` (closed ${JSON.stringify(gone.codes)}; connect errors ${JSON.stringify(opened.errors)})` : "";
          ctx.log(`fanout ${size} ${name} round ${r}: last p50 ${v.lastP50.toFixed(2)} p99 ${v.lastP99.toFixed(2)} ms, lost ${v.lost} unsent ${v.unsent} dup ${v.duplicates} reord ${v.reordered}, failed ${opened.failed}${why}, load ${load.cpuPct.toFixed(0)}% unread p50 ${(load.backlogBytes / 1024).toFixed(0)} KiB${load.saturated ? ` SATURATED: ${load.saturated}` : ""}`);
          if (r === p.rounds.kept) cdfs[name] = cdf(v.latencies);
          return trialOf(
            {
              lastP50: v.lastP50,
              lastP99: v.lastP99,
              allP50: v.allP50,
              allP99: v.allP99,
              lost: v.lost,
              unsent: v.unsent,
              duplicates: v.duplicates,
              reordered: v.reordered,
              expected: v.expected,
              connectFailures: opened.failed,
              closed: gone.unexpected,
              ...Object.fromEntries(Object.entries(gone.codes).map(([code, n]) => [`closed${code}`, n])),
              serverCpuPct: ((after.cpuSec - before.cpuSec) / ((nowMs() - t0) / 1000)) * 100,
            },
            loadFields(load),
          );
        });
        for (const metric of METRICS) rows.push({ metric: `${size} clients: ${metric}${metric.endsWith("Pct") ? " (% of a core)" : " (ms)"}`, values: Object.fromEntries(PEERS.map((x) => [x, spreadOfKey(kept[x], metric)])) });
        const bad = (x: (typeof PEERS)[number]) => `${total(kept[x], "lost")}/${total(kept[x], "duplicates")}/${total(kept[x], "reordered")}`;
        rows.push({ metric: `${size} clients: lost/duplicated/reordered (sum over kept rounds)`, values: Object.fromEntries(PEERS.map((x) => [x, bad(x)])) });
        const sat = saturationOf(PEERS.flatMap((x) => kept[x]), `${size} clients`);
        for (const k of ["lastP50", "lastP99"]) rows.push({ metric: `${size} clients: partyroom / peer, ${k}`, values: Object.fromEntries(PEERS.filter((x) => x !== "partyroom").map((x) => [x, ratioCell(kept.partyroom, kept[x], k, sat)])) });

        if (sat) invalid.push(sat);
        const pr = spreadOfKey(kept.partyroom, "lastP50");
        const nul = spreadOfKey(kept["null-room"], "lastP50");
        const pr99 = spreadOfKey(kept.partyroom, "lastP99");
        const nul99 = spreadOfKey(kept["null-room"], "lastP99");
        // Beside each ratio, the room without its durable write (how much of the gap to the null room that write is), and
        // the null room with it: the floor for a room that persists each message before it broadcasts it.
        const vol = (k: string) =>
          `; partyroom with storage in memory: ${spreadOfKey(kept.volatile, k).median.toFixed(2)} ms, ${pairedRatio(kept.volatile, kept["null-room"], k).median.toFixed(2)}x` +
          `; the storing null room: ${spreadOfKey(kept["null-store"], k).median.toFixed(2)} ms, ${pairedRatio(kept["null-store"], kept["null-room"], k).median.toFixed(2)}x (partyroom / it: ${pairedRatio(kept.partyroom, kept["null-store"], k).median.toFixed(2)}x)`;
        goals.push(ratioGoal(`${size} clients: last-recipient p50 <= 1.2x null room`, pairedRatio(kept.partyroom, kept["null-room"], "lastP50"), 1.2, `${pr.median.toFixed(2)} vs ${nul.median.toFixed(2)} ms${vol("lastP50")}`, sat));
        goals.push(ratioGoal(`${size} clients: last-recipient p99 <= 1.5x null room`, pairedRatio(kept.partyroom, kept["null-room"], "lastP99"), 1.5, `${pr99.median.toFixed(2)} vs ${nul99.median.toFixed(2)} ms${vol("lastP99")}`, sat));
        const wrong = total(kept.partyroom, "lost") + total(kept.partyroom, "unsent") + total(kept.partyroom, "duplicates") + total(kept.partyroom, "reordered");
        goals.push(zeroGoal(`${size} clients: nothing lost, duplicated or reordered (partyroom)`, wrong, `${bad("partyroom")} lost/duplicated/reordered of ${total(kept.partyroom, "expected")} deliveries; ${total(kept.partyroom, "unsent")} messages never sent (their sender was closed)`));
        const gone = total(kept.partyroom, "connectFailures") + total(kept.partyroom, "closed");
        goals.push(zeroGoal(`${size} clients: every client connected and none closed (partyroom)`, gone, `${total(kept.partyroom, "connectFailures")} failed to connect, ${total(kept.partyroom, "closed")} closed by the server`));
        data[`cdf${size}`] = cdfs;
        data[`trials${size}`] = kept;
      }
    } finally {
      await workers.stop();
      for (const x of peers.values()) await x.stop();
    }
    return {
      id: "fanout",
      title: fanout.title,
      status: invalid.length ? "invalid" : "ok",
      ...(invalid.length ? { reason: invalid.join("; ") } : {}),
      params: p,
      rows,
      goals,
      notes: [
        "Latency is from the scheduled send time (open loop) to receipt, over a wall clock shared by all processes; 'last' = slowest recipient of each message.",
        "Every peer broadcasts to all sockets, the sender included; partyroom clients are app clients (hello/welcome, heartbeats); null room and ws clients are raw sockets.",
        "Partyroom persists each chat message before broadcasting it (persist-before-ack): that storage write is on the measured path, the null room has none. volatile = the same room with its storage in memory and hibernation off (tests/bench/parties/volatile.ts): the room's own work without the durable write. null-store = the hibernating null room writing each message to partyroom's own chat log before broadcasting it (tests/bench/parties/null-store.ts): the same write, nothing else, so the floor for a room that persists each message before anyone sees it (the brief's persist-before-ack).",
      ],
      data,
    };
  },
};
