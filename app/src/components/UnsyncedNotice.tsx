/**
 * "Not saved yet": how much written here the server does not have, shown
 * while there is any (offline, reconnecting, or just in flight for long
 * enough to notice). Unsent chat also shows as "sending" lines in the chat.
 */
import type { RoomSnapshot } from "../room/types";

/** The words for unsaved work, or null when everything is on the server. */
export function describeUnsynced(snapshot: Pick<RoomSnapshot, "chat" | "docUnsynced">): string | null {
  const unsent = snapshot.chat.filter((line) => line.kind === "pending").length;
  const parts = [];
  if (snapshot.docUnsynced) parts.push("document edits");
  if (unsent > 0) parts.push(unsent === 1 ? "1 message" : `${unsent} messages`);
  return parts.length > 0 ? `Not saved to the room yet: ${parts.join(" and ")}` : null;
}

/** A polite status line; empty (but present, so screen readers hear changes) when all is saved. */
export function UnsyncedNotice({ snapshot }: { snapshot: RoomSnapshot }) {
  const text = describeUnsynced(snapshot);
  // Only worth showing when not connected: while connected, edits settle within a round trip.
  const visible = text !== null && snapshot.connection.state !== "connected";
  return (
    <p role="status" aria-label="Unsaved work" className="unsynced-notice" hidden={!visible} style={{ margin: "4px 16px", fontSize: 13, color: "var(--text-muted)" }}>
      {visible ? text : ""}
    </p>
  );
}
