/** The room's top bar: home link, room name and role, connection, share, embed, and you. */
import type { Role } from "../lib/access";
import { onLinkClick } from "../lib/router";
import type { ConnectionState, Identity } from "../room/types";
import { ConnectionStatus } from "./ConnectionStatus";
import { EmbedButton } from "./EmbedButton";
import { IdentityControl } from "./IdentityControl";
import { RoleBadge } from "./RoleBadge";
import { ShareButton } from "./ShareButton";

type Props = {
  roomId: string;
  connection: ConnectionState;
  role: Role;
  token: string | undefined;
  identity: Identity;
  onReconnect: () => void;
  onIdentityChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void;
};

export function RoomHeader({ roomId, connection, role, token, identity, onReconnect, onIdentityChange }: Props) {
  return (
    <header className="room-header">
      <div className="room-title">
        <a href="/" className="brand" onClick={onLinkClick} aria-label="partyroom home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">partyroom</span>
        </a>
        <span className="room-sep" aria-hidden="true">/</span>
        <h1 className="room-name" title={roomId}>
          {roomId}
        </h1>
        <RoleBadge role={role} />
      </div>
      <div className="room-actions">
        <ConnectionStatus connection={connection} onReconnect={onReconnect} />
        <ShareButton roomId={roomId} />
        <EmbedButton roomId={roomId} role={role} token={token} />
        <IdentityControl identity={identity} onChange={onIdentityChange} />
      </div>
    </header>
  );
}
