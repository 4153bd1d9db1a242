/**
 * The README's benchmark figures, generated from the committed results file
 * (docs/bench/results.json) and written between the markers below. Nothing
 * between the markers is typed by hand; tests/unit/bench-readme.test.ts fails
 * when the README and the committed results disagree.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../helpers/server";
import type { BenchRun, Spread } from "../scenarios/types";
import { met, provenance } from "./format";

export const BEGIN = "<!-- bench:begin: generated from docs/bench/results.json by tests/bench/report/readme.ts; do not edit -->";
export const END = "<!-- bench:end -->";
export const RESULTS_PATH = join(ROOT, "docs", "bench", "results.json");
const README_PATH = join(ROOT, "README.md");

/** Charts worth showing in the README, when the run drew them. */
const README_CHARTS = ["fanout-cdf-1000.svg", "yjs-fanout-cdf.svg", "hibernation-memory.svg", "stability-memory.svg"];

export const PROFILE_PATH = join(ROOT, "docs", "bench", "profile-core.json");

/** What `npm run bench:profile` commits (tests/bench/profile.ts): the room core's own CPU on the Yjs path. */
export type CoreProfile = { command: string; machine: { commit: string }; peers: number; updates: number; usPerUpdate: number; usPerSend: number };

export const CONNECT_PROFILE_PATH = join(ROOT, "docs", "bench", "profile-connect.json");

/** What `npm run bench:profile-connect` commits (tests/bench/profile-connect.ts): the room core's own CPU per hello and per heartbeat. */
export type ConnectProfile = {
  command: string;
  machine: { commit: string };
  rooms: number;
  sockets: number;
  connect: { usPerHello: number; cpuSecAll: number };
  idle: { usPerHeartbeat: number; heartbeatsPerSec: number; corePct: number };
};

export const HEARTBEAT_COST_PATH = join(ROOT, "docs", "bench", "heartbeat-cost.json");

/** What `npm run bench:heartbeat` commits (tests/bench/heartbeat-cost.ts): server CPU per heartbeat on workerd, partyroom and its floor. */
type Range = Pick<Spread, "median" | "min" | "max">;
export type HeartbeatCost = { command: string; machine: { commit: string }; valid: boolean; partyroom: Range; nullHibernating: Range; roomOwn: Range };

/**
 * The goals a full run did not meet, each with what the same run measured
 * beside it (the floors: the null room, y-partykit on the same workerd), and
 * the profile of the room's own code as the evidence of where the rest goes.
 */
function notMet(run: BenchRun, profile: CoreProfile | null, connect: ConnectProfile | null, heartbeat: HeartbeatCost | null): string[] {
  const missed = run.results.flatMap((r) => [
    ...(r.status === "failed" ? [`- ${r.title}: the scenario failed (${r.reason ?? "see results.md"}).`] : []),
    ...r.goals.filter((g) => g.pass === false).map((g) => `- ${r.title}: ${g.goal}. Measured: ${g.measured}.`),
  ]);
  if (!missed.length) return [];
  const out = ["**Goals not met in this run**, each with the floor measured beside it:", "", ...missed, ""];
  if (profile) {
    const rate = Number((run.results.find((r) => r.id === "yjs-fanout")?.params as { updatesPerSec?: number } | undefined)?.updatesPerSec ?? 0);
    const share = rate ? `, ${((profile.usPerUpdate * rate) / 1e4).toFixed(2)}% of a core at the fan-out benchmark's ${rate} updates/s` : "";
    out.push(
      `Where the time goes on the Yjs path: the room's own code, profiled in Node by \`${profile.command}\` at commit \`${profile.machine.commit.slice(0, 10)}\` ([docs/bench/profile-core.md](docs/bench/profile-core.md)), costs ${profile.usPerUpdate.toFixed(1)} µs of CPU per update fanned out to ${profile.peers} peers (${profile.usPerSend.toFixed(2)} µs per send)${share}. The rest of each delivery is the runtime's (a socket send per peer, a storage commit per update under \`partykit dev\`), which the floors above measure on the same workerd.`,
      "",
    );
  }
  const hibernation = run.results.find((r) => r.id === "hibernation");
  if (connect && hibernation?.goals.some((g) => g.pass === false)) {
    const { sockets, rooms, connect: c, idle } = connect;
    out.push(
      `Where the time goes on connecting and idling: the room's own code, profiled in Node by \`${connect.command}\` at commit \`${connect.machine.commit.slice(0, 10)}\` ([docs/bench/profile-connect.md](docs/bench/profile-connect.md)) with ${sockets.toLocaleString("en")} connections over ${rooms} rooms, costs ${c.usPerHello.toFixed(1)} µs of CPU per connect and hello (${c.cpuSecAll.toFixed(1)} s for all of them) and ${idle.usPerHeartbeat.toFixed(1)} µs per heartbeat (${idle.corePct.toFixed(2)}% of a core at ${idle.heartbeatsPerSec.toLocaleString("en")} heartbeats a second). The rest runs in workerd (accepting and keeping each socket, each frame in and out, and the host around the core), which no profiler reaches under \`partykit dev\`; the null room beside it is a floor only in rounds where it held its sockets.`,
      "",
    );
  }
  if (heartbeat?.valid && hibernation?.goals.some((g) => g.pass === false)) {
    const show = (x: Range) => `${x.median.toFixed(1)} µs (${x.min.toFixed(1)}-${x.max.toFixed(1)})`;
    out.push(
      `What one heartbeat costs on workerd itself: \`${heartbeat.command}\` at commit \`${heartbeat.machine.commit.slice(0, 10)}\` ([docs/bench/heartbeat-cost.md](docs/bench/heartbeat-cost.md)) measured ${show(heartbeat.partyroom)} of server CPU per heartbeat for partyroom and ${show(heartbeat.nullHibernating)} for the hibernating null room answering the same frames; the room's own share is ${show(heartbeat.roomOwn)}, ${(heartbeat.roomOwn.median / 10).toFixed(2)}% of a core at 1,000 heartbeats a second (10,000 sockets).`,
      "",
    );
  }
  return out;
}

/** The section for `run`, or for no committed run. `charts` = chart files present next to the results; `profile` / `connect` = the committed core profiles. */
export function renderSection(run: BenchRun | null, charts: readonly string[], profile: CoreProfile | null = null, connect: ConnectProfile | null = null, heartbeat: HeartbeatCost | null = null): string {
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
  out.push("", ...notMet(run, profile, connect, heartbeat));
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
  const read = <T>(path: string) => (existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : null);
  return withSection(readFileSync(README_PATH, "utf8"), renderSection(committedRun(), charts, read<CoreProfile>(PROFILE_PATH), read<ConnectProfile>(CONNECT_PROFILE_PATH), read<HeartbeatCost>(HEARTBEAT_COST_PATH)));
}

/** Rewrites the README's benchmark section from the committed results. */
export function updateReadme(): void {
  writeFileSync(README_PATH, expectedReadme());
}
