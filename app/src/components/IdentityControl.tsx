/**
 * "You": your colour and name in the header. Opens a small popover to rename
 * yourself or pick a colour; changes reach everyone at once.
 */
import { type FormEvent, useState } from "react";
import { LIMITS } from "../../../party/protocol";
import { COLORS } from "../room/identity";
import type { Identity } from "../room/types";
import { Avatar } from "./Avatar";

/** Names for the identity palette, so the swatches can be told apart by ear. */
const COLOR_NAMES: Record<string, string> = {
  "#e03131": "Red",
  "#c2255c": "Raspberry",
  "#9c36b5": "Grape",
  "#6741d9": "Violet",
  "#3b5bdb": "Indigo",
  "#1971c2": "Blue",
  "#0c8599": "Cyan",
  "#099268": "Teal",
  "#2f9e44": "Green",
  "#66a80f": "Lime",
  "#e8590c": "Orange",
  "#f08c00": "Amber",
};

type Props = { identity: Identity; onChange: (patch: Partial<Pick<Identity, "name" | "color">>) => void };

export function IdentityControl({ identity, onChange }: Props) {
  const [draft, setDraft] = useState(identity.name);
  const popoverId = "identity-popover";

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = draft.trim();
    if (name && name !== identity.name) onChange({ name });
    document.getElementById(popoverId)?.hidePopover();
  };

  return (
    <>
      <button
        type="button"
        className="button identity-button"
        popoverTarget={popoverId}
        aria-label={`You: ${identity.name}. Change name or colour`}
        onClick={() => setDraft(identity.name)}
      >
        <Avatar name={identity.name} color={identity.color} />
        <span className="identity-name">{identity.name}</span>
      </button>
      <div id={popoverId} popover="auto" className="popover identity-popover" role="dialog" aria-label="Your name and colour">
        <form onSubmit={save}>
          <label className="field">
            <span className="field-label">Your name</span>
            <input
              className="input"
              value={draft}
              maxLength={LIMITS.nameMax}
              onChange={(e) => setDraft(e.currentTarget.value)}
              autoComplete="nickname"
              required
            />
          </label>
          <fieldset className="field swatches">
            <legend className="field-label">Your colour</legend>
            {COLORS.map((color) => (
              <label key={color} className="swatch" style={{ backgroundColor: color }} title={COLOR_NAMES[color] ?? color}>
                <input
                  type="radio"
                  name="identity-color"
                  value={color}
                  checked={identity.color.toLowerCase() === color}
                  onChange={() => onChange({ color })}
                  aria-label={COLOR_NAMES[color] ?? color}
                />
              </label>
            ))}
          </fieldset>
          <div className="popover-actions">
            <button type="submit" className="button button-primary">
              Save
            </button>
          </div>
        </form>
      </div>
    </>
  );
}
