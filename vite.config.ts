/**
 * Vite builds the browser app (app/) into dist/, which partykit.json serves.
 * In development Vite's dev server sits in front of `partykit dev` and proxies
 * /parties (HTTP and WebSocket) to it, so the app and the rooms share one
 * origin; scripts/dev.mjs passes the internal port in PARTYKIT_PORT.
 */
import react from "@vitejs/plugin-react";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL("./app", import.meta.url));
const outDir = fileURLToPath(new URL("./dist", import.meta.url));
const partykitPort = Number(process.env.PARTYKIT_PORT ?? 1999);

/**
 * The built app shell is written as app.html, not index.html: PartyKit's
 * static server would answer `/` with an index.html itself, without the
 * framing headers the worker adds to every page (party/host/pages.ts, which
 * also answers unknown pages with the app's "Nothing here" and a 404).
 */
function appShell(): Plugin {
  return {
    name: "partyroom-app-shell",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const index = bundle["index.html"];
      if (index) index.fileName = "app.html";
    },
  };
}

/**
 * In development a path with a broken %-escape (`/r/%E0%A4%A`) gets the app
 * and its "Nothing here", where Vite would answer an empty 404 and leave a
 * blank page.
 */
function devNotFoundPage(): Plugin {
  return {
    name: "partyroom-dev-not-found-page",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const html = req.method === "GET" && req.headers.accept?.includes("text/html");
        if (!html || isWellFormed(req.url ?? "/")) return next();
        server
          .transformIndexHtml("/", readFileSync(join(root, "index.html"), "utf8"))
          .then((page) => {
            res.statusCode = 404;
            res.setHeader("content-type", "text/html; charset=utf-8");
            res.end(page);
          })
          .catch(next);
      });
    },
  };
}

/** False for a URL with a broken %-escape (decodeURI throws on those). */
function isWellFormed(url: string): boolean {
  try {
    return decodeURI(url).length >= 0;
  } catch {
    return false;
  }
}

export default defineConfig({
  root,
  plugins: [react(), appShell(), devNotFoundPage()],
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
