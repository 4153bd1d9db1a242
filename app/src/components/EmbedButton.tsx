/**
 * "Embed": a dialog with copy-paste snippets that put this room on another
 * site (the script loader, or the <party-room> element), for the current
 * room and role. A token the page was opened with goes into the snippet, and
 * the dialog says what it grants.
 */
import { useState } from "react";
import { roleSentence, type Role } from "../lib/access";
import { type EmbedView, elementSnippet, scriptSnippet } from "../lib/embed";
import { CopyField } from "./CopyField";

type Props = { roomId: string; role: Role; token: string | undefined };

const VIEWS: { value: EmbedView; label: string }[] = [
  { value: "both", label: "Document and chat" },
  { value: "chat", label: "Chat" },
  { value: "doc", label: "Document" },
];

export function EmbedButton({ roomId, role, token }: Props) {
  const [view, setView] = useState<EmbedView>("both");
  const options = { origin: location.origin, roomId, view, token };
  return (
    <>
      <button type="button" className="button" popoverTarget="embed-dialog">
        Embed
      </button>
      <div id="embed-dialog" popover="auto" className="popover popover-wide" role="dialog" aria-label="Embed">
        <div className="embed-dialog">
          <p className="embed-dialog-title">Put this room on your site</p>
          <label className="field">
            <span className="field-label">Show</span>
            <select className="input" value={view} onChange={(e) => setView(e.currentTarget.value as EmbedView)}>
              {VIEWS.map((v) => (
                <option key={v.value} value={v.value}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
          <CopyField label="Script tag (the room appears where the tag is)" value={scriptSnippet(options)} />
          <CopyField label="Custom element (load the script once, place the element anywhere)" value={elementSnippet(options)} />
          <p className="muted embed-dialog-note">
            {token
              ? `The snippets carry the access token this page was opened with: anyone who sees your page's source can ${roleSentence(role)} here until it expires.`
              : role === "edit"
                ? "Anyone who visits your page can edit the document and chat here."
                : `Visitors of your page can ${roleSentence(role)} here.`}
          </p>
          <div className="popover-actions">
            <button type="button" className="button button-small" popoverTarget="embed-dialog" popoverTargetAction="hide">
              Done
            </button>
          </div>
        </div>
      </div>
    </>
  );
}
