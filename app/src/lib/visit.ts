/**
 * What a room link brings with it: `?name=` (your name; in an embed, the name
 * of the person that frame speaks for, kept apart from this browser's own
 * identity so it renames nobody else), `?token=` (access to a
 * private room) and `?transport=` (force WebSocket, SSE or long polling).
 * Name and token are taken out of the address bar once read, so a copied
 * link does not pass them on by accident; the token is kept in this tab's
 * sessionStorage (per room) so a reload still works.
 *
 * With a token the room knows you by the token's user id (and name, if it has
 * one), not by this browser's saved identity: the client is given that
 * identity, so your own messages and presence are recognised as yours.
 */
import { browserStorage, cleanName, loadIdentity, namedIdentityKey, saveIdentity } from "../room/identity";
import { forcedTransport, type TransportName } from "../room/transport";
import type { Identity } from "../room/types";
import type { Role } from "./access";

export type Visit = {
  identity: Identity;
  token: string | undefined;
  /** The role the token claims: what the UI allows until the room says (welcome). */
  claimedRole: Role | undefined;
  transport: TransportName | undefined;
};

const tokenKey = (roomId: string) => `partyroom:token:${roomId}`;

/** An embed's `?name=` per room: it is removed from the address bar once read, and a remount (StrictMode) must still see it. */
const namesFromLinks = new Map<string, string | null>();

/** Reads the link's options for `roomId` (an embed's when `embed`) and cleans the address bar. */
export function readVisit(roomId: string, { embed = false } = {}): Visit {
  const url = new URL(location.href);
  const transport = forcedTransport(url.search);
  if (url.searchParams.has("name") || !namesFromLinks.has(roomId)) namesFromLinks.set(roomId, cleanName(url.searchParams.get("name") ?? ""));
  const name = namesFromLinks.get(roomId) ?? null;
  let identity: Identity;
  if (name && embed) {
    identity = { ...loadIdentity(browserStorage(), namedIdentityKey(name)), name };
  } else {
    // A room page's name is saved as this browser's: later renames must win over the link.
    namesFromLinks.delete(roomId);
    identity = loadIdentity();
    if (name) {
      identity.name = name;
      saveIdentity(identity);
    }
  }
  const fromUrl = url.searchParams.get("token") || null;
  if (fromUrl) storeToken(roomId, fromUrl);
  const token = fromUrl ?? storedToken(roomId);
  if (url.searchParams.has("name") || url.searchParams.has("token")) {
    url.searchParams.delete("name");
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  if (!token) return { identity, token: undefined, claimedRole: undefined, transport };
  const claims = tokenClaims(token);
  return { identity: { ...identity, ...claims.identity }, token, claimedRole: claims.role, transport };
}

/**
 * The user id, name and role a token carries (read, not verified: the server
 * verifies; this only decides which presence entry and messages are "you",
 * and keeps a view-only page from typing before the room has said hello).
 */
export function tokenClaims(token: string): { identity: Partial<Pick<Identity, "clientId" | "name">>; role: Role | undefined } {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as { sub?: unknown; name?: unknown; role?: unknown };
    const identity: Partial<Pick<Identity, "clientId" | "name">> = {};
    if (typeof claims.sub === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(claims.sub)) identity.clientId = claims.sub;
    const name = typeof claims.name === "string" ? cleanName(claims.name) : null;
    if (name) identity.name = name;
    const role = claims.role === "view" || claims.role === "chat" || claims.role === "edit" ? claims.role : undefined;
    return { identity, role };
  } catch {
    return { identity: {}, role: undefined };
  }
}

function storeToken(roomId: string, token: string): void {
  try {
    sessionStorage.setItem(tokenKey(roomId), token);
  } catch {
    // Storage blocked (some third-party frames): the token lasts until the page closes.
  }
}

function storedToken(roomId: string): string | null {
  try {
    return sessionStorage.getItem(tokenKey(roomId));
  } catch {
    return null;
  }
}
