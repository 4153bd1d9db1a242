/** Renders a run as its results page (results.md next to results.json). */
import type { BenchRun, ScenarioResult } from "../scenarios/types";
import { cell, met, provenance, statusLine } from "./format";

function scenario(r: ScenarioResult): string {
  const out = [`## ${r.title}`, "", statusLine(r), "", `Parameters: \`${JSON.stringify(r.params)}\``, ""];
  if (r.goals.length) {
    out.push("| Goal | Measured | Met |", "|---|---|---|");
    for (const g of r.goals) out.push(`| ${g.goal} | ${g.measured} | ${met(g)} |`);
    out.push("");
  }
  if (r.rows.length) {
    const peers = [...new Set(r.rows.flatMap((row) => Object.keys(row.values)))];
    out.push(`| Metric | ${peers.join(" | ")} |`, `|---|${peers.map(() => "---:").join("|")}|`);
    for (const row of r.rows) out.push(`| ${row.metric} | ${peers.map((p) => cell(row.values[p])).join(" | ")} |`);
    out.push("");
  }
  for (const n of r.notes) out.push(`- ${n}`);
  if (r.notes.length) out.push("");
  if (r.quoted?.length) {
    out.push("Quoted for reference, **not measured in this run** (other machine, other method):", "");
    for (const q of r.quoted) out.push(`- ${q.source}: ${q.figures}`);
    out.push("");
  }
  return out.join("\n");
}

export function renderMarkdown(run: BenchRun, charts: { file: string; title: string }[]): string {
  const head = [
    `# partyroom benchmark results (${run.mode} run${run.partial ? ", partial" : ""})`,
    "",
    provenance(run),
    "",
    "Method: servers pinned to one core, load workers to the other; peers interleaved in rounds (the first round is a warm-up and discarded);",
    "a figure `a (b-c)` is the median a over the kept rounds, with their range b-c; ratios are partyroom / peer per round. Open-loop schedules, latency from the",
    "scheduled send time; every delivery checked for loss, duplication and order. A scenario whose load generator saturated is marked invalid",
    "and its ratios are not judged. Raw numbers, per round: `results.json`.",
    "",
  ];
  const chartLines = charts.length ? ["## Charts", "", ...charts.map((c) => `![${c.title}](${c.file})`), ""] : [];
  return [...head, ...run.results.map(scenario), ...chartLines].join("\n");
}
