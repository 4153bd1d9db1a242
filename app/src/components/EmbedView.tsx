/**
 * The embedded room: the document and/or the chat, filling the frame, with a
 * slim footer (connection, role, who is here, a link to the full room). It
 * reports its content height to the parent page (use-height-report).
 */
import { useRef } from "react";
import { currentRole, refusalMessage, type Role } from "../lib/access";
import type { EmbedView as View } from "../lib/embed";
import { roomPath } from "../lib/router";
import { useActivityStatus } from "../lib/use-activity-status";
import { useHeightReport } from "../lib/use-height-report";
import { useRoomSnapshot } from "../lib/use-room";
import type { RoomClient } from "../room/types";
import { AccessNotice } from "./AccessNotice";
import { usePeers } from "../room/peers";
import { ChatPanel } from "./ChatPanel";
import { ConnectionBanner } from "./ConnectionBanner";
import { ConnectionStatus } from "./ConnectionStatus";
import { Editor } from "./Editor";
import { RoleBadge } from "./RoleBadge";

type Props = { client: RoomClient; token: string | undefined; claimedRole: Role | undefined; view: View };

export function EmbedView({ client, token, claimedRole, view }: Props) {
  const snapshot = useRoomSnapshot(client);
  const peers = usePeers(client.awareness);
  const root = useRef<HTMLDivElement>(null);
  useActivityStatus(client);
  useHeightReport(root);
  const { connection, people } = snapshot;
  const role = currentRole(snapshot, claimedRole);
  // Refused before ever getting in (bad or expired link): the notice says why, and there is nothing else to show.
  const refused = refusalMessage(connection) !== null && snapshot.connectionId === null;
  // The full room opens on the rooms' own site, in a new tab; the token goes along so a private room opens too.
  const full = `${roomPath(client.roomId)}${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  return (
    <div className="embed" data-view={view} ref={root}>
      <AccessNotice connection={connection} />
      <main className="embed-main" hidden={refused}>
        {view !== "chat" && (
          <Editor client={client} synced={snapshot.docSynced || snapshot.docCached} readOnly={role !== "edit" || connection.state === "closed"} />
        )}
        {view !== "doc" && <ChatPanel client={client} snapshot={snapshot} role={role} peers={peers} unread={0} />}
      </main>
      <footer className="embed-footer">
        <ConnectionStatus connection={connection} compact />
        <RoleBadge role={role} />
        {!refused && (
          <span className="embed-people" title={people.map((p) => p.name).join(", ")}>
            {people.length} here
          </span>
        )}
        <a className="embed-open" href={full} target="_blank" rel="noopener noreferrer">
          Open in partyroom <span aria-hidden="true">↗</span>
        </a>
      </footer>
      <ConnectionBanner snapshot={snapshot} onRetry={() => client.reconnectNow()} />
    </div>
  );
}
