/**
 * Access control: signed room tokens (HS256 JWTs, via jose) and the origin
 * allow-list, checked in the static onBefore* hooks at the edge, before a room
 * wakes. Rooms stay open to anyone with the link until a secret is configured.
 *
 * A token's claims: `sub` (user id), `name`, `role` (view | chat | edit), `exp`,
 * and either `room` (one room) or `roomPrefix` (every room starting with it).
 *
 * The token never reaches the room: the hook strips it from the URL and hands
 * the verified identity on in `x-partyroom-*` headers, which it first removes
 * from whatever the client sent, so they cannot be forged.
 */
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import { z } from "zod";
import type { Grant } from "../core/ports";
import { CloseCode, ID_PATTERN, LIMITS, ROLES, type Role } from "../protocol";

/** The environment variables this module reads. */
export const ENV = {
  secret: "PARTYROOM_TOKEN_SECRET",
  allowedOrigins: "PARTYROOM_ALLOWED_ORIGINS",
} as const;

/** What an anonymous client gets in an open room. */
export const OPEN_GRANT: Grant = { role: "edit", userId: "", exp: Number.POSITIVE_INFINITY };

export type Refusal = { status: 401 | 403; code: 4401 | 4403; reason: string };

const claimsSchema = z
  .object({
    // The user id becomes the presence clientId, so it follows the same rule.
    sub: z.string().regex(ID_PATTERN),
    name: z.string().trim().min(1).max(LIMITS.nameMax).optional(),
    role: z.enum(ROLES),
    room: z.string().max(64).optional(),
    // An empty prefix would grant every room: refused.
    roomPrefix: z.string().min(1).max(64).optional(),
    exp: z.number(),
  })
  .refine((c) => c.room !== undefined || c.roomPrefix !== undefined, "a token names a room or a roomPrefix");

/**
 * A room prefix grants the room of that name and rooms continuing it after a
 * delimiter (`-` or `_`): `team1` grants `team1` and `team1-standup`, never
 * `team10`. A prefix that ends in a delimiter grants what starts with it.
 */
export function prefixGrants(prefix: string, roomId: string): boolean {
  if (prefix === "" || !roomId.startsWith(prefix)) return false;
  if (roomId.length === prefix.length || /[-_]$/.test(prefix)) return true;
  return roomId[prefix.length] === "-" || roomId[prefix.length] === "_";
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Verifies a token for `roomId`: a Grant, or why not (401 for a bad token, 403 for the wrong room). */
export async function verifyToken(token: string | null, secret: string, roomId: string): Promise<Grant | Refusal> {
  if (!token) return { status: 401, ...CloseCode.TokenMissing };
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"] }));
  } catch (err) {
    return { status: 401, ...(err instanceof joseErrors.JWTExpired ? CloseCode.TokenExpired : CloseCode.TokenInvalid) };
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) return { status: 401, ...CloseCode.TokenIncomplete };
  const c = claims.data;
  const roomOk = c.room !== undefined ? c.room === roomId : prefixGrants(c.roomPrefix!, roomId);
  if (!roomOk) return { status: 403, ...CloseCode.WrongRoom };
  return { role: c.role, userId: c.sub, ...(c.name ? { name: c.name } : {}), exp: c.exp * 1000 };
}

/** Signs a token (the `npm run token` command and embedders' backends do the same). */
export async function mintToken(secret: string, claims: { room?: string; roomPrefix?: string; role: Role; userId: string; name?: string; ttlSeconds: number }): Promise<string> {
  const body: Record<string, unknown> = { role: claims.role };
  if (claims.room !== undefined) body.room = claims.room;
  if (claims.roomPrefix !== undefined) body.roomPrefix = claims.roomPrefix;
  if (claims.name !== undefined) body.name = claims.name;
  return new SignJWT(body)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds)
    .sign(key(secret));
}

// ------------------------------------------------------------ identity headers

const H = { role: "x-partyroom-role", user: "x-partyroom-user", name: "x-partyroom-name", exp: "x-partyroom-exp", address: "x-partyroom-address" } as const;

/**
 * The client's address: on the platform Cloudflare's edge sets
 * `cf-connecting-ip` (clients cannot forge it); `partykit dev` passes client
 * headers through, so there it is whatever the client says, or "" (unknown).
 */
function connectingIp(headers: Headers): string {
  return (headers.get("cf-connecting-ip") ?? "").slice(0, 64);
}

/**
 * Copies `req` without the token and without any client-sent identity
 * headers, adding `grant`'s and the client's address. For a socket
 * (`socket: true`) the copy's URL carries no query string at all: PartyKit
 * keeps a socket's URL in its 2 KB of hibernation state, and nothing the room
 * needs is in it (partysocket's `_pk` then gives way to a fresh id per socket).
 */
export function withGrant(req: Request, grant: Grant | null, socket = false): Request {
  // An HTTP request to an open room that carries nothing to strip goes on as it is: the room reads the address from
  // cf-connecting-ip itself (addressFrom). Every poll and post is such a request, and a copy costs each of them.
  if (!socket && grant === null && !carriesIdentity(req)) return req;
  const url = new URL(req.url);
  if (socket) url.search = "";
  else url.searchParams.delete("token");
  const headers = new Headers(req.headers);
  for (const h of Object.values(H)) headers.delete(h);
  headers.delete("authorization");
  headers.set(H.address, connectingIp(req.headers));
  if (grant) {
    headers.set(H.role, grant.role);
    headers.set(H.user, grant.userId);
    if (grant.name) headers.set(H.name, encodeURIComponent(grant.name));
    headers.set(H.exp, String(grant.exp));
  }
  const copy = new Request(req, { headers });
  // A second copy only to change the URL: most requests carry no token.
  return url.href === req.url ? copy : new Request(url.href, copy);
}

/** Whether a request carries anything the edge must take off before the room sees it: a token, identity headers. */
function carriesIdentity(req: Request): boolean {
  if (req.headers.has("authorization") || req.url.includes("token=")) return true;
  for (const h of Object.values(H)) if (req.headers.has(h)) return true;
  return false;
}

/**
 * The client's address: the one the edge attached, or, for a request the edge passed on untouched (it carried no
 * identity headers, so none can be forged), cf-connecting-ip as the edge would have read it ("" when unknown).
 */
export function addressFrom(headers: Headers): string {
  return headers.get(H.address) ?? connectingIp(headers);
}

/** The grant the edge attached, or the open grant when the room needs no token. */
export function grantFrom(headers: Headers): Grant {
  const role = headers.get(H.role);
  if (!role || !(ROLES as readonly string[]).includes(role)) return OPEN_GRANT;
  const name = headers.get(H.name);
  return { role: role as Role, userId: headers.get(H.user) ?? "", ...(name ? { name: decodeURIComponent(name) } : {}), exp: Number(headers.get(H.exp)) };
}

/** The token a request carries: `?token=` or `Authorization: Bearer`. */
export function tokenOf(req: Request): string | null {
  const fromQuery = new URL(req.url).searchParams.get("token");
  if (fromQuery) return fromQuery;
  const auth = req.headers.get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7) : null;
}

// ------------------------------------------------------------ origins

/** The allow-list from env (comma separated), or null when every origin may connect. */
export function allowedOrigins(env: Record<string, unknown>): string[] | null {
  const raw = env[ENV.allowedOrigins];
  if (typeof raw !== "string" || raw.trim() === "") return null;
  return raw.split(",").map((o) => o.trim().replace(/\/$/, "")).filter(Boolean);
}

/** Requests without an Origin (servers, CLIs) are not browsers and are not subject to the list. */
export function originAllowed(origin: string | null, allowed: string[] | null): boolean {
  return origin === null || allowed === null || allowed.includes(origin);
}

/** The configured secret, if any. */
export function secretOf(env: Record<string, unknown>): string | null {
  const s = env[ENV.secret];
  return typeof s === "string" && s.length > 0 ? s : null;
}
