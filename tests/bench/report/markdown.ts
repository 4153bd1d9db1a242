/** Renders a run as the markdown results page (docs/bench/results.md). */
import type { BenchRun, ScenarioResult } from "../scenarios/types";

const fmt = (v: number | string | null | undefined): string => (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "–" : String(v));

function scenario(r: ScenarioResult): string {
  const out = [`## ${r.title}`, "", `Status: **${r.status}**${r.durationSec !== undefined ? `, ${r.durationSec} s` : ""}${r.data.loadavgAfter ? `, loadavg after ${(r.data.loadavgAfter as number[]).join(" / ")}` : ""}. Parameters: \`${JSON.stringify(r.params)}\``, ""];
  if (r.goals.length) {
    out.push("| Goal | Measured | Met |", "|---|---|---|");
    for (const g of r.goals) out.push(`| ${g.goal} | ${g.measured} | ${g.pass === null ? "n/a" : g.pass ? "yes" : "**no**"} |`);
    out.push("");
  }
  if (r.rows.length) {
    const peers = [...new Set(r.rows.flatMap((row) => Object.keys(row.values)))];
    out.push(`| Metric | ${peers.join(" | ")} |`, `|---|${peers.map(() => "---:").join("|")}|`);
    for (const row of r.rows) out.push(`| ${row.metric} | ${peers.map((p) => fmt(row.values[p])).join(" | ")} |`);
    out.push("");
  }
  for (const n of r.notes) out.push(`- ${n}`);
  out.push("");
  return out.join("\n");
}

export function renderMarkdown(run: BenchRun & { superseded?: unknown[] }, charts: { file: string; title: string }[]): string {
  const m = run.machine;
  const head = [
    `# partyroom benchmark results (${run.mode} run)`,
    "",
    `Command: \`${run.command}\`. Started ${run.startedAt}, took ${Math.round(run.durationSec / 60)} min.`,
    "",
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}, partykit ${m.partykit} (\`partykit dev\`, workerd), open files ${m.openFileLimit}. ${m.pinning}. Code: ${m.code ?? "?"}.`,
    `Noise: loadavg ${m.loadavgStart.join(" / ")} at start, ${m.loadavgEnd?.join(" / ") ?? "?"} at the end (other work shared this machine).`,
    "",
    "Method: peers interleaved in rounds (first round discarded), medians across rounds; open-loop schedules, latency from the scheduled send time;",
    "load clients spread over worker processes; every probe checked for loss, duplication and order. Raw numbers: `results.json`.",
    "",
  ];
  const superseded = (run.superseded ?? []) as ScenarioResult[];
  const supLines = superseded.length
    ? ["## Superseded results (kept for the record)", "", ...superseded.flatMap((r) => [`### ${r.title} (first attempt)`, "", ...r.goals.map((g) => `- ${g.goal}: ${g.measured} (${g.pass === null ? "n/a" : g.pass ? "met" : "not met"})`), ...r.notes.map((n) => `- ${n}`), ""])]
    : [];
  const chartLines = charts.length ? ["## Charts", "", ...charts.map((c) => `![${c.title}](${c.file})`), ""] : [];
  return [...head, ...run.results.map(scenario), ...chartLines, ...supLines].join("\n");
}
