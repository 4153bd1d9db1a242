/**
 * `/embed/<room>`: the room for an iframe on someone else's site. Options
 * come from the link: `?view=chat|doc|both`, `?theme=light|dark`, and like
 * the room page `?name=`, `?token=`, `?transport=`.
 */
import { useEffect, useState } from "react";
import { embedView } from "../lib/embed";
import { useRoomClient } from "../lib/use-room-client";
import { EmbedView } from "./EmbedView";

export function EmbedPage({ roomId }: { roomId: string }) {
  // Read once: `name` and `token` are taken out of the address bar afterwards, `view` stays (`theme`: lib/theme.ts).
  const [view] = useState(() => embedView(location.search));
  const visit = useRoomClient(roomId, { embed: true });

  useEffect(() => {
    document.title = `${roomId} · partyroom`;
  }, [roomId]);

  if (!visit) return <div className="embed embed-loading" aria-busy="true" />;
  return <EmbedView client={visit.client} token={visit.token} claimedRole={visit.claimedRole} view={view} />;
}
