/**
 * The admin guard for operator tools (the inspector, the directory, metrics).
 * Nothing of them exists until PARTYROOM_ADMIN_SECRET is set. An admin proves
 * itself with `Authorization: Bearer <secret>` (what Prometheus's
 * `authorization` setting sends; scripts and tests) or with the cookie the
 * inspector's login form sets: `<expiry>.<HMAC-SHA256(secret, expiry)>`, so
 * the secret itself never sits in a browser.
 *
 * The check runs at the edge (onBeforeRequest), which strips the credential
 * and any client-sent `x-partyroom-admin`, then marks a proven admin with it;
 * the room trusts only that mark. Browsers cannot send the header cross-origin
 * (CORS allows only content-type and last-event-id), and the cookie is
 * SameSite=Strict: only the same-origin inspector page carries it.
 */
import { ADMIN_COOKIE, ADMIN_COOKIE_TTL_MS } from "../protocol";

/** The environment variable that enables operator tools. */
export const ADMIN_SECRET_ENV = "PARTYROOM_ADMIN_SECRET";
/** The mark the edge puts on a proven admin's request. */
export const ADMIN_MARK = "x-partyroom-admin";

/** The admin secret, or null when operator tools are off. */
export function adminSecretOf(env: Record<string, unknown>): string | null {
  const s = env[ADMIN_SECRET_ENV];
  return typeof s === "string" && s.length > 0 ? s : null;
}

/** True when the request carries the admin secret as a bearer token or a valid login cookie. */
export async function provesAdmin(req: Request, secret: string): Promise<boolean> {
  const auth = req.headers.get("authorization");
  if (auth?.startsWith("Bearer ") && equal(auth.slice(7), secret)) return true;
  const cookie = cookieOf(req, ADMIN_COOKIE);
  return cookie !== null && (await cookieValid(cookie, secret, Date.now()));
}

/**
 * Copies `req` with the admin mark set (or removed) and without the credential.
 * A request that is not an admin's and carries no mark is passed on as it is:
 * every request of every client comes this way, and a copy is a Request built.
 */
export function markAdmin(req: Request, admin: boolean): Request {
  if (!admin && !req.headers.has(ADMIN_MARK)) return req;
  const headers = new Headers(req.headers);
  headers.delete(ADMIN_MARK);
  if (admin) {
    headers.set(ADMIN_MARK, "1");
    headers.delete("authorization");
  }
  return new Request(req, { headers });
}

/** Whether the edge marked this request as an admin's. */
export function isAdmin(req: Request): boolean {
  return req.headers.get(ADMIN_MARK) === "1";
}

/** A login cookie valid until now + ADMIN_COOKIE_TTL_MS, as a Set-Cookie header value. */
export async function loginCookie(secret: string, now: number, secure: boolean): Promise<string> {
  const exp = now + ADMIN_COOKIE_TTL_MS;
  const value = `${exp}.${await mac(secret, String(exp))}`;
  return `${ADMIN_COOKIE}=${value}; Max-Age=${ADMIN_COOKIE_TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** Whether `password` is the secret (constant time). */
export function isSecret(password: string, secret: string): boolean {
  return equal(password, secret);
}

async function cookieValid(value: string, secret: string, now: number): Promise<boolean> {
  const dot = value.indexOf(".");
  const exp = Number(value.slice(0, dot));
  if (dot < 1 || !Number.isFinite(exp) || exp < now) return false;
  return equal(value.slice(dot + 1), await mac(secret, String(exp)));
}

function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

async function mac(secret: string, data: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`partyroom-admin:${data}`)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares without stopping at the first difference, so timing does not tell how much of a guess was right. */
function equal(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return diff === 0;
}
