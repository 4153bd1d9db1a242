/**
 * The room's memory as the operating system sees it: the resident set of the
 * workerd process in a `partykit dev` process group (VmRSS in
 * /proc/<pid>/status). Abuse tests compare it with a quiet baseline taken in
 * the same test, on a server of their own, so other rooms never blur it.
 */
import { readdirSync, readFileSync } from "node:fs";

export const MiB = 1024 * 1024;

/** RSS in bytes of the workerd process(es) in process group `pgid` (0 if none is running). */
export function workerdRss(pgid: number): number {
  let rss = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may contain spaces: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || readFileSync(`/proc/${name}/comm`, "utf8").trim() !== "workerd") continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${name}/status`, "utf8"))?.[1];
      rss += Number(kb ?? 0) * 1024;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return rss;
}

/** Samples a server's workerd RSS every `everyMs` from start until `stop()`; the peak is what a room's 128 MB must hold. */
export class MemoryWatch {
  readonly baseline: number;
  peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pgid: number,
    everyMs = 250,
  ) {
    this.baseline = workerdRss(pgid);
    if (this.baseline === 0) throw new Error(`no workerd process in process group ${pgid}`);
    this.peak = this.baseline;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  /** Reads once more and stops; returns the growth of the peak over the baseline, in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak - this.baseline;
  }

  /** Growth so far (peak over baseline), in bytes. */
  get growth(): number {
    return this.peak - this.baseline;
  }

  private sample(): void {
    this.peak = Math.max(this.peak, workerdRss(this.pgid));
  }
}

/** Bytes as MiB with one decimal, for messages. */
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
