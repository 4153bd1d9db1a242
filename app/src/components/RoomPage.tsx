/**
 * Opens a room: builds the identity (saved name, or `?name=` from the link),
 * creates the room client for this tab and tears it down on leave.
 */
import { useEffect, useState } from "react";
import { rememberRoom } from "../lib/recent-rooms";
import { createRoomClient } from "../room/client";
import { cleanName, loadIdentity, saveIdentity } from "../room/identity";
import type { Identity, RoomClient } from "../room/types";
import { RoomView } from "./RoomView";

/** The saved identity, renamed by a `?name=` in the URL (which is then removed from the address bar). */
function identityForThisVisit(): Identity {
  const identity = loadIdentity();
  const url = new URL(location.href);
  const fromUrl = cleanName(url.searchParams.get("name") ?? "");
  if (fromUrl) {
    identity.name = fromUrl;
    saveIdentity(identity);
    url.searchParams.delete("name");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  return identity;
}

export function RoomPage({ roomId }: { roomId: string }) {
  const [client, setClient] = useState<RoomClient | null>(null);

  useEffect(() => {
    rememberRoom(roomId);
    document.title = `${roomId} · partyroom`;
    const created = createRoomClient({ host: location.host, room: roomId, identity: identityForThisVisit() });
    setClient(created);
    return () => {
      created.destroy();
      setClient(null);
      document.title = "partyroom";
    };
  }, [roomId]);

  if (!client) return <div className="room room-loading" aria-busy="true" />;

  const changeIdentity = (patch: Partial<Pick<Identity, "name" | "color">>) => {
    client.setIdentity(patch);
    saveIdentity({ ...client.identity, ...patch });
  };
  return <RoomView client={client} onIdentityChange={changeIdentity} />;
}
