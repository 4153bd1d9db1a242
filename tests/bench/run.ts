/**
 * The benchmark harness of issue 7: partyroom against its peers, measured in
 * one run on one machine.
 *
 *   npm run bench                  full run (~30 min), writes docs/bench/
 *   npm run bench -- --quick       smoke run (~2 min), writes bench-results/quick/
 *   npm run bench -- --only fanout one scenario (fanout, capacity, presence, yjs, soak, transports)
 *   --out DIR                      where to write results.json, results.md and the charts
 *   --set yjs.typers=5             override a scenario parameter (recorded in the results)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/server";
import { chooseCpus, describeMachine } from "./lib/machine";
import { writeCharts } from "./report/charts";
import { renderMarkdown } from "./report/markdown";
import { capacity } from "./scenarios/capacity";
import { fanout } from "./scenarios/fanout";
import { presence } from "./scenarios/presence";
import { soak } from "./scenarios/soak";
import { transports } from "./scenarios/transports";
import type { BenchContext, Scenario, ScenarioResult } from "./scenarios/types";
import { yjsEditing } from "./scenarios/yjs";

const SCENARIOS: Scenario[] = [fanout, capacity, presence, yjsEditing, soak, transports];

function parseArgs(argv: string[]): { quick: boolean; only: string[]; out: string | null; overrides: Record<string, number> } {
  const opts = { quick: false, only: [] as string[], out: null as string | null, overrides: {} as Record<string, number> };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") opts.quick = true;
    else if (a === "--only") opts.only.push(...(argv[++i] ?? "").split(",").filter(Boolean));
    else if (a === "--out") opts.out = argv[++i] ?? null;
    else if (a === "--set") {
      const [key, value] = (argv[++i] ?? "").split("=");
      if (!key || !Number.isFinite(Number(value))) throw new Error("--set wants key=number");
      opts.overrides[key] = Number(value);
    }
    else throw new Error(`unknown argument ${a}; see tests/bench/run.ts`);
  }
  const unknown = opts.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; one of ${SCENARIOS.map((s) => s.id).join(", ")}`);
  return opts;
}

// Ctrl-C or a kill ends the run through process.exit, so every "exit" hook stops the peers it started.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const args = parseArgs(process.argv.slice(2));
const { serverCpu, loadCpu } = chooseCpus();
const machine = describeMachine(serverCpu, loadCpu);
const started = Date.now();
const ctx: BenchContext = {
  quick: args.quick,
  serverCpu,
  loadCpu,
  overrides: args.overrides,
  log: (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`),
};
const outDir = args.out ?? (args.quick || args.only.length ? join(ROOT, "bench-results", args.quick ? "quick" : args.only.join("-")) : join(ROOT, "docs", "bench"));
ctx.log(`partyroom bench (${args.quick ? "quick" : "full"}), ${machine.cpus} CPUs, loadavg ${machine.loadavgStart.join(" ")}, ${machine.pinning}`);

const results: ScenarioResult[] = [];
for (const scenario of SCENARIOS.filter((s) => !args.only.length || args.only.includes(s.id))) {
  const t0 = Date.now();
  ctx.log(`== ${scenario.title}`);
  let result: ScenarioResult;
  try {
    result = await scenario.run(ctx);
  } catch (err) {
    ctx.log(`${scenario.id} failed: ${(err as Error).stack ?? err}`);
    result = { id: scenario.id, title: scenario.title, status: "failed", params: {}, rows: [], goals: [], notes: [`failed: ${String((err as Error).message ?? err).slice(0, 500)}`], data: {} };
  }
  result.durationSec = Math.round((Date.now() - t0) / 1000);
  (result.data as Record<string, unknown>).loadavgAfter = loadavg().map((x) => Math.round(x * 100) / 100);
  results.push(result);
  ctx.log(`${scenario.id}: ${result.status} in ${result.durationSec} s`);
}

machine.loadavgEnd = loadavg().map((x) => Math.round(x * 100) / 100);
const run = { mode: `${args.quick ? "quick" : "full"}${Object.keys(args.overrides).length ? ` with overrides ${JSON.stringify(args.overrides)}` : ""}`, startedAt: new Date(started).toISOString(), durationSec: Math.round((Date.now() - started) / 1000), command: `npm run bench${args.quick ? " -- --quick" : ""}${args.only.length ? ` ${args.quick ? "" : "-- "}--only ${args.only.join(",")}` : ""}${Object.entries(args.overrides).map(([k, v]) => ` --set ${k}=${v}`).join("")}`, machine, results };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "results.json"), JSON.stringify(run, null, 1) + "\n");
const charts = await writeCharts(run, outDir);
writeFileSync(join(outDir, "results.md"), renderMarkdown(run, charts));
ctx.log(`wrote ${join(outDir, "results.json")}, results.md and ${charts.length} charts in ${run.durationSec} s`);
process.exit(results.some((r) => r.status === "failed") ? 1 : 0);
