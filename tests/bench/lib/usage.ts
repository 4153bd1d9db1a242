/**
 * A server's memory and CPU over a window, and memory per socket with its
 * noise: RSS moves on its own (GC, allocator), so a per-socket figure smaller
 * than that movement divided by the sockets says nothing.
 */
import type { Usage } from "./proc";

export type UsageWindow = {
  /** CPU over the window, % of one core. */
  cpuPct: number;
  /** RSS samples (bytes), whole process group. */
  rss: number[];
  /** RSS samples (bytes) of the process holding the sockets (workerd under partykit dev). */
  serverRss: number[];
  /** Sample times, ms from the window's start. */
  at: number[];
};

/** Samples `usage` every `everyMs` for `windowMs`. The window is time that must pass: it is what is measured. */
export async function watch(usage: () => Usage, windowMs: number, everyMs: number): Promise<UsageWindow> {
  const t0 = performance.now();
  const first = usage();
  const w: UsageWindow = { cpuPct: 0, rss: [first.rss], serverRss: [first.serverRss], at: [0] };
  let last = first;
  while (performance.now() - t0 < windowMs) {
    await new Promise((r) => setTimeout(r, Math.min(everyMs, windowMs - (performance.now() - t0))));
    last = usage();
    w.rss.push(last.rss);
    w.serverRss.push(last.serverRss);
    w.at.push(performance.now() - t0);
  }
  w.cpuPct = ((last.cpuSec - first.cpuSec) / ((performance.now() - t0) / 1000)) * 100;
  return w;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const range = (v: readonly number[]) => Math.max(...v) - Math.min(...v);

/**
 * KiB per socket between two windows (before the sockets opened, and with
 * `sockets` open), and its noise: how far RSS moved within the two windows,
 * per socket.
 */
export function perSocketKiB(before: readonly number[], during: readonly number[], sockets: number): { kib: number; noiseKib: number } {
  return { kib: (mean(during) - mean(before)) / 1024 / sockets, noiseKib: (range(before) + range(during)) / 1024 / sockets };
}
