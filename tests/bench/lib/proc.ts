/**
 * Process-level measurement from /proc: resident memory and CPU time summed
 * over a process group (partykit dev = node + workerd), and CPU pinning with
 * util-linux `taskset`. Linux only, like the benchmark itself.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = 100;

/** Every pid whose process group is `pgid`. */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgid === pgid) pids.push(Number(name));
  }
  return pids;
}

type Stat = { pgid: number; cpuTicks: number };

function readStat(pid: number): Stat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces: fields start after the last ')'.
    const f = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    return { pgid: Number(f[2]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** Resident set size of one process in bytes (0 if it is gone). */
function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** What a server costs: its process group's summed RSS and CPU time. */
export type Usage = {
  rss: number;
  cpuSec: number;
  /** RSS of the group's processes named `serverName` (workerd under partykit dev), bytes; NaN without a name. */
  serverRss: number;
};

/** Summed RSS (bytes) and CPU time (seconds) of a process group, and the RSS of its `serverName` processes. */
export function groupUsage(pgid: number, serverName?: string): Usage {
  let rss = 0;
  let ticks = 0;
  let serverRss = serverName ? 0 : NaN;
  for (const pid of groupPids(pgid)) {
    const r = rssBytes(pid);
    rss += r;
    ticks += readStat(pid)?.cpuTicks ?? 0;
    if (serverName && comm(pid) === serverName) serverRss += r;
  }
  return { rss, cpuSec: ticks / CLK_TCK, serverRss };
}

/** Pins every thread of every process in the group to `cpus` (e.g. "0"). */
export function pinGroup(pgid: number, cpus: string): void {
  for (const pid of groupPids(pgid)) pinProcess(pid, cpus);
}

/** Pins every thread of one process to `cpus`. */
export function pinProcess(pid: number, cpus: string): void {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
  } catch {
    // The process may have exited between listing and pinning.
  }
}

/** Whether `taskset` exists and the machine has at least two CPUs. */
export function canPin(cpuCount: number): boolean {
  if (cpuCount < 2) return false;
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
