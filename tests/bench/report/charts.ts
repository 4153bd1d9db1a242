/**
 * Charts for the results page, drawn by Vega-Lite and rendered to SVG by Vega
 * in Node (no browser, no canvas): latency CDFs, memory per connection vs
 * connections, and the capacity ladder.
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

const find = (run: BenchRun, id: string): ScenarioResult | undefined => run.results.find((r) => r.id === id && r.status === "ok");

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
    if (pts.length) await save(`fanout-cdf-${size}.svg`, `Fan-out latency CDF, ${size} clients`, lineChart(pts, { x: "ms", y: "fraction", color: "peer", title: `Chat fan-out, ${size} clients: delivery latency CDF (last round)`, xTitle: "ms from scheduled send (log)", yTitle: "fraction of deliveries", xLog: true }));
  }
  const yjs = find(run, "yjs");
  const ypts = cdfPoints(yjs?.data.cdf);
  if (ypts.length) await save("yjs-cdf.svg", "Yjs update-to-remote latency CDF", lineChart(ypts, { x: "ms", y: "fraction", color: "peer", title: "Yjs editing: update-to-remote latency CDF (last round)", xTitle: "ms from scheduled edit (log)", yTitle: "fraction of deliveries", xLog: true }));
  const cap = find(run, "capacity");
  const ladder = (cap?.data.ladder ?? []) as Point[];
  if (ladder.length) {
    await save("memory-per-connection.svg", "Server memory per connection", lineChart(ladder.filter((p) => Number.isFinite(p.kbPerConn as number)), { x: "connections", y: "kbPerConn", color: "peer", title: "Server RSS growth per connection vs connections", xTitle: "connections (log)", yTitle: "KiB per connection", xLog: true }));
    await save("capacity-ladder-latency.svg", "Capacity ladder: probe latency", lineChart(ladder.filter((p) => Number.isFinite(p.probeP99 as number)), { x: "connections", y: "probeP99", color: "peer", title: "Capacity ladder: chat probe p99 (last recipient) at each step", xTitle: "connections (log)", yTitle: "ms", xLog: true }));
    await save("capacity-ladder-connect.svg", "Capacity ladder: time to connect each step", lineChart(ladder, { x: "connections", y: "stepConnectSec", color: "peer", title: "Capacity ladder: seconds to connect each step", xTitle: "connections (log)", yTitle: "seconds", xLog: true }));
  }
  const soak = find(run, "soak");
  const mem = (soak?.data.memory ?? []) as Point[];
  if (mem.length) await save("soak-memory.svg", "Soak: server RSS over time", lineChart(mem, { x: "minute", y: "rssMB", color: "peer", title: "Soak: server RSS over time", xTitle: "minutes", yTitle: "MiB" }));
  return charts;
}
