/**
 * Re-renders results.md and the charts from a stored results.json, without
 * measuring anything. The capacity table is rebuilt from its raw steps, so a
 * report change applies to old runs too.
 *
 *   node --import tsx tests/bench/render.ts [DIR]                 (default docs/bench)
 *   ... render.ts DIR --merge OTHER_DIR --reason "why"            replace DIR's scenarios with OTHER_DIR's
 *
 * A merge keeps the replaced results under `superseded` in results.json and
 * says so on the page: a re-run never silently hides the first attempt.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/server";
import { writeCharts } from "./report/charts";
import { renderMarkdown } from "./report/markdown";
import { summarize, type Step } from "./scenarios/capacity";
import type { BenchRun, ScenarioResult } from "./scenarios/types";

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const mergeDir = flag("--merge");
const reason = flag("--reason") ?? "re-run";
const dir = argv[0] ?? join(ROOT, "docs", "bench");
const load = (d: string) => JSON.parse(readFileSync(join(d, "results.json"), "utf8")) as BenchRun & { superseded?: unknown[] };
const run = load(dir);

if (mergeDir) {
  const other = load(mergeDir);
  run.superseded ??= [];
  for (const fresh of other.results) {
    const i = run.results.findIndex((r) => r.id === fresh.id);
    const note = `Re-run separately (${other.command}, started ${other.startedAt}, loadavg ${other.machine.loadavgStart.join(" / ")} -> ${other.machine.loadavgEnd?.join(" / ")}, code ${other.machine.code}): ${reason}`;
    const merged: ScenarioResult = { ...fresh, notes: [note, ...fresh.notes] };
    if (i >= 0) {
      run.superseded.push({ ...run.results[i], rows: undefined, data: undefined });
      run.results[i] = merged;
    } else run.results.push(merged);
  }
}

run.results = run.results.map((r) => {
  if (r.id !== "capacity" || r.status !== "ok") return r;
  const p = r.params as { ladder: number[]; rooms: number; idleWindowSec: number; workers: number };
  const rebuilt = summarize(p.ladder, p.rooms, p.idleWindowSec, p.workers, r.data.ladder as Step[]);
  return { ...rebuilt, notes: [...new Set([...rebuilt.notes, ...r.notes])], durationSec: r.durationSec, data: r.data };
});
writeFileSync(join(dir, "results.json"), JSON.stringify(run, null, 1) + "\n");
const charts = await writeCharts(run, dir);
writeFileSync(join(dir, "results.md"), renderMarkdown(run, charts));
console.log(`rendered ${join(dir, "results.md")} and ${charts.length} charts`);
