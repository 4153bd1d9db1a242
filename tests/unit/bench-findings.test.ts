/**
 * docs/bench/findings.md names the committed partial runs by directory, commit,
 * machine and scenarios. Those are the facts a reader uses to tell one run
 * from another, so they must be what each run's results.json records, and no
 * committed run may go unlisted.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/server";

const BENCH = join(ROOT, "docs", "bench");
const PARTIAL = join(BENCH, "partial");
const findings = readFileSync(join(BENCH, "findings.md"), "utf8");

interface Listed {
  dir: string;
  commit: string;
  machine: string;
  scenarios: string[];
}

function listedRuns(): Listed[] {
  const rows = findings.split("\n").filter((line) => /^\| `[^`]+\/` \|/.test(line));
  return rows.map((line) => {
    const [dir = "", commit = "", machine = "", scenarios = ""] = line.split("|").slice(1, -1).map((cell) => cell.trim());
    return {
      dir: dir.replace(/`/g, "").replace(/\/$/, ""),
      commit,
      machine,
      scenarios: scenarios === "every scenario" ? ["*"] : scenarios.split(",").map((s) => s.trim()),
    };
  });
}

test("every committed partial run is listed once in findings.md", () => {
  const dirs = readdirSync(PARTIAL, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const listed = listedRuns().map((run) => run.dir).sort();
  assert.deepEqual(listed, dirs);
});

test("each listed run's commit, machine and scenarios are what its results.json records", () => {
  for (const run of listedRuns()) {
    const results = JSON.parse(readFileSync(join(PARTIAL, run.dir, "results.json"), "utf8"));
    assert.ok(run.commit.length >= 7 && results.machine.commit.startsWith(run.commit), `${run.dir}: commit ${run.commit} vs ${results.machine.commit}`);
    const words = run.machine.split(" ");
    assert.ok(words.every((word: string) => results.machine.cpuModel.includes(word)), `${run.dir}: machine ${run.machine} vs ${results.machine.cpuModel}`);
    const ids = results.results.map((scenario: { id: string }) => scenario.id);
    if (run.scenarios[0] === "*") assert.equal(results.partial, false, `${run.dir}: listed as every scenario but partial`);
    else assert.deepEqual(run.scenarios, ids, `${run.dir}: scenarios`);
  }
});

test("every results file findings.md names exists", () => {
  // A name is a file in docs/bench, or a path under it (a probe's run kept in a folder of its own).
  const named = new Set([...findings.matchAll(/`([\w/-]+\*?\.md)`/g)].map((m) => m[1] ?? ""));
  assert.ok(named.size > 5, "findings.md names its probes' results files");
  for (const name of named) {
    const dir = join(BENCH, dirname(name));
    const pattern = new RegExp(`^${basename(name).replace(".", "\\.").replace("*", ".*")}$`);
    assert.ok(existsSync(dir) && readdirSync(dir).some((file) => pattern.test(file)), `${name} is not in docs/bench`);
  }
});
