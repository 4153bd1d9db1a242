/**
 * What the load generator has not read yet. A generator that falls behind
 * does not always stall its event loop: many short message callbacks keep
 * the loop's delay low while the deliveries wait their turn, so the
 * timestamps drift late and the server is blamed for it (a full Yjs run
 * showed every server at a p99 of 400-670 ms that way). Those deliveries
 * wait in the kernel's receive queues of the client sockets, which Linux
 * shows in /proc/net/tcp (`rx_queue`). A generator that keeps pace reads
 * each delivery as it lands, so most samples find next to nothing; one that
 * is behind leaves a standing queue, and the median sample shows it.
 *
 * Benchmarks run on loopback only, so every client socket of a trial is a
 * row whose remote port is the server's.
 */
import { readFileSync } from "node:fs";
import { percentile } from "./stats";

export type BacklogStats = { samples: number; p50Bytes: number; maxBytes: number };

/** Bytes received but not yet read, summed over the sockets whose remote port is `port`, in /proc/net/tcp text. */
export function unreadIn(procNetTcp: string, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let bytes = 0;
  for (const line of procNetTcp.split("\n")) {
    // "  12: 0100007F:A1E5 0100007F:07E8 01 00000000:0000F1A0 ..." : local, remote, state, tx:rx
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[2]?.endsWith(`:${hexPort}`)) continue;
    const rx = f[4]!.split(":")[1];
    if (rx) bytes += parseInt(rx, 16);
  }
  return bytes;
}

/** The unread bytes of every client socket connected to `port` on this machine, now. */
export function unreadBytes(port: number): number {
  let total = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      total += unreadIn(readFileSync(file, "utf8"), port);
    } catch {
      // No IPv6 table (or no procfs): that table holds no sockets of ours.
    }
  }
  return total;
}

/**
 * Samples `unreadBytes(port)` until stopped. The period is not a divisor of
 * any send schedule's (20, 50, 100 ms), so samples do not all land just
 * after (or just before) a burst. It is long because a read of
 * /proc/net/tcp walks the kernel's whole connection table, about 12 ms of
 * CPU here whatever the number of sockets: every 97 ms it took 12% of the
 * load core, enough to slow the generator it was checking.
 */
export function watchBacklog(port: number, everyMs = 487): { taken(): number; stop(): BacklogStats } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(unreadBytes(port)), everyMs);
  return {
    taken: () => samples.length,
    stop() {
      clearInterval(timer);
      return { samples: samples.length, p50Bytes: samples.length ? percentile(samples, 50) : 0, maxBytes: Math.max(0, ...samples) };
    },
  };
}

/** The port a peer's clients connect to, from one of its URLs. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
