/**
 * Creates the room client for this tab from the link's options (name, token,
 * transport) and destroys it on leave. Shared by the room page and the embed.
 */
import { useEffect, useState } from "react";
import { createRoomClient } from "../room/client";
import type { RoomClient } from "../room/types";
import type { Role } from "./access";
import { readVisit } from "./visit";

export type RoomVisit = { client: RoomClient; token: string | undefined; claimedRole: Role | undefined };

/** The client for `roomId` (an embed's when `embed`), or null until it exists. */
export function useRoomClient(roomId: string, { embed = false } = {}): RoomVisit | null {
  const [visit, setVisit] = useState<RoomVisit | null>(null);
  useEffect(() => {
    const { identity, token, claimedRole, transport } = readVisit(roomId, { embed });
    const client = createRoomClient({
      host: location.host,
      room: roomId,
      identity,
      ...(token ? { token } : {}),
      ...(transport ? { transport } : {}),
    });
    setVisit({ client, token, claimedRole });
    return () => {
      client.destroy();
      setVisit(null);
    };
  }, [roomId, embed]);
  return visit;
}
