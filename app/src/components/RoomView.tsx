/**
 * A connected room: header, the document (editor and preview), people and
 * chat; on a phone the three are tabs. A banner floats over it when the
 * connection is lost, without moving anything.
 */
import type { EditorView } from "@codemirror/view";
import { useRef, useState } from "react";
import { useTitle } from "../doc/meta";
import { currentRole, refusalMessage, type Role } from "../lib/access";
import { useActivityStatus } from "../lib/use-activity-status";
import { useFollow } from "../lib/use-follow";
import { PHONE_QUERY, useMediaQuery } from "../lib/use-media";
import { useRoomSnapshot } from "../lib/use-room";
import { useDocumentTitle, useUnread } from "../lib/use-unread";
import { useUnloadWarning } from "../lib/use-unload-warning";
import { usePeers } from "../room/peers";
import type { Identity, RoomClient } from "../room/types";
import { AccessNotice } from "./AccessNotice";
import { ChatPanel } from "./ChatPanel";
import { ConnectionBanner } from "./ConnectionBanner";
import { DocumentPane } from "./DocumentPane";
import { PresenceList } from "./PresenceList";
import { RoomHeader } from "./RoomHeader";
import { type RoomTab, RoomTabs, tabId } from "./RoomTabs";

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
  const phone = useMediaQuery(PHONE_QUERY);
  const [tab, setTab] = useState<RoomTab>("document");
  const viewRef = useRef<EditorView | null>(null);
  const follow = useFollow(client, viewRef);
  const peers = usePeers(client.awareness);
  const unread = useUnread(snapshot, !phone || tab === "chat");
  const title = useTitle(client.doc);
  useDocumentTitle(title || client.roomId, unread);
  // Refused before ever getting in: only the notice. (Refused later, e.g. expired: what was there stays, read-only.)
  const refused = refusalMessage(snapshot.connection) !== null && snapshot.connectionId === null;
  useActivityStatus(client);
  useUnloadWarning(client);
  const known = snapshot.connectionId !== null;
  const stale = snapshot.connection.state !== "connected";
  const panel = (t: RoomTab) => (phone ? { hidden: tab !== t, labelledBy: tabId(t) } : { hidden: false });
  const followingName = snapshot.people.find((p) => p.clientId === follow.following)?.name ?? null;
  const jumpFromTab = (personId: string) => {
    setTab("document");
    return follow.jump(personId);
  };
  return (
    <div className="room" data-layout={phone ? "phone" : "wide"}>
      <RoomHeader
        client={client}
        snapshot={snapshot}
        role={role}
        token={token}
        peers={peers}
        follow={phone ? { ...follow, jump: jumpFromTab } : follow}
        phone={phone}
        onIdentityChange={onIdentityChange}
      />
      <AccessNotice connection={snapshot.connection} />
      {phone && !refused && <RoomTabs tab={tab} onChange={setTab} unread={unread} people={known ? snapshot.peopleCount : null} />}
      <main className="room-main" hidden={refused}>
        <DocumentPane
          client={client}
          synced={snapshot.docSynced || snapshot.docCached}
          readOnly={role !== "edit" || snapshot.connection.state === "closed"}
          {...panel("document")}
          viewRef={viewRef}
          follow={follow}
          followingName={followingName}
          token={token}
        />
        <aside className="room-side" aria-label="People and chat" hidden={phone && tab === "document"}>
          <PresenceList people={snapshot.people} count={snapshot.peopleCount} selfId={client.identity.clientId} stale={stale} known={known} {...panel("people")} />
          <ChatPanel client={client} snapshot={snapshot} role={role} peers={peers} unread={unread} {...panel("chat")} />
        </aside>
      </main>
      <ConnectionBanner snapshot={snapshot} onRetry={() => client.reconnectNow()} />
    </div>
  );
}
