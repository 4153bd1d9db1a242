/** Formatting shared by the results page and the README section. */
import type { Machine } from "../lib/machine";
import type { BenchRun, Cell, GoalCheck, ScenarioResult } from "../scenarios/types";

/** A number at a precision its size deserves: 1234, 123.4, 12.34, 1.234. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  return String(Number(x.toFixed(a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3)));
}

/** A table cell: a spread shows its median and range. */
export function cell(v: Cell | undefined): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return num(v);
  if (typeof v === "string") return v;
  return v.n > 1 ? `${num(v.median)} (${num(v.min)}-${num(v.max)})` : num(v.median);
}

/** "yes", "**no**", or why it cannot be judged. */
export function met(g: GoalCheck): string {
  if (g.report) return "reported";
  if (g.pass === true) return "yes";
  if (g.pass === false) return "**no**";
  return g.measured.startsWith("invalid") ? "invalid" : "not measurable";
}

/** The status line of a scenario: how long, how busy the machine was, and why it is not ok. */
export function statusLine(r: ScenarioResult): string {
  const load = r.loadavgBefore && r.loadavgAfter ? `, loadavg ${r.loadavgBefore.join(" / ")} before, ${r.loadavgAfter.join(" / ")} after` : "";
  return `Status: **${r.status}**${r.reason ? ` (${r.reason})` : ""}${r.durationSec !== undefined ? `, ${r.durationSec} s` : ""}${load}.`;
}

/** The code measured: a commit, and any uncommitted changes that were measured with it. */
export function codeLine(m: Machine): string {
  return `commit ${m.commit.slice(0, 10)}${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""}`;
}

/** Where, when and how a run was measured, in one paragraph. */
export function provenance(run: BenchRun): string {
  const m = run.machine;
  return [
    `Command: \`${run.command}\` (${run.mode}${run.partial ? ", partial" : ""}), ${codeLine(m)}, started ${run.startedAt}, took ${Math.round(run.durationSec / 60)} min.`,
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}, partykit ${m.partykit} (\`partykit dev\`, workerd); ${m.pinning}; open files ${m.openFileLimit}.`,
    `Load average ${m.loadavgStart.join(" / ")} at the start, ${m.loadavgEnd?.join(" / ") ?? "?"} at the end; per scenario below.`,
  ].join(" ");
}
