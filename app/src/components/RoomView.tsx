/** A connected room: header, the shared document, and the side panel with people and chat. */
import { useActivityStatus } from "../lib/use-activity-status";
import { useRoomSnapshot } from "../lib/use-room";
import { useUnloadWarning } from "../lib/use-unload-warning";
import type { Identity, RoomClient } from "../room/types";
import { ChatPanel } from "./ChatPanel";
import { Editor } from "./Editor";
import { PresenceList } from "./PresenceList";
import { RoomHeader } from "./RoomHeader";
import { UnsyncedNotice } from "./UnsyncedNotice";

type Props = { client: RoomClient; onIdentityChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void };

export function RoomView({ client, onIdentityChange }: Props) {
  const snapshot = useRoomSnapshot(client);
  useActivityStatus(client);
  useUnloadWarning(client);
  return (
    <div className="room">
      <RoomHeader
        roomId={client.roomId}
        connection={snapshot.connection}
        identity={client.identity}
        onReconnect={() => client.reconnectNow()}
        onIdentityChange={onIdentityChange}
      />
      <UnsyncedNotice snapshot={snapshot} />
      <main className="room-main">
        <Editor client={client} synced={snapshot.docSynced || snapshot.docCached} />
        <aside className="room-side" aria-label="People and chat">
          <PresenceList people={snapshot.people} selfId={client.identity.clientId} stale={snapshot.connection.state !== "connected"} />
          <ChatPanel client={client} snapshot={snapshot} />
        </aside>
      </main>
    </div>
  );
}
