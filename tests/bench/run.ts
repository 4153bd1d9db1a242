/**
 * The benchmark harness: partyroom against its peers, measured in one run on
 * one machine (issues 7, 10, 12, 18).
 *
 *   npm run bench                   full run; writes docs/bench/ and the README's benchmark section
 *   npm run bench -- --quick        smoke run; writes bench-results/quick/
 *   npm run bench -- --only fanout  some scenarios (comma-separated); writes bench-results/<ids>/
 *   --set yjs.receivers=50          override a scenario parameter (recorded; the run is then partial)
 *   --out DIR                       write somewhere else
 *
 * Only a full run of every scenario with no overrides may write docs/bench:
 * the committed results are one run, never stitched from several.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT } from "../helpers/server";
import { withTimeout } from "../helpers/wait";
import { chooseCpus, describeMachine, loadNow } from "./lib/machine";
import { pinProcess } from "./lib/proc";
import { writeCharts } from "./report/charts";
import { renderMarkdown } from "./report/markdown";
import { updateReadme } from "./report/readme";
import { SCENARIOS } from "./scenarios";
import type { BenchContext, BenchRun, ScenarioResult } from "./scenarios/types";

const DOCS_DIR = join(ROOT, "docs", "bench");

type Args = { quick: boolean; only: string[]; out: string | null; overrides: Record<string, number> };

function parseArgs(argv: string[]): Args {
  const opts: Args = { quick: false, only: [], out: null, overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") opts.quick = true;
    else if (a === "--only") opts.only.push(...(argv[++i] ?? "").split(",").filter(Boolean));
    else if (a === "--out") opts.out = argv[++i] ?? null;
    else if (a === "--set") {
      const [key, value] = (argv[++i] ?? "").split("=");
      if (!key || !Number.isFinite(Number(value))) throw new Error("--set wants key=number");
      opts.overrides[key] = Number(value);
    } else throw new Error(`unknown argument ${a}; see tests/bench/run.ts`);
  }
  const unknown = opts.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; one of ${SCENARIOS.map((s) => s.id).join(", ")}`);
  return opts;
}

// Ctrl-C or a kill ends the run through process.exit, so every "exit" hook stops the peers it started.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const argv = process.argv.slice(2);
const args = parseArgs(argv);
const partial = args.only.length > 0 || Object.keys(args.overrides).length > 0;
const outDir = resolve(args.out ?? (args.quick || partial ? join(ROOT, "bench-results", [args.quick ? "quick" : "full", ...args.only].join("-")) : DOCS_DIR));
if (outDir === DOCS_DIR && (args.quick || partial)) throw new Error("docs/bench holds one full run of every scenario with no overrides; write quick or partial runs elsewhere");

const { serverCpu, loadCpu, loadCores } = chooseCpus();
// The orchestrator drives some clients itself (transports): it belongs on the load side, never beside the servers.
if (loadCpu !== null) pinProcess(process.pid, loadCpu);
const machine = describeMachine(serverCpu, loadCpu);
const started = Date.now();
const usedOverrides = new Set<string>();
const ctx: BenchContext = {
  quick: args.quick,
  serverCpu,
  loadCpu,
  loadCores,
  log: (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`),
  setting: (key, value) => {
    usedOverrides.add(key);
    return args.overrides[key] ?? value;
  },
};
const command = process.env.npm_lifecycle_event === "bench" ? `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}` : `node --import tsx tests/bench/run.ts ${argv.join(" ")}`.trim();
ctx.log(`${command}: ${machine.cpus} CPUs, loadavg ${machine.loadavgStart.join(" ")}, ${machine.pinning}, commit ${machine.commit.slice(0, 10)}${machine.uncommitted.length ? ` + uncommitted ${machine.uncommitted.join(", ")}` : ""}`);

const results: ScenarioResult[] = [];
let timedOut = false;
for (const scenario of SCENARIOS.filter((s) => !args.only.length || args.only.includes(s.id))) {
  if (timedOut) {
    results.push({ id: scenario.id, title: scenario.title, status: "failed", reason: "not run: an earlier scenario timed out and may have left load running", params: {}, rows: [], goals: [], notes: [], data: {} });
    continue;
  }
  const t0 = Date.now();
  const loadavgBefore = loadNow();
  ctx.log(`== ${scenario.title}`);
  let result: ScenarioResult;
  try {
    result = await withTimeout(scenario.run(ctx), scenario.deadlineMs(ctx), `scenario ${scenario.id}`);
  } catch (err) {
    ctx.log(`${scenario.id} failed: ${(err as Error).stack ?? err}`);
    timedOut = /timed out after .* waiting for scenario/.test(String((err as Error).message));
    result = { id: scenario.id, title: scenario.title, status: "failed", reason: String((err as Error).message ?? err).slice(0, 500), params: {}, rows: [], goals: [], notes: [], data: {} };
  }
  result.durationSec = Math.round((Date.now() - t0) / 1000);
  result.loadavgBefore = loadavgBefore;
  result.loadavgAfter = loadNow();
  results.push(result);
  ctx.log(`${scenario.id}: ${result.status}${result.reason ? ` (${result.reason})` : ""} in ${result.durationSec} s`);
}

const unused = Object.keys(args.overrides).filter((k) => !usedOverrides.has(k));
if (unused.length) ctx.log(`warning: --set ${unused.join(", ")} matched no parameter of the scenarios run`);
machine.loadavgEnd = loadNow();
const run: BenchRun = { mode: args.quick ? "quick" : "full", partial, startedAt: new Date(started).toISOString(), durationSec: Math.round((Date.now() - started) / 1000), command, machine, results };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "results.json"), JSON.stringify(run, null, 1) + "\n");
const charts = await writeCharts(run, outDir);
writeFileSync(join(outDir, "results.md"), renderMarkdown(run, charts));
if (outDir === DOCS_DIR) updateReadme();
ctx.log(`wrote ${join(outDir, "results.json")}, results.md and ${charts.length} charts${outDir === DOCS_DIR ? ", and the README's benchmark section" : ""} in ${run.durationSec} s`);
process.exit(results.some((r) => r.status === "failed") ? 1 : 0);
