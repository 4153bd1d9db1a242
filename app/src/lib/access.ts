/** Words for what a role allows and why a room refused this page. */
import { ClientCloseCode, CloseCode } from "../../../party/protocol";
import type { ConnectionState, RoomSnapshot, Transport } from "../room/types";

export type Role = RoomSnapshot["role"];

/** The role in force: the room's word once it has welcomed us, until then what the link's token claims. */
export function currentRole(snapshot: Pick<RoomSnapshot, "role" | "connectionId">, claimed: Role | undefined): Role {
  return snapshot.connectionId === null && claimed ? claimed : snapshot.role;
}

/** The role badge's text; null for full access. */
export function roleLabel(role: Role): string | null {
  return role === "view" ? "View only" : role === "chat" ? "Chat only" : null;
}

/** What a role grants, in a sentence (the embed dialog says it about a link's token). */
export function roleSentence(role: Role): string {
  switch (role) {
    case "view":
      return "read the document and the chat, but not write";
    case "chat":
      return "read the document and chat, but not edit";
    case "edit":
      return "edit the document and chat";
  }
}

/** Why the chat box is disabled, or null when it is usable. */
export function chatDisabledReason(role: Role, connection: ConnectionState): string | null {
  if (connection.state === "closed") return "Chat is closed";
  if (role === "view") return "View only: you can read the chat but not write";
  return null;
}

/** Readable transport names for the connection indicator. */
export const TRANSPORT_LABELS: Record<Transport, string> = {
  websocket: "WebSocket",
  sse: "SSE",
  poll: "Long polling",
};

/** A terminal refusal explained for people, or null while the room is usable. */
export function refusalMessage(connection: ConnectionState): string | null {
  if (connection.state !== "closed" || connection.code === ClientCloseCode.Leaving.code) return null;
  const reason = connection.reason;
  switch (connection.code) {
    case CloseCode.Unauthorized.code:
      if (reason === CloseCode.TokenExpired.reason) return "This link's access has expired. Ask whoever shared it for a new link.";
      if (reason === CloseCode.TokenMissing.reason) return "This room is private: open it with the link you were given, which includes access.";
      return "This link's access key is not valid. Ask whoever shared it for a new link.";
    case CloseCode.Forbidden.code:
      if (reason === CloseCode.OriginNotAllowed.reason) return "This site is not allowed to show this room.";
      return "This link is not allowed in this room. Ask whoever shared it for a link to this room.";
    case CloseCode.BadRoom.code:
      return "This is not a valid room name.";
    case CloseCode.VersionMismatch.code:
      return "This page is out of date. Reload it to rejoin the room.";
    default:
      return `The room closed the connection: ${reason || `code ${connection.code}`}.`;
  }
}
