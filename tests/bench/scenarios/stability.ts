/**
 * Scenario 5, soak: 1,000 partyroom connections in 10 rooms for 10 minutes
 * (scaled down in quick mode), a chat message a second to each room,
 * heartbeats running. Goal: zero loss, no disconnects; the server's memory
 * slope is reported.
 */
import { loadHealth, openAll, probe } from "../lib/chat-run";
import { nowMs, percentile, round, slope } from "../lib/stats";
import { Workers } from "../lib/workers";
import type { ChatSpec } from "../load/protocol";
import { startPeer } from "../peers";
import type { BenchContext, GoalCheck, Scenario, ScenarioResult } from "./types";

export const soak: Scenario = {
  id: "soak",
  title: "5. Soak",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const q = ctx.quick;
    const p = { connections: q ? 200 : 1000, rooms: 10, seconds: ctx.overrides["soak.seconds"] ?? (q ? 15 : 600), messagesPerSecPerRoom: 1, sampleEverySec: q ? 2 : 10 };
    const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu });
    const workers = await Workers.start(q ? 2 : 4, ctx.loadCpu);
    const goals: GoalCheck[] = [];
    const memory: { peer: string; minute: number; rssMB: number }[] = [];
    let data: Record<string, unknown> = {};
    try {
      const specs: ChatSpec[] = Array.from({ length: p.connections }, (_, g) => {
        const room = `soak-${g % p.rooms}`;
        return { url: peer.url(room), kind: "app", room, clientId: `s${g}`, heartbeat: true };
      });
      const opened = await openAll(workers, specs);
      await workers.status();
      const t0 = nowMs();
      const cpu0 = peer.usage().cpuSec;
      const sample = () => memory.push({ peer: "partyroom", minute: round((nowMs() - t0) / 60_000, 3), rssMB: round(peer.usage().rss / 2 ** 20, 1) });
      sample();
      const timer = setInterval(sample, p.sampleEverySec * 1000);
      const startAt = nowMs() + 300;
      const v = await probe(
        workers,
        Array.from({ length: p.rooms }, (_, r) => ({ worker: r % workers.size, spec: { clientId: `s${r}`, run: "soak", startAt: startAt + r * 97, count: p.seconds * p.messagesPerSecPerRoom, intervalMs: 1000 / p.messagesPerSecPerRoom, bytes: 100 } })),
        q ? 1000 : 3000,
      );
      clearInterval(timer);
      sample();
      const cpuPct = ((peer.usage().cpuSec - cpu0) / ((nowMs() - t0) / 1000)) * 100;
      const health = loadHealth(await workers.status());
      const warm = memory.filter((m) => m.minute >= (q ? 0 : 1));
      const mbPerMin = slope(warm.map((m) => ({ x: m.minute, y: m.rssMB })));
      goals.push({ goal: "zero loss (and no duplicates or reordering)", measured: `${v.lost} lost, ${v.duplicates} duplicated, ${v.reordered} reordered of ${v.expected} deliveries`, pass: v.lost + v.duplicates + v.reordered === 0 });
      goals.push({ goal: "no disconnects", measured: `${health.unexpectedCloses} unexpected closes, ${opened.failed} failed connects`, pass: health.unexpectedCloses === 0 && opened.failed === 0 });
      goals.push({ goal: "memory slope reported", measured: `${mbPerMin.toFixed(2)} MiB/min (RSS ${memory[0]?.rssMB} -> ${memory[memory.length - 1]?.rssMB} MiB)`, pass: null });
      data = { memory, mbPerMin, serverCpuPct: cpuPct, lastP50: v.lastP50, lastP99: v.lastP99, allP99: v.allP99, p999: percentile(v.latencies, 99.9), loadCpuPct: health.totalCpuPct };
      ctx.log(`soak: lost ${v.lost}, dup ${v.duplicates}, reord ${v.reordered}, closes ${health.unexpectedCloses}, slope ${mbPerMin.toFixed(2)} MiB/min, p99 ${v.allP99.toFixed(1)} ms`);
    } finally {
      await workers.stop();
      await peer.stop();
    }
    return {
      id: "soak",
      title: soak.title,
      status: "ok",
      params: p,
      rows: [
        { metric: "server CPU (% of one core)", values: { partyroom: round(data.serverCpuPct as number, 1) } },
        { metric: "last-recipient p50 / p99 (ms)", values: { partyroom: `${round(data.lastP50 as number, 1)} / ${round(data.lastP99 as number, 1)}` } },
        { metric: "all deliveries p99.9 (ms)", values: { partyroom: round(data.p999 as number, 1) } },
        { metric: "memory slope (MiB/min)", values: { partyroom: round(data.mbPerMin as number, 3) } },
      ],
      goals,
      notes: ["One sender per room; the slope is a least-squares fit of the server group's RSS samples (the first minute skipped in full mode as warm-up). The original plan was 30 minutes; this is the scaled version."],
      data,
    };
  },
};
