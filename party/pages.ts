/**
 * The app's pages, served by the worker instead of the static asset server's
 * single-page-app fallback, so that they can carry framing headers:
 * app pages (`/r/<room>`) may only be framed by the app itself; embed pages
 * (`/embed/<room>`) by whatever PARTYROOM_FRAME_ANCESTORS allows (a CSP
 * `frame-ancestors` source list; default `*`, i.e. any site may embed a room).
 */
import type * as Party from "partykit/server";

export const FRAME_ANCESTORS_ENV = "PARTYROOM_FRAME_ANCESTORS";

/** index.html for app routes, with headers; null for anything else (a 404 follows). */
export async function servePage(req: Request, lobby: Party.FetchLobby): Promise<Response | null> {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const { pathname } = new URL(req.url);
  const embed = /^\/embed\/[^/]+\/?$/.test(pathname);
  if (!embed && !/^\/r\/[^/]+\/?$/.test(pathname)) return null;
  const page = await lobby.assets.fetch("/index.html");
  if (!page) return null;
  const headers = new Headers(page.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("cache-control", "no-cache");
  if (embed) {
    const allowed = lobby.env[FRAME_ANCESTORS_ENV];
    headers.set("content-security-policy", `frame-ancestors ${typeof allowed === "string" && allowed.trim() ? allowed.trim() : "*"}`);
    // The embed URL may carry a token: never send it on as a referrer.
    headers.set("referrer-policy", "no-referrer");
  } else {
    headers.set("content-security-policy", "frame-ancestors 'self'");
    headers.set("x-frame-options", "SAMEORIGIN");
  }
  return new Response(req.method === "HEAD" ? null : page.body, { status: 200, headers });
}
