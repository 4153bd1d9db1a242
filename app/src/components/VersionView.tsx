/**
 * One version, read-only: its text with the differences from the current
 * document marked (ins: only in this version, so a restore brings it back;
 * del: only in the document now, so a restore removes it), in words for
 * screen readers too, and Restore for people who may edit.
 */
import { useMemo, useState } from "react";
import type { VersionInfo } from "../../../party/protocol";
import { compareTexts, diffSentence, whenLabel } from "../lib/versions-view";

type Props = {
  version: VersionInfo;
  /** What the list calls it. */
  title: string;
  /** The version's text, null while it loads. */
  text: string | null;
  current: string;
  canEdit: boolean;
  busy: boolean;
  onRestore: () => void;
};

export function VersionView({ version, title: name, text, current, canEdit, busy, onRestore }: Props) {
  const [confirming, setConfirming] = useState(false);
  const parts = useMemo(() => (text === null ? null : compareTexts(current, text)), [current, text]);
  const title = `${name}, ${whenLabel(version.at)}`;
  return (
    <section className="version-view" aria-labelledby="version-view-title">
      <div className="version-view-head">
        <h3 id="version-view-title" className="version-view-title">
          {title}
        </h3>
        {canEdit && !confirming && (
          <button type="button" className="button button-small" onClick={() => setConfirming(true)} disabled={busy || text === null}>
            Restore this version…
          </button>
        )}
      </div>
      {confirming && (
        <div className="restore-confirm" role="group" aria-labelledby="restore-confirm-text">
          <p id="restore-confirm-text">The document becomes this version's text for everyone, as a new change. What is there now is kept as a version, so this can be undone.</p>
          <div className="restore-confirm-actions">
            <button
              type="button"
              className="button button-small button-primary"
              autoFocus
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                onRestore();
              }}
            >
              Restore
            </button>
            <button type="button" className="button button-small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {parts === null ? (
        <p className="muted">Loading this version…</p>
      ) : (
        <>
          <p className="version-legend" id="version-legend">
            {diffSentence(parts)} <ins>Marked like this</ins>: only in this version. <del>Struck through</del>: only in the current document.
          </p>
          <div className="version-text" tabIndex={0} role="region" aria-label={`Text of ${title}, compared with the current document`} aria-describedby="version-legend">
            {parts.map((p, i) =>
              p.kind === "same" ? (
                <span key={i}>{p.text}</span>
              ) : p.kind === "version" ? (
                <ins key={i}>
                  <span className="visually-hidden">[only in this version: </span>
                  {p.text}
                  <span className="visually-hidden">]</span>
                </ins>
              ) : (
                <del key={i}>
                  <span className="visually-hidden">[only in the current document: </span>
                  {p.text}
                  <span className="visually-hidden">]</span>
                </del>
              ),
            )}
          </div>
        </>
      )}
    </section>
  );
}
