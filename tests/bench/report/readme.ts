/**
 * The README's benchmark figures, generated from the committed results file
 * (docs/bench/results.json) and written between the markers below. Nothing
 * between the markers is typed by hand; tests/unit/bench-readme.test.ts fails
 * when the README and the committed results disagree.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../helpers/server";
import type { BenchRun } from "../scenarios/types";
import { met, provenance } from "./format";

export const BEGIN = "<!-- bench:begin: generated from docs/bench/results.json by tests/bench/report/readme.ts; do not edit -->";
export const END = "<!-- bench:end -->";
export const RESULTS_PATH = join(ROOT, "docs", "bench", "results.json");
const README_PATH = join(ROOT, "README.md");

/** Charts worth showing in the README, when the run drew them. */
const README_CHARTS = ["fanout-cdf-1000.svg", "yjs-fanout-cdf.svg", "hibernation-memory.svg", "stability-memory.svg"];

/** The section for `run`, or for no committed run. `charts` = chart files present next to the results. */
export function renderSection(run: BenchRun | null, charts: readonly string[]): string {
  if (!run) return ["No full benchmark run is committed yet. Run `npm run bench` on a quiet machine and commit `docs/bench/`; the figures then appear here."].join("\n");
  if (run.mode !== "full" || run.partial) {
    return `The committed results file is a ${run.mode}${run.partial ? ", partial" : ""} run (\`${run.command}\`): it checks the harness, not the room, and no figures are quoted from it. Run \`npm run bench\` on a quiet machine to fill this section.`;
  }
  const out = [
    `From one full run, [docs/bench/results.md](docs/bench/results.md) (all tables, per-round data in results.json). ${provenance(run)}`,
    "",
    "Each figure is the median over the kept rounds, with its range; a ratio is partyroom / peer, taken per round. A scenario whose load generator saturated is *invalid*: it is measured, but its ratios are not judged.",
    "",
    "| scenario | goal | measured in this run | met |",
    "| --- | --- | --- | --- |",
  ];
  for (const r of run.results) {
    if (r.status === "failed") out.push(`| ${r.title} | – | failed: ${r.reason ?? "see results.md"} | **no** |`);
    for (const g of r.goals) out.push(`| ${r.title} | ${g.goal} | ${g.measured} | ${met(g)} |`);
  }
  out.push("");
  const quoted = run.results.flatMap((r) => (r.quoted ?? []).map((q) => `- ${r.title}, ${q.source}: ${q.figures}`));
  if (quoted.length) out.push("Quoted for reference, **not measured in this run** (other machine, other method):", "", ...quoted, "");
  for (const c of README_CHARTS.filter((f) => charts.includes(f))) out.push(`![${c.replace(/\.svg$/, "")}](docs/bench/${c})`);
  return out.join("\n").trimEnd();
}

/** `readme` with the text between the markers replaced by `section`. */
export function withSection(readme: string, section: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${BEGIN} and ${END}`);
  return `${readme.slice(0, a + BEGIN.length)}\n${section}\n${readme.slice(b)}`;
}

/** The committed run, or null when none is committed. */
export function committedRun(): BenchRun | null {
  return existsSync(RESULTS_PATH) ? (JSON.parse(readFileSync(RESULTS_PATH, "utf8")) as BenchRun) : null;
}

/** The README as it must read for the committed results. */
export function expectedReadme(): string {
  const charts = README_CHARTS.filter((f) => existsSync(join(ROOT, "docs", "bench", f)));
  return withSection(readFileSync(README_PATH, "utf8"), renderSection(committedRun(), charts));
}

/** Rewrites the README's benchmark section from the committed results. */
export function updateReadme(): void {
  writeFileSync(README_PATH, expectedReadme());
}
