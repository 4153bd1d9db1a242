/**
 * Building blocks shared by the JSON scenarios (fan-out, hibernation, stability):
 * spread clients over the workers, run open-loop probes, and fold the
 * workers' reports into one verdict on latency, loss, duplication and order.
 */
import type { ChatSpec, OpenResult, ProbeReport, SenderSpec, WorkerStatus } from "../load/protocol";
import { nowMs, percentile } from "./stats";
import type { Workers } from "./workers";

/** Round-robin share of `specs` for worker `i`. */
export function shareOf<T>(items: readonly T[], i: number, n: number): T[] {
  return items.filter((_, j) => j % n === i);
}

export type OpenSummary = { opened: number; failed: number; errors: string[]; wallMs: number; connectP99Ms: number };

/** Opens `specs` across the workers; `ratePerSec` spreads the attempts open-loop (0 = as fast as allowed). */
export async function openAll(w: Workers, specs: ChatSpec[], opts: { ratePerSec?: number; concurrency?: number; timeoutMs?: number } = {}): Promise<OpenSummary> {
  const t0 = nowMs();
  const startAt = t0 + 100;
  const perWorkerInterval = opts.ratePerSec ? (1000 * w.size) / opts.ratePerSec : 0;
  const results = await w.all<OpenResult>(
    (i) => ({ op: "open", specs: shareOf(specs, i, w.size), startAt, intervalMs: perWorkerInterval, concurrency: opts.concurrency ?? 64, timeoutMs: opts.timeoutMs ?? 30_000 }),
    600_000,
  );
  return {
    opened: results.reduce((s, r) => s + r.opened, 0),
    failed: results.reduce((s, r) => s + r.failed, 0),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    wallMs: nowMs() - startAt,
    connectP99Ms: percentile(results.flatMap((r) => r.connectMs), 99),
  };
}

/** Which worker holds the client with global index `j` (round-robin, see shareOf). */
export function workerOf(j: number, n: number): number {
  return j % n;
}

export type ProbeVerdict = {
  sent: number;
  /** Probes scheduled but never sent, because their sender's socket was closed: lost as surely as undelivered ones. */
  unsent: number;
  expected: number;
  deliveries: number;
  lost: number;
  duplicates: number;
  reordered: number;
  /** Latency of the slowest recipient of each message. */
  lastP50: number;
  lastP99: number;
  allP50: number;
  allP99: number;
  latencies: number[];
};

/**
 * Sends probes from `senders` (grouped by the worker holding each sender),
 * waits `drainMs` after the last scheduled send, and checks every delivery.
 * A probe not delivered by then counts as lost.
 */
export async function probe(w: Workers, senders: { worker: number; spec: SenderSpec }[], drainMs: number): Promise<ProbeVerdict> {
  const run = senders[0]!.spec.run;
  const sentPerRoom: Record<string, number> = {};
  const lastSendAt = Math.max(...senders.map((s) => s.spec.startAt + (s.spec.count - 1) * s.spec.intervalMs));
  const sends = await Promise.all(
    Array.from({ length: w.size }, (_, i) => {
      const mine = senders.filter((s) => s.worker === i).map((s) => s.spec);
      return mine.length ? w.call<Record<string, number>>(i, { op: "send", senders: mine }, lastSendAt - nowMs() + 60_000) : Promise.resolve({} as Record<string, number>);
    }),
  );
  for (const part of sends) for (const [room, n] of Object.entries(part)) sentPerRoom[room] = (sentPerRoom[room] ?? 0) + n;
  // The loss deadline: a probe not delivered drainMs after the last send is lost, by definition.
  await new Promise((r) => setTimeout(r, Math.max(0, lastSendAt + drainMs - nowMs())));
  const reports = await w.all<ProbeReport>(() => ({ op: "probeReport", run }), 60_000);
  const v = verdict(reports, sentPerRoom);
  return { ...v, unsent: senders.reduce((n, s) => n + s.spec.count, 0) - v.sent };
}

function verdict(reports: ProbeReport[], sentPerRoom: Record<string, number>): Omit<ProbeVerdict, "unsent"> {
  const rooms: Record<string, { unique: number; clients: number }> = {};
  const slowest = new Map<string, number>();
  const latencies: number[] = [];
  let deliveries = 0;
  let duplicates = 0;
  let reordered = 0;
  for (const r of reports) {
    deliveries += r.deliveries;
    duplicates += r.duplicates;
    reordered += r.reordered;
    for (const l of r.latencies) latencies.push(l);
    for (const [k, v] of Object.entries(r.slowest)) slowest.set(k, Math.max(v, slowest.get(k) ?? -Infinity));
    for (const [room, v] of Object.entries(r.perRoom)) {
      const acc = (rooms[room] ??= { unique: 0, clients: 0 });
      acc.unique += v.unique;
      acc.clients += v.clients;
    }
  }
  let expected = 0;
  let unique = 0;
  for (const [room, v] of Object.entries(rooms)) {
    expected += (sentPerRoom[room] ?? 0) * v.clients;
    unique += v.unique;
  }
  const last = [...slowest.values()];
  return {
    sent: Object.values(sentPerRoom).reduce((a, b) => a + b, 0),
    expected,
    deliveries,
    lost: expected - unique,
    duplicates,
    reordered,
    lastP50: percentile(last, 50),
    lastP99: percentile(last, 99),
    allP50: percentile(latencies, 50),
    allP99: percentile(latencies, 99),
    latencies,
  };
}

/** Sockets the server closed, summed over the workers, by close code. */
export function closes(status: readonly WorkerStatus[]): { unexpected: number; codes: Record<string, number> } {
  const codes: Record<string, number> = {};
  for (const s of status) for (const [code, n] of Object.entries(s.closeCodes)) codes[code] = (codes[code] ?? 0) + n;
  return { unexpected: status.reduce((n, s) => n + s.unexpectedCloses, 0), codes };
}
