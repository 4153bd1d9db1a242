/**
 * Vite builds the browser app (app/) into dist/, which partykit.json serves.
 * In development Vite's dev server sits in front of `partykit dev` and proxies
 * /parties (HTTP and WebSocket) to it, so the app and the rooms share one
 * origin; scripts/dev.mjs passes the internal port in PARTYKIT_PORT.
 */
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL("./app", import.meta.url));
const outDir = fileURLToPath(new URL("./dist", import.meta.url));
const partykitPort = Number(process.env.PARTYKIT_PORT ?? 1999);

/**
 * The built app shell is written as app.html, not index.html: PartyKit's
 * static server would answer `/` with an index.html itself, without the
 * framing headers the worker adds to every page (party/host/pages.ts).
 */
function appShell(): Plugin {
  return {
    name: "partyroom-app-shell",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const index = bundle["index.html"];
      if (!index) return;
      index.fileName = "app.html";
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), appShell()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    // The room chunk (CodeMirror + Yjs + React DOM share) is ~410 kB minified, ~130 kB gzip.
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: "127.0.0.1",
    // The rooms answer CORS themselves (party/host/http-response.ts): Vite must pass preflights on, not answer them.
    cors: false,
    proxy: {
      "/parties": { target: `http://127.0.0.1:${partykitPort}`, ws: true },
    },
  },
});
