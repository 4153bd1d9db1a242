/** A connected room: header, the shared document, and the side panel with people and chat. */
import { currentRole, refusalMessage, type Role } from "../lib/access";
import { useActivityStatus } from "../lib/use-activity-status";
import { useRoomSnapshot } from "../lib/use-room";
import { useUnloadWarning } from "../lib/use-unload-warning";
import type { Identity, RoomClient } from "../room/types";
import { AccessNotice } from "./AccessNotice";
import { ChatPanel } from "./ChatPanel";
import { Editor } from "./Editor";
import { PresenceList } from "./PresenceList";
import { RoomHeader } from "./RoomHeader";
import { UnsyncedNotice } from "./UnsyncedNotice";

type Props = {
  client: RoomClient;
  /** The access token the page was opened with (for the embed snippets), if any. */
  token: string | undefined;
  /** The role the token claims, in force until the room's welcome says. */
  claimedRole: Role | undefined;
  onIdentityChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void;
};

export function RoomView({ client, token, claimedRole, onIdentityChange }: Props) {
  const snapshot = useRoomSnapshot(client);
  const role = currentRole(snapshot, claimedRole);
  // Refused before ever getting in: only the notice. (Refused later, e.g. expired: what was there stays, read-only.)
  const refused = refusalMessage(snapshot.connection) !== null && snapshot.connectionId === null;
  useActivityStatus(client);
  useUnloadWarning(client);
  return (
    <div className="room">
      <RoomHeader
        roomId={client.roomId}
        connection={snapshot.connection}
        role={role}
        token={token}
        identity={client.identity}
        onReconnect={() => client.reconnectNow()}
        onIdentityChange={onIdentityChange}
      />
      <AccessNotice connection={snapshot.connection} />
      <UnsyncedNotice snapshot={snapshot} />
      <main className="room-main" hidden={refused}>
        <Editor client={client} synced={snapshot.docSynced || snapshot.docCached} readOnly={role !== "edit" || snapshot.connection.state === "closed"} />
        <aside className="room-side" aria-label="People and chat">
          <PresenceList people={snapshot.people} selfId={client.identity.clientId} stale={snapshot.connection.state !== "connected"} />
          <ChatPanel client={client} snapshot={snapshot} role={role} />
        </aside>
      </main>
    </div>
  );
}
