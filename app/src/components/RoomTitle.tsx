/**
 * The room's title as the page heading (the room id when nobody named it),
 * with "Rename" for people who may edit: everyone sees the new title at once.
 */
import { type FormEvent, useState } from "react";
import { TITLE_MAX, useTitle, writeTitle } from "../doc/meta";
import type { RoomClient } from "../room/types";

type Props = { client: RoomClient; canEdit: boolean };

export function RoomTitle({ client, canEdit }: Props) {
  const title = useTitle(client.doc);
  const [draft, setDraft] = useState<string | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (draft !== null) writeTitle(client.doc, draft);
    setDraft(null);
  };

  if (draft !== null) {
    return (
      <form className="room-title-form" onSubmit={save}>
        <input
          className="input input-compact"
          aria-label="Room title"
          value={draft}
          maxLength={TITLE_MAX}
          placeholder={client.roomId}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Escape" && setDraft(null)}
          autoFocus
        />
        <button type="submit" className="button button-small button-primary">
          Save
        </button>
      </form>
    );
  }
  return (
    <>
      <h1 className="room-name" title={title ? `${title} (${client.roomId})` : client.roomId}>
        {title || client.roomId}
      </h1>
      {canEdit && (
        <button type="button" className="button button-small button-quiet" onClick={() => setDraft(title)} aria-label="Rename the room">
          Rename
        </button>
      )}
    </>
  );
}
