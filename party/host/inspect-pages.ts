/**
 * The inspector's pages: `/inspect` (the directory of rooms) and
 * `/inspect/<room>` (one room, live). Without PARTYROOM_ADMIN_SECRET they do
 * not exist (a plain 404); without a login they are a sign-in form and
 * nothing else (401). `POST /inspect/login` checks the secret and sets the
 * login cookie (host/admin.ts); `POST /inspect/logout` clears it. Only a
 * signed-in admin gets the app shell, whose inspector then reads the
 * admin-only JSON with that same-origin cookie.
 */
import type * as Party from "partykit/server";
import { ADMIN_COOKIE, isValidRoomId } from "../protocol";
import { adminSecretOf, isSecret, loginCookie, provesAdmin } from "./admin";

/** The app shell with framing headers (pages.ts). */
type Shell = (req: Request, lobby: Party.FetchLobby, status: number) => Promise<Response | null>;

/** Longest login form body read. */
const FORM_MAX_BYTES = 4_096;

/** True for the inspector's paths. */
export function isInspectorPath(pathname: string): boolean {
  return /^\/inspect(\/[^/]*)?\/?$/.test(pathname);
}

/** Answers an inspector path (see the module comment). */
export async function serveInspector(req: Request, lobby: Party.FetchLobby, shell: Shell): Promise<Response> {
  const secret = adminSecretOf(lobby.env);
  if (secret === null) return new Response("Not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  const url = new URL(req.url);
  const path = url.pathname.replace(/\/$/, "");
  const secure = url.protocol === "https:";
  if (path === "/inspect/login" && req.method === "POST") {
    const form = await readForm(req);
    const next = safeNext(form?.get("next") ?? null);
    if (!form || !isSecret(form.get("secret") ?? "", secret)) return loginPage(next, "That is not the admin secret.", 401);
    return new Response(null, { status: 303, headers: { location: next, "set-cookie": await loginCookie(secret, Date.now(), secure), "cache-control": "no-store" } });
  }
  if (path === "/inspect/logout" && req.method === "POST") {
    return new Response(null, { status: 303, headers: { location: "/inspect", "set-cookie": `${ADMIN_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`, "cache-control": "no-store" } });
  }
  if (req.method !== "GET" && req.method !== "HEAD") return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  const room = path.slice("/inspect/".length);
  if (path !== "/inspect" && !isValidRoomId(decodeURIComponentSafe(room))) return new Response("Not a room id\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  if (!(await provesAdmin(req, secret))) return loginPage(path, null, 401);
  const page = await shell(req, lobby, 200);
  if (!page) return new Response("The app is not built (npm run build)\n", { status: 503 });
  page.headers.set("cache-control", "no-store");
  page.headers.set("referrer-policy", "same-origin");
  return page;
}

async function readForm(req: Request): Promise<URLSearchParams | null> {
  if (Number(req.headers.get("content-length") ?? "0") > FORM_MAX_BYTES) return null;
  const text = await req.text();
  return text.length > FORM_MAX_BYTES ? null : new URLSearchParams(text);
}

/** Where to go after signing in: only an inspector path, never another site. */
function safeNext(next: string | null): string {
  return next !== null && isInspectorPath(next) && !next.startsWith("/inspect/login") ? next : "/inspect";
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "";
  }
}

/** The sign-in form: the only thing a visitor without the secret gets. */
function loginPage(next: string, error: string | null, status: number): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<title>Sign in · partyroom inspector</title><link rel="icon" href="data:,">
<style>body{font:16px system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0}form{display:grid;gap:.75rem;min-width:18rem;padding:2rem;border:1px solid #8884;border-radius:12px}input,button{font:inherit;padding:.5rem .75rem;border-radius:8px;border:1px solid #8888}button{background:#6741d9;color:#fff;border:0;cursor:pointer}.error{color:#c92a2a;margin:0}</style></head>
<body><main><form method="post" action="/inspect/login"><h1>partyroom inspector</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}<label for="secret">Admin secret</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}"><button type="submit">Sign in</button></form></main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "frame-ancestors 'none'",
      "x-frame-options": "DENY",
      "referrer-policy": "same-origin",
    },
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
