/**
 * Charts for the results page, drawn by Vega-Lite and rendered to SVG by Vega
 * in Node (no browser, no canvas): latency CDFs, memory per socket, and
 * memory over time in the stability test.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import * as vl from "vega-lite";
import type { BenchRun, ScenarioResult } from "../scenarios/types";

type Point = Record<string, string | number>;
type Chart = { file: string; title: string };

async function lineChart(points: Point[], o: { x: string; y: string; color: string; title: string; xTitle: string; yTitle: string; xLog?: boolean; yLog?: boolean }): Promise<string> {
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: o.title,
    width: 560,
    height: 300,
    background: "white",
    data: { values: points },
    mark: { type: "line", point: points.length < 60, interpolate: "linear" },
    encoding: {
      x: { field: o.x, type: "quantitative", title: o.xTitle, scale: o.xLog ? { type: "log" } : { zero: false } },
      y: { field: o.y, type: "quantitative", title: o.yTitle, scale: o.yLog ? { type: "log" } : {} },
      color: { field: o.color, type: "nominal", title: null },
    },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

/** Flattens `{ peer: [{ms, fraction}] }` into chart points. */
function cdfPoints(byPeer: unknown): Point[] {
  const out: Point[] = [];
  for (const [peer, pts] of Object.entries((byPeer ?? {}) as Record<string, { ms: number; fraction: number }[]>)) {
    for (const p of pts) if (p.ms > 0) out.push({ peer, ms: p.ms, fraction: p.fraction });
  }
  return out;
}

const find = (run: BenchRun, id: string): ScenarioResult | undefined => run.results.find((r) => r.id === id && r.status !== "failed");

/** Memory per socket per peer and layout, one point per kept round, from the hibernation trials. */
function memoryPoints(hib: ScenarioResult | undefined): Point[] {
  const out: Point[] = [];
  for (const [layout, byPeer] of Object.entries(hib?.data ?? {})) {
    for (const [peer, trials] of Object.entries(byPeer as Record<string, Record<string, number>[]>)) {
      for (const t of trials) if (Number.isFinite(t.kibPerSocket)) out.push({ peer, layout, kib: t.kibPerSocket! });
    }
  }
  return out;
}

/** Writes every chart the run has data for; returns their file names. */
export async function writeCharts(run: BenchRun, dir: string): Promise<Chart[]> {
  const charts: Chart[] = [];
  const save = async (file: string, title: string, svg: Promise<string>) => {
    writeFileSync(join(dir, file), await svg);
    charts.push({ file, title });
  };
  const fan = find(run, "fanout");
  for (const size of [100, 1000]) {
    const pts = cdfPoints(fan?.data[`cdf${size}`]);
    if (pts.length) await save(`fanout-cdf-${size}.svg`, `Chat fan-out latency CDF, ${size} clients`, lineChart(pts, { x: "ms", y: "fraction", color: "peer", title: `Chat fan-out, ${size} clients: delivery latency CDF (last round)`, xTitle: "ms from scheduled send (log)", yTitle: "fraction of deliveries", xLog: true }));
  }
  const ypts = cdfPoints(find(run, "yjs-fanout")?.data.cdf);
  if (ypts.length) await save("yjs-fanout-cdf.svg", "Yjs fan-out latency CDF", lineChart(ypts, { x: "ms", y: "fraction", color: "peer", title: "Yjs fan-out: per-delivery latency CDF (last round)", xTitle: "ms from scheduled write (log)", yTitle: "fraction of deliveries", xLog: true }));
  const mem = memoryPoints(find(run, "hibernation"));
  if (mem.length) await save("hibernation-memory.svg", "Memory per socket", barChart(mem));
  const variants = (find(run, "stability")?.data.variants ?? []) as { label: string; memory: { minute: number; workerdMiB: number }[] }[];
  const rss = variants.flatMap((v) => v.memory.map((m) => ({ variant: v.label, minute: m.minute, MiB: m.workerdMiB })));
  if (rss.length) await save("stability-memory.svg", "Stability: workerd RSS over time", lineChart(rss, { x: "minute", y: "MiB", color: "variant", title: "Stability: workerd RSS over time", xTitle: "minutes", yTitle: "MiB" }));
  return charts;
}

/** Memory per socket: a point per kept round, peers side by side per layout. */
async function barChart(points: Point[]): Promise<string> {
  const spec: vl.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Server RSS per socket (KiB), each kept round",
    width: 160,
    height: 260,
    background: "white",
    data: { values: points },
    mark: { type: "point", filled: true, size: 60 },
    encoding: {
      column: { field: "layout", type: "nominal", title: null },
      x: { field: "peer", type: "nominal", title: null },
      y: { field: "kib", type: "quantitative", title: "KiB per socket" },
      color: { field: "peer", type: "nominal", legend: null },
    },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}
