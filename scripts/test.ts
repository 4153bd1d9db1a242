/**
 * `npm test`: type-checks, starts one real `partykit dev` for the run (free
 * port, temp state), then runs every test file under tests/ with Node's test
 * runner. Files that need their own server (kill -9, restarts) start one.
 * Usage: npm test [-- tests/integration/chat.test.ts ...]
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
process.chdir(root);

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith(".test.ts") ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
const order = ["unit", "integration", "abuse", "fault", "e2e"];
const files = only.length ? only : findTests(join(root, "tests")).sort((a, b) => order.findIndex((d) => a.includes(`/${d}/`)) - order.findIndex((d) => b.includes(`/${d}/`)) || a.localeCompare(b));

if (!only.length) {
  console.log("> tsc --noEmit");
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."], { stdio: "inherit" });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

const { startServer } = await import("../tests/helpers/server");

const server = await startServer();
console.log(`> shared partykit dev on ${server.http}`);
let status = 1;
try {
  // Not spawnSync: this process reads the shared server's output, and blocked it would stop reading. Node writes to a
  // pipe synchronously, so `partykit dev` would then block on its own stderr, stop reading workerd's, and workerd would
  // block on its next log line: every room of the shared server hung, mid-run.
  const run = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=180000", ...files], {
    stdio: "inherit",
    env: { ...process.env, PARTYROOM_TEST_URL: server.http },
  });
  status = await new Promise<number>((resolve) => run.on("close", (code) => resolve(code ?? 1)));
  if (status !== 0) console.log(`--- shared partykit dev output (last 4 KB) ---\n${server.output().slice(-4096)}`);
} finally {
  await server.stop();
}
process.exit(status);
