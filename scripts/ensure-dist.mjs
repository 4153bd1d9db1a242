/**
 * partykit.json's `build.command`: `serve.path` (dist/) must exist or
 * `partykit dev` and `partykit deploy` crash on start. Builds the app when
 * dist/ has no app.html yet; with PARTYROOM_SKIP_APP_BUILD=1 (set by
 * scripts/dev.mjs, where Vite serves the app) it only creates the folder.
 * An existing build is left alone: `npm run build` refreshes it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const dist = join(root, "dist");

if (existsSync(join(dist, "app.html"))) process.exit(0);
if (process.env.PARTYROOM_SKIP_APP_BUILD === "1") {
  mkdirSync(dist, { recursive: true });
  process.exit(0);
}
console.log("dist/ has no build yet: running vite build");
const vite = spawnSync(process.execPath, [join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], {
  cwd: root,
  stdio: "inherit",
});
process.exit(vite.status ?? 1);
