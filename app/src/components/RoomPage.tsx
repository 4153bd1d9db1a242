/**
 * Opens a room: the client for this tab (identity, `?token=`, `?transport=`
 * from the link: see lib/visit.ts), torn down on leave.
 */
import { useEffect } from "react";
import { rememberRoom } from "../lib/recent-rooms";
import { useRoomClient } from "../lib/use-room-client";
import { loadIdentity, saveIdentity } from "../room/identity";
import type { Identity } from "../room/types";
import { RoomView } from "./RoomView";
import { RoomSkeleton } from "./Skeleton";

export function RoomPage({ roomId }: { roomId: string }) {
  const visit = useRoomClient(roomId);

  useEffect(() => {
    rememberRoom(roomId);
  }, [roomId]);

  if (!visit) return <RoomSkeleton />;

  const { client, token, claimedRole } = visit;
  const changeIdentity = (patch: Partial<Pick<Identity, "name" | "color">>) => {
    client.setIdentity(patch);
    // Only name and colour are remembered: a token's user id is not this browser's.
    saveIdentity({ ...loadIdentity(), ...patch });
  };
  return <RoomView client={client} token={token} claimedRole={claimedRole} onIdentityChange={changeIdentity} />;
}
