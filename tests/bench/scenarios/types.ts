/** What every scenario receives and returns, and the shape of results.json. */
import type { Machine } from "../lib/machine";

export type BenchContext = {
  quick: boolean;
  /** CPU list for the servers (taskset -c), or null when pinning is unavailable. */
  serverCpu: string | null;
  /** CPU list for the load workers. */
  loadCpu: string | null;
  /** How many cores the load workers share (the saturation check divides by it). */
  loadCores: number;
  log(message: string): void;
  /** A scenario parameter: its `--set key=value` override if given (recorded in the results), else `value`. */
  setting(key: string, value: number): number;
};

/** A value measured once per kept round: its median and range. */
export type Spread = { median: number; min: number; max: number; n: number };

/**
 * One goal from the issues, checked against a measured value. `pass` is null
 * when the run cannot say: the load generator saturated (the scenario is
 * invalid), or the noise is larger than the threshold (not measurable).
 */
export type GoalCheck = {
  goal: string;
  measured: string;
  pass: boolean | null;
  /** A figure the issues ask to measure and state, with no threshold to meet. */
  report?: true;
};

/** A results-table cell: a single measurement, a spread over rounds, text, or nothing. */
export type Cell = number | string | Spread | null;

/** A row of the results table: a metric per peer, all measured in this run. */
export type Row = { metric: string; values: Record<string, Cell> };

/** Figures from elsewhere, shown apart from the measured ones and labelled as quoted. */
export type Quoted = { source: string; figures: string };

/**
 * ok: measured and judged. invalid: measured, but the load generator
 * saturated its core, so no ratio is reported as a result. failed: threw.
 */
export type Status = "ok" | "invalid" | "failed";

export type ScenarioResult = {
  id: string;
  title: string;
  status: Status;
  /** Why the scenario is invalid or failed. */
  reason?: string;
  params: Record<string, unknown>;
  rows: Row[];
  goals: GoalCheck[];
  notes: string[];
  quoted?: Quoted[];
  /** Data for charts (latency CDFs, memory over time), and raw per-round trials. */
  data: Record<string, unknown>;
  durationSec?: number;
  loadavgBefore?: number[];
  loadavgAfter?: number[];
};

export type Scenario = {
  id: string;
  title: string;
  /** How long the scenario may take before the harness gives up on it (its own parameters decide). */
  deadlineMs(ctx: BenchContext): number;
  run(ctx: BenchContext): Promise<ScenarioResult>;
};

/** A whole run, as written to results.json. */
export type BenchRun = {
  /** "full" or "quick"; a run with --only or --set says so in `command` and `partial`. */
  mode: "full" | "quick";
  /** True when scenarios were left out (--only) or parameters overridden (--set). */
  partial: boolean;
  startedAt: string;
  durationSec: number;
  /** The exact command line, as typed. */
  command: string;
  machine: Machine;
  results: ScenarioResult[];
};
