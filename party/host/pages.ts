/**
 * The app's pages, served by the worker so that every one carries framing
 * headers: the build writes the app shell as `app.html` (not `index.html`,
 * which the static asset server would answer itself, without headers), and
 * this serves it for `/`, `/r/<room>`, `/embed/<room>`, the admin's
 * `/inspect` pages (inspect-pages.ts guards them) and, with status 404,
 * any other page a browser navigates to (the app shows its own "not found").
 * App pages may only be framed by the app itself; embed pages by whatever
 * PARTYROOM_FRAME_ANCESTORS allows (a CSP `frame-ancestors` source list;
 * default `*`, i.e. any site may embed a room).
 */
import type * as Party from "partykit/server";
import { isInspectorPath, serveInspector } from "./inspect-pages";

export const FRAME_ANCESTORS_ENV = "PARTYROOM_FRAME_ANCESTORS";
/** Where the build puts the app shell (vite.config.ts). */
export const APP_SHELL = "/app.html";

/** The app shell with headers, or null for what is not a page (the static 404 follows). */
export async function servePage(req: Request, lobby: Party.FetchLobby): Promise<Response | null> {
  const { pathname } = new URL(req.url);
  // The inspector is guarded before anything of it is served (host/inspect-pages.ts).
  if (isInspectorPath(pathname)) return serveInspector(req, lobby, shellPage);
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const embed = /^\/embed\/[^/]+\/?$/.test(pathname);
  const known = embed || pathname === "/" || /^\/r\/[^/]+\/?$/.test(pathname);
  if (!known && !isNavigation(req)) return null;
  return shellPage(req, lobby, known ? 200 : 404, embed);
}

/** The app shell with its framing headers and `status`, or null when the build has none. */
export async function shellPage(req: Request, lobby: Party.FetchLobby, status: number, embed = false): Promise<Response | null> {
  const page = await lobby.assets.fetch(APP_SHELL);
  if (!page) return null;
  const headers = new Headers(page.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-content-type-options", "nosniff");
  if (embed) {
    const allowed = lobby.env[FRAME_ANCESTORS_ENV];
    headers.set("content-security-policy", `frame-ancestors ${typeof allowed === "string" && allowed.trim() ? allowed.trim() : "*"}`);
    // The embed URL may carry a token: never send it on as a referrer.
    headers.set("referrer-policy", "no-referrer");
  } else {
    headers.set("content-security-policy", "frame-ancestors 'self'");
    headers.set("x-frame-options", "SAMEORIGIN");
    headers.set("referrer-policy", "strict-origin-when-cross-origin");
  }
  return new Response(req.method === "HEAD" ? null : page.body, { status, headers });
}

/** A browser's top-level page load (not a script, image or fetch). */
function isNavigation(req: Request): boolean {
  return req.headers.get("sec-fetch-mode") === "navigate" || (req.headers.get("accept") ?? "").includes("text/html");
}
