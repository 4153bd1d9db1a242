/**
 * What a lost connection means for the person's work, in plain words:
 * offline, or reconnecting for more than a moment (a quick blip, or a server
 * asking to "try again later", stays calm and silent). It floats over the
 * page, so appearing never pushes the layout; Hide puts it away until the
 * next loss. It also says what is not on the server yet ("Unsaved work"),
 * and offers Retry now.
 */
import { useEffect, useState } from "react";
import type { RoomSnapshot } from "../room/types";

/** Reconnecting shorter than this is not worth a banner. */
export const BANNER_AFTER_MS = 2_000;
const KEPT = "Your changes are kept on this device and will be sent when the connection is back.";

/** The words for unsaved work, or null when everything is on the server. */
export function describeUnsynced(snapshot: Pick<RoomSnapshot, "chat" | "docUnsynced">): string | null {
  const unsent = snapshot.chat.filter((line) => line.kind === "pending").length;
  const parts = [];
  if (snapshot.docUnsynced) parts.push("document edits");
  if (unsent > 0) parts.push(unsent === 1 ? "1 message" : `${unsent} messages`);
  return parts.length > 0 ? `Not saved to the room yet: ${parts.join(" and ")}.` : null;
}

type Props = { snapshot: RoomSnapshot; onRetry: () => void };

export function ConnectionBanner({ snapshot, onRetry }: Props) {
  const { connection } = snapshot;
  const down = connection.state === "reconnecting" || connection.state === "connecting" || connection.state === "offline";
  const [longDown, setLongDown] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    if (!down) {
      setDismissed(false);
      return setLongDown(false);
    }
    const timer = setTimeout(() => setLongDown(true), BANNER_AFTER_MS);
    return () => clearTimeout(timer);
  }, [down]);
  const offline = connection.state === "offline";
  // A first connection that is merely slow is the skeleton's to show; a banner is for failing or losing one.
  const everIn = snapshot.connectionId !== null;
  const shown = !dismissed && (offline || (longDown && down && (everIn || connection.state === "reconnecting")));
  const unsaved = describeUnsynced(snapshot);
  return (
    <div className="connection-banner" hidden={!shown} data-kind={offline ? "offline" : "reconnecting"}>
      <p className="connection-banner-text">
        <strong>{offline ? "You're offline." : everIn ? "Reconnecting…" : "Can't reach the room yet."}</strong> {KEPT}
      </p>
      <p role="status" aria-label="Unsaved work" className="connection-banner-unsaved" hidden={!shown || unsaved === null}>
        {shown && unsaved ? unsaved : ""}
      </p>
      <span className="connection-banner-actions">
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry now
        </button>
        <button type="button" className="button button-small button-quiet" onClick={() => setDismissed(true)}>
          Hide
        </button>
      </span>
    </div>
  );
}
