/** What the results were measured on, and how noisy the machine was. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import { canPin } from "./proc";

export type Machine = {
  cpuModel: string;
  cpus: number;
  memGiB: number;
  kernel: string;
  node: string;
  partykit: string;
  openFileLimit: string;
  pinning: string;
  /** The commit measured, and whether party/ had uncommitted changes when the run started. */
  code: string;
  loadavgStart: number[];
  loadavgEnd?: number[];
};

export function describeMachine(serverCpu: string | null, loadCpu: string | null): Machine {
  let ulimit = "?";
  try {
    ulimit = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
  } catch {
    // Unknown.
  }
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    partykit: "0.0.115",
    openFileLimit: ulimit,
    pinning: serverCpu !== null ? `taskset: servers on CPU ${serverCpu}, load workers on CPU ${loadCpu}` : "none (taskset missing or fewer than 2 CPUs)",
    code: codeVersion(),
    loadavgStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function codeVersion(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "party", "partykit.json"], { encoding: "utf8" }).trim();
    return dirty ? `${head} + uncommitted changes in party/` : head;
  } catch {
    return "unknown";
  }
}

/** Chooses the server and load CPUs: "0" and "1..n-1" when pinning is possible. */
export function chooseCpus(): { serverCpu: string | null; loadCpu: string | null } {
  const n = cpus().length;
  if (!canPin(n)) return { serverCpu: null, loadCpu: null };
  return { serverCpu: "0", loadCpu: n === 2 ? "1" : `1-${n - 1}` };
}
