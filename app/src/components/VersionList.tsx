/**
 * The versions, newest first, as a listbox: one tab stop, arrow keys (and
 * Home / End) move and pick, a click picks. Each option says what the
 * version is, when it was saved, who edited and its size.
 */
import { type KeyboardEvent, useRef } from "react";
import type { VersionInfo } from "../../../party/protocol";
import { editorsLine, sizeLabel, versionTitle, whenLabel } from "../lib/versions-view";

type Props = { versions: VersionInfo[]; selected: number | null; onSelect: (id: number) => void };

export function VersionList({ versions, selected, onSelect }: Props) {
  const options = useRef(new Map<number, HTMLLIElement>());
  const focusable = selected ?? versions[0]?.id;
  const pick = (index: number) => {
    const v = versions[Math.max(0, Math.min(versions.length - 1, index))];
    if (!v) return;
    onSelect(v.id);
    options.current.get(v.id)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const to = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: versions.length - 1 }[event.key];
    if (to !== undefined) pick(to);
    else if (event.key === "Enter" || event.key === " ") pick(index);
    else return;
    event.preventDefault();
  };
  if (versions.length === 0) return <p className="muted version-empty">No versions yet. The room saves one a few minutes after edits, and when the last editor leaves.</p>;
  return (
    <ul className="version-list" role="listbox" aria-label="Versions, newest first">
      {versions.map((v, i) => (
        <li
          key={v.id}
          ref={(el) => {
            if (el) options.current.set(v.id, el);
            else options.current.delete(v.id);
          }}
          role="option"
          aria-selected={v.id === selected}
          tabIndex={v.id === focusable ? 0 : -1}
          className="version-option"
          data-kind={v.kind}
          onClick={() => pick(i)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          <span className="version-option-title">{versionTitle(v, versions)}</span>
          <time className="version-option-time" dateTime={new Date(v.at).toISOString()}>
            {whenLabel(v.at)}
          </time>
          <span className="version-option-meta">
            {editorsLine(v)} · {sizeLabel(v.bytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}
