/**
 * Re-renders results.md and the charts from a stored results.json, without
 * measuring anything, and (for docs/bench) the README's benchmark section.
 * It changes the presentation only: goals and figures are read as stored,
 * and there is no way to combine several runs into one.
 *
 *   npm run bench:render [-- DIR]        (default docs/bench)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT } from "../helpers/server";
import { writeCharts } from "./report/charts";
import { renderMarkdown } from "./report/markdown";
import { updateReadme } from "./report/readme";
import type { BenchRun } from "./scenarios/types";

const docs = join(ROOT, "docs", "bench");
const dir = resolve(process.argv[2] ?? docs);
if (dir === docs && !existsSync(join(dir, "results.json"))) {
  updateReadme();
  console.log("no committed results: the README's benchmark section says so");
  process.exit(0);
}
const run = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as BenchRun;
const charts = await writeCharts(run, dir);
writeFileSync(join(dir, "results.md"), renderMarkdown(run, charts));
if (dir === docs) updateReadme();
console.log(`rendered ${join(dir, "results.md")} and ${charts.length} charts${dir === docs ? ", and the README's benchmark section" : ""}`);
