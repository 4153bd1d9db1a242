/**
 * The room's top bar: home link, title (renamable) and role, who is here,
 * the connection, and the actions (share, embed, theme, you). On a phone the
 * actions fold into a "Menu" popover so the bar stays one row.
 */
import type { Role } from "../lib/access";
import type { Follow } from "../lib/use-follow";
import { onLinkClick } from "../lib/router";
import type { Peer } from "../room/peers";
import type { Identity, RoomClient, RoomSnapshot } from "../room/types";
import { AvatarStack } from "./AvatarStack";
import { ConnectionStatus } from "./ConnectionStatus";
import { EmbedButton } from "./EmbedButton";
import { IdentityControl } from "./IdentityControl";
import { RoleBadge } from "./RoleBadge";
import { RoomTitle } from "./RoomTitle";
import { ShareButton } from "./ShareButton";
import { ThemeSwitch } from "./ThemeSwitch";

type Props = {
  client: RoomClient;
  snapshot: RoomSnapshot;
  role: Role;
  token: string | undefined;
  peers: Peer[];
  follow: Follow;
  phone: boolean;
  onIdentityChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void;
};

const MENU_ID = "room-menu";

export function RoomHeader({ client, snapshot, role, token, peers, follow, phone, onIdentityChange }: Props) {
  const stale = snapshot.connection.state !== "connected";
  return (
    <header className="room-header">
      <div className="room-title">
        <a href="/" className="brand" onClick={onLinkClick} aria-label="partyroom home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">partyroom</span>
        </a>
        <span className="room-sep" aria-hidden="true">
          /
        </span>
        <RoomTitle client={client} canEdit={role === "edit" && snapshot.connection.state !== "closed"} />
        <RoleBadge role={role} />
      </div>
      <AvatarStack
        people={snapshot.people}
        count={snapshot.peopleCount}
        selfId={client.identity.clientId}
        peers={peers}
        following={follow.following}
        stale={stale}
        max={phone ? 3 : 6}
        onJump={follow.jump}
        onFollow={follow.follow}
      />
      <ConnectionStatus connection={snapshot.connection} compact={phone} />
      {phone && (
        <button type="button" className="button button-small" popoverTarget={MENU_ID}>
          Menu
        </button>
      )}
      <div
        className={phone ? "room-actions popover" : "room-actions"}
        id={phone ? MENU_ID : undefined}
        popover={phone ? "auto" : undefined}
        data-menu={phone || undefined}
        aria-label={phone ? "Room menu" : undefined}
        role={phone ? "dialog" : undefined}
      >
        <ShareButton roomId={client.roomId} />
        <EmbedButton roomId={client.roomId} role={role} token={token} />
        <ThemeSwitch />
        <IdentityControl identity={client.identity} onChange={onIdentityChange} />
      </div>
    </header>
  );
}
