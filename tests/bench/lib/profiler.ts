/**
 * CPU profiles of the room itself: workerd, started by `partykit dev`, opens
 * a V8 inspector (`--inspector-addr`); this connects to it over the Chrome
 * DevTools Protocol, samples the room's isolate while a load runs, and
 * summarises where the time went (self time per function). Evidence for a
 * performance claim, instead of a guess.
 */
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { withTimeout } from "../../helpers/wait";
import { groupPids } from "./proc";

type CpuProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type CpuProfile = { nodes: CpuProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };

/** One line of a summary: a function and the share of samples spent in it (self time). */
export type ProfileLine = { fn: string; where: string; selfPct: number; selfMs: number };

/** The inspector address of the workerd in `pgid`'s process group, if it has one. */
export function inspectorOf(pgid: number): string | null {
  for (const pid of groupPids(pgid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const arg = cmd.find((a) => a.startsWith("--inspector-addr="));
      if (arg) return arg.slice("--inspector-addr=".length);
    } catch {
      // Gone while listing.
    }
  }
  return null;
}

/** A running profile of the room's worker; `stop()` returns the summary. */
export async function startProfile(inspector: string, samplingUs = 200): Promise<{ stop(): Promise<{ lines: ProfileLine[]; totalMs: number }> }> {
  const targets = (await (await fetch(`http://${inspector}/json/list`)).json()) as { id?: string; webSocketDebuggerUrl?: string }[];
  // miniflare runs helper workers too (caches, the entry); the room is the user worker.
  const user = targets.filter((t) => t.webSocketDebuggerUrl && t.id?.startsWith("core:user"));
  if (user.length === 0) throw new Error(`no user worker among the inspector's targets: ${targets.map((t) => t.id).join(", ")}`);
  const sessions = await Promise.all(user.map((t) => cdp(t.webSocketDebuggerUrl!)));
  for (const s of sessions) {
    await s.call("Profiler.enable");
    await s.call("Profiler.setSamplingInterval", { interval: samplingUs });
    await s.call("Profiler.start");
  }
  return {
    async stop() {
      const profiles = await Promise.all(sessions.map(async (s) => ((await s.call("Profiler.stop")) as { profile: CpuProfile }).profile));
      for (const s of sessions) s.close();
      return summarise(profiles);
    },
  };
}

/** Self time per function, summed over profiles, largest first. */
export function summarise(profiles: CpuProfile[], top = 30): { lines: ProfileLine[]; totalMs: number } {
  const self = new Map<string, { fn: string; where: string; ms: number }>();
  let totalMs = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const node = byId.get(samples[i]!);
      const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const fn = functionName || "(anonymous)";
      const where = url ? `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}` : "";
      const key = `${fn}@${where}`;
      const entry = self.get(key) ?? { fn, where, ms: 0 };
      entry.ms += ms;
      self.set(key, entry);
      totalMs += ms;
    }
  }
  const lines = [...self.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.ms), selfPct: totalMs ? (e.ms / totalMs) * 100 : 0 }));
  return { lines, totalMs };
}

type Session = { call(method: string, params?: Record<string, unknown>): Promise<unknown>; close(): void };

async function cdp(url: string): Promise<Session> {
  const ws = new WebSocket(url);
  await withTimeout(new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject)), 10_000, "the inspector to accept");
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  });
  return {
    call: (method, params = {}) =>
      withTimeout(
        new Promise((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject });
          ws.send(JSON.stringify({ id, method, params }));
        }),
        60_000,
        `inspector ${method}`,
      ),
    close: () => ws.close(),
  };
}

/**
 * Runs `work` under Node's own sampling profiler (this process: the room core
 * run in Node, as the `bench:profile` scripts do) and returns what it cost.
 */
export async function profileInNode(work: () => Promise<void>, samplingUs = 100): Promise<{ profile: CpuProfile; wallMs: number; cpuMs: number }> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: samplingUs });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await session.post("Profiler.start");
  await work();
  const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  session.disconnect();
  return { profile, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
