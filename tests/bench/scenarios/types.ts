/** What every scenario receives and returns. */

export type BenchContext = {
  quick: boolean;
  /** CPU list for the servers (taskset -c), or null when pinning is unavailable. */
  serverCpu: string | null;
  /** CPU list for the load workers. */
  loadCpu: string | null;
  log(message: string): void;
  /** `--set key=value` overrides of scenario parameters (e.g. yjs.typers=5), recorded in the results. */
  overrides: Record<string, number>;
};

/** One goal from issue 7, checked against a measured value (pass null = not measurable). */
export type GoalCheck = { goal: string; measured: string; pass: boolean | null };

/** A row of the results table: a metric per peer. */
export type Row = { metric: string; values: Record<string, number | string | null> };

export type ScenarioResult = {
  id: string;
  title: string;
  status: "ok" | "failed" | "not-implemented";
  params: Record<string, unknown>;
  rows: Row[];
  goals: GoalCheck[];
  notes: string[];
  /** Data for charts (latency CDFs, ladders), and anything else worth keeping. */
  data: Record<string, unknown>;
  durationSec?: number;
};

export type Scenario = { id: string; title: string; run(ctx: BenchContext): Promise<ScenarioResult> };

/** A whole run, as written to results.json. */
export type BenchRun = {
  mode: string;
  startedAt: string;
  durationSec: number;
  command: string;
  machine: import("../lib/machine").Machine;
  results: ScenarioResult[];
};
