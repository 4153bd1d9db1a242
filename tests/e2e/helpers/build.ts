/**
 * Builds the production bundle (`vite build` -> dist/) for browser tests, the
 * same command as `npm run build`. Skipped when dist/ is newer than every
 * app source, so several e2e files in one run build only once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../helpers/server";

const SOURCES = ["app", "party/protocol", "vite.config.ts", "package-lock.json"];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Makes sure dist/ holds a build of the current sources. */
export function buildApp(): void {
  const index = join(ROOT, "dist", "app.html");
  const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  if (existsSync(index) && statSync(index).mtimeMs > sourcesAt) return;
  const run = spawnSync(process.execPath, [join(ROOT, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`vite build failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
}
