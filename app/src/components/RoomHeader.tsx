/** The room's top bar: home link and room name, connection, share, embed, and you. */
import { onLinkClick } from "../lib/router";
import type { ConnectionState, Identity } from "../room/types";
import { ConnectionStatus } from "./ConnectionStatus";
import { EmbedButton } from "./EmbedButton";
import { IdentityControl } from "./IdentityControl";
import { ShareButton } from "./ShareButton";

type Props = {
  roomId: string;
  connection: ConnectionState;
  identity: Identity;
  onReconnect: () => void;
  onIdentityChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void;
};

export function RoomHeader({ roomId, connection, identity, onReconnect, onIdentityChange }: Props) {
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
      </div>
      <div className="room-actions">
        <ConnectionStatus connection={connection} onReconnect={onReconnect} />
        <ShareButton roomId={roomId} />
        <EmbedButton />
        <IdentityControl identity={identity} onChange={onIdentityChange} />
      </div>
    </header>
  );
}
