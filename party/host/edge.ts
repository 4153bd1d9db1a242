/**
 * The static hooks PartyKit runs at the edge, before a room wakes: room id,
 * origin allow-list and token for every socket and every HTTP request.
 * What passes goes on to the room without its token and with the verified
 * identity and the client's address in headers (auth.ts); what fails is
 * refused here.
 */
import type * as Party from "partykit/server";
import { CloseCode, isValidRoomId } from "../protocol";
import { adminSecretOf, markAdmin, provesAdmin } from "./admin";
import { allowedOrigins, originAllowed, secretOf, tokenOf, verifyToken, withGrant } from "./auth";
import { httpError } from "./http-response";
import { discardUnreadBody } from "./request-body";

/**
 * A refused socket gets a completed upgrade closed at once with the documented
 * code: a plain 401 would look like a dropped connection, and clients would
 * retry forever.
 */
export async function checkSocket(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
  const request = req as unknown as Request;
  if (!isValidRoomId(lobby.id)) return refuseSocket(CloseCode.BadRoom);
  if (!originAllowed(request.headers.get("origin"), allowedOrigins(lobby.env))) return refuseSocket(CloseCode.OriginNotAllowed);
  const secret = secretOf(lobby.env);
  if (!secret) return withGrant(request, null, true) as unknown as Party.Request;
  const grant = await verifyToken(tokenOf(request), secret, lobby.id);
  if ("status" in grant) return refuseSocket({ code: grant.code, reason: grant.reason });
  return withGrant(request, grant, true) as unknown as Party.Request;
}

/** The same checks for HTTP, answered with JSON errors (400, 401, 403); an admin (host/admin.ts) needs no room token. */
export async function checkRequest(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
  const adminSecret = adminSecretOf(lobby.env);
  const admin = adminSecret !== null && (await provesAdmin(req as unknown as Request, adminSecret));
  const request = markAdmin(req as unknown as Request, admin);
  // A refusal here has not read the body: it is drained first, as the rooms' own answers are (request-body.ts). A 401
  // sent with the body unread made workerd log "Can't read from request stream after response has been sent" (a CI run).
  const refuse = async (res: Response) => {
    await discardUnreadBody(request);
    return res;
  };
  if (!isValidRoomId(lobby.id)) return refuse(httpError("bad_room", "room ids are 1-64 of A-Z a-z 0-9 _ -"));
  if (!originAllowed(request.headers.get("origin"), allowedOrigins(lobby.env))) return refuse(httpError("forbidden", CloseCode.OriginNotAllowed.reason));
  if (admin) return withGrant(request, null) as unknown as Party.Request;
  const secret = secretOf(lobby.env);
  // CORS preflights carry no credentials; the request they announce will.
  if (!secret || request.method === "OPTIONS") return withGrant(request, null) as unknown as Party.Request;
  const grant = await verifyToken(tokenOf(request), secret, lobby.id);
  if ("status" in grant) return refuse(httpError(grant.status === 401 ? "unauthorized" : "forbidden", grant.reason));
  return withGrant(request, grant) as unknown as Party.Request;
}

declare const WebSocketPair: { new (): { 0: WebSocket; 1: WebSocket & { accept(): void } } };

/** Completes a WebSocket upgrade and closes it at once with `how`: the client gets the code, the room never wakes. */
export function refuseSocket(how: { code: number; reason: string }): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].close(how.code, how.reason);
  return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
}
