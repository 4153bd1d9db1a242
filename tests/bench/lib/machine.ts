/** What the results were measured on, which code, and how busy the machine was. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../helpers/server";
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
  /** The full commit measured. */
  commit: string;
  /** Paths whose uncommitted changes were measured too (empty = the commit alone). */
  uncommitted: string[];
  loadavgStart: number[];
  loadavgEnd?: number[];
};

/** What a run measures: a change under one of these is part of the measurement. */
const MEASURED_PATHS = ["party", "tests/bench", "partykit.json", "package-lock.json"];

export function describeMachine(serverCpu: string | null, loadCpu: string | null): Machine {
  const { commit, uncommitted } = codeVersion();
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    partykit: (JSON.parse(readFileSync(join(ROOT, "node_modules/partykit/package.json"), "utf8")) as { version: string }).version,
    openFileLimit: sh("sh", ["-c", "ulimit -n"]) ?? "unknown",
    pinning: serverCpu !== null ? `taskset: servers on CPU ${serverCpu}, load workers on CPU ${loadCpu}` : "none (taskset missing or fewer than 2 CPUs)",
    commit,
    uncommitted,
    loadavgStart: loadNow(),
  };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadNow(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

function sh(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trimEnd();
  } catch {
    return null;
  }
}

function codeVersion(): { commit: string; uncommitted: string[] } {
  const commit = sh("git", ["rev-parse", "HEAD"]) ?? "unknown";
  const status = sh("git", ["status", "--porcelain", "--", ...MEASURED_PATHS]) ?? "";
  return { commit, uncommitted: status.split("\n").filter(Boolean).map((line) => line.slice(3)) };
}

/** Chooses the server and load CPUs: "0" and "1..n-1" when pinning is possible. */
export function chooseCpus(): { serverCpu: string | null; loadCpu: string | null; loadCores: number } {
  const n = cpus().length;
  if (!canPin(n)) return { serverCpu: null, loadCpu: null, loadCores: n };
  return { serverCpu: "0", loadCpu: n === 2 ? "1" : `1-${n - 1}`, loadCores: n - 1 };
}
