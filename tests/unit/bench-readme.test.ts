/**
 * The README's benchmark figures come from the committed results file and
 * nowhere else: the section between the markers must be exactly what
 * tests/bench/report/readme.ts renders from docs/bench/results.json.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/server";
import { BEGIN, END, expectedReadme, renderSection, withSection } from "../bench/report/readme";
import type { BenchRun, ScenarioResult } from "../bench/scenarios/types";

test("the README's benchmark section agrees with the committed results (npm run bench:render rewrites it)", () => {
  assert.equal(readFileSync(join(ROOT, "README.md"), "utf8"), expectedReadme());
});

const machine = { cpuModel: "Test CPU", cpus: 2, memGiB: 8, kernel: "6", node: "v20", partykit: "0.0.115", openFileLimit: "20000", pinning: "taskset", commit: "0123456789abcdef", uncommitted: [], loadavgStart: [0.5, 0.4, 0.3], loadavgEnd: [0.6, 0.5, 0.4] };
const scenario = (over: Partial<ScenarioResult>): ScenarioResult => ({ id: "x", title: "X", status: "ok", params: {}, rows: [], goals: [], notes: [], data: {}, ...over });
const run = (over: Partial<BenchRun>): BenchRun => ({ mode: "full", partial: false, startedAt: "2026-01-01T00:00:00.000Z", durationSec: 60, command: "npm run bench", machine, results: [], ...over });

test("a full run shows its provenance, every goal, and invalid or failed scenarios as such", () => {
  const text = renderSection(
    run({
      results: [
        scenario({ title: "Fan-out", goals: [{ goal: "p50 <= 1.2x null room", measured: "1.10x (1.05-1.20, 5 rounds)", pass: true }] }),
        scenario({ title: "Yjs", status: "invalid", reason: "saturated", goals: [{ goal: "p99 <= 1.2x", measured: "invalid: saturated", pass: null }] }),
        scenario({ title: "Memory", goals: [{ goal: "<= 2 KiB", measured: "not measurable: noise", pass: null }] }),
        scenario({ title: "Soak", status: "failed", reason: "boom" }),
      ],
    }),
    [],
  );
  assert.match(text, /`npm run bench`.*commit 0123456789/);
  assert.match(text, /2 x Test CPU, 8 GiB/);
  assert.match(text, /Load average 0\.5 \/ 0\.4 \/ 0\.3 at the start, 0\.6 \/ 0\.5 \/ 0\.4 at the end/);
  assert.match(text, /\| Fan-out \| p50 <= 1\.2x null room \| 1\.10x \(1\.05-1\.20, 5 rounds\) \| yes \|/);
  assert.match(text, /\| Yjs \| p99 <= 1\.2x \| invalid: saturated \| invalid \|/);
  assert.match(text, /\| Memory \| <= 2 KiB \| not measurable: noise \| not measurable \|/);
  assert.match(text, /\| Soak \| – \| failed: boom \| \*\*no\*\* \|/);
});

test("goals not met are listed again with what was measured beside them, and the core profile as evidence", () => {
  const profile = { command: "npm run bench:profile", machine: { commit: "abcdef0123456789" }, peers: 200, updates: 5000, usPerUpdate: 143.9, usPerSend: 0.72 };
  const results = [
    scenario({ id: "yjs-fanout", title: "Yjs fan-out", params: { updatesPerSec: 50 }, goals: [{ goal: "p99 <= 1.2x y-ws", measured: "20 vs 10 ms; floor 18 ms", pass: false }, { goal: "nothing lost", measured: "0", pass: true }] }),
    scenario({ title: "Soak", status: "failed", reason: "boom" }),
  ];
  const text = renderSection(run({ results }), [], profile);
  const listed = text.slice(text.indexOf("**Goals not met"));
  assert.match(listed, /- Yjs fan-out: p99 <= 1\.2x y-ws\. Measured: 20 vs 10 ms; floor 18 ms\./);
  assert.match(listed, /- Soak: the scenario failed \(boom\)/);
  assert.doesNotMatch(listed, /nothing lost/);
  assert.match(listed, /`npm run bench:profile` at commit `abcdef0123`.*143\.9 µs of CPU per update fanned out to 200 peers \(0\.72 µs per send\), 0\.72% of a core at the fan-out benchmark's 50 updates\/s/);
  const allMet = renderSection(run({ results: [scenario({ goals: [{ goal: "g", measured: "m", pass: true }] })] }), [], profile);
  assert.doesNotMatch(allMet, /Goals not met|bench:profile/);
});

test("when a hibernation goal is missed, the connect profile is the evidence beside it; not otherwise", () => {
  const connect = {
    command: "npm run bench:profile-connect",
    machine: { commit: "0123456789abcdef" },
    rooms: 100,
    sockets: 10_000,
    connect: { usPerHello: 359.4, cpuSecAll: 3.594 },
    idle: { usPerHeartbeat: 19.6, heartbeatsPerSec: 1_000, corePct: 1.96 },
  };
  const goal = (pass: boolean) => [{ goal: "idle CPU <= 10% of a core", measured: "26.5%", pass }];
  const missed = renderSection(run({ results: [scenario({ id: "hibernation", title: "Hibernation", goals: goal(false) })] }), [], null, connect);
  assert.match(missed, /`npm run bench:profile-connect` at commit `0123456789`.*10,000 connections over 100 rooms, costs 359\.4 µs of CPU per connect and hello \(3\.6 s for all of them\) and 19\.6 µs per heartbeat \(1\.96% of a core at 1,000 heartbeats a second\)/);
  const met = renderSection(run({ results: [scenario({ id: "hibernation", title: "Hibernation", goals: goal(true) })] }), [], null, connect);
  assert.doesNotMatch(met, /bench:profile-connect/);
  const otherMissed = renderSection(run({ results: [scenario({ id: "fanout", title: "Chat", goals: goal(false) })] }), [], null, connect);
  assert.doesNotMatch(otherMissed, /bench:profile-connect/);
});

test("when a hibernation goal is missed, the heartbeat cost on workerd is shown beside it if its run was valid", () => {
  const spread = (median: number) => ({ median, min: median - 1, max: median + 1 });
  const heartbeat = { command: "npm run bench:heartbeat", machine: { commit: "fedcba9876543210" }, valid: true, partyroom: spread(48.5), nullHibernating: spread(41.3), roomOwn: spread(7.2) };
  const goal = (pass: boolean) => [{ goal: "idle CPU <= 10% of a core", measured: "10.8%", pass }];
  const missed = renderSection(run({ results: [scenario({ id: "hibernation", title: "Hibernation", goals: goal(false) })] }), [], null, null, heartbeat);
  assert.match(missed, /`npm run bench:heartbeat` at commit `fedcba9876`.*48\.5 µs \(47\.5-49\.5\) of server CPU per heartbeat for partyroom and 41\.3 µs \(40\.3-42\.3\) for the hibernating null room.*own share is 7\.2 µs \(6\.2-8\.2\), 0\.72% of a core at 1,000 heartbeats a second/);
  assert.doesNotMatch(renderSection(run({ results: [scenario({ id: "hibernation", title: "Hibernation", goals: goal(true) })] }), [], null, null, heartbeat), /bench:heartbeat/);
  assert.doesNotMatch(renderSection(run({ results: [scenario({ id: "hibernation", title: "Hibernation", goals: goal(false) })] }), [], null, null, { ...heartbeat, valid: false }), /bench:heartbeat/);
});

test("quoted figures are listed apart and labelled as not measured here", () => {
  const text = renderSection(run({ results: [scenario({ title: "Transports", goals: [{ goal: "g", measured: "m", pass: true }], quoted: [{ source: "the original", figures: "WS 346 ms" }] })] }), []);
  const table = text.slice(0, text.indexOf("Quoted"));
  assert.doesNotMatch(table, /346/);
  assert.match(text, /Quoted for reference, \*\*not measured in this run\*\*[^]*- Transports, the original: WS 346 ms/);
});

test("a quick or partial run is never quoted, and no run says so", () => {
  const goals = [{ goal: "g", measured: "42 ms", pass: true }];
  for (const r of [run({ mode: "quick", command: "npm run bench -- --quick" }), run({ partial: true, command: "npm run bench -- --only fanout" })]) {
    const text = renderSection({ ...r, results: [scenario({ goals })] }, []);
    assert.doesNotMatch(text, /42 ms/);
    assert.match(text, /no figures are quoted from it/);
  }
  assert.match(renderSection(null, []), /No full benchmark run is committed yet/);
});

test("the section goes between the markers and replaces what was there", () => {
  const readme = `# x\n${BEGIN}\nold figures\n${END}\nafter\n`;
  assert.equal(withSection(readme, "new"), `# x\n${BEGIN}\nnew\n${END}\nafter\n`);
  assert.throws(() => withSection("# no markers", "new"), /markers/);
});
