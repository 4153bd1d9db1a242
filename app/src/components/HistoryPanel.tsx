/**
 * The room's version history, in place of the editor while it is open: the
 * versions newest first, the picked one compared with the current document,
 * a form to name the current state and Restore (both for the edit role).
 * What happens is said in a live region; Escape closes the panel.
 */
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { DOC_TEXT_NAME, VERSIONS } from "../../../party/protocol";
import { problem, useLiveText, useVersionList, useVersionText } from "../lib/use-versions";
import { versionTitle } from "../lib/versions-view";
import type { RoomClient } from "../room/types";
import { versionsApi } from "../room/versions-api";
import { VersionList } from "./VersionList";
import { VersionView } from "./VersionView";

type Props = { client: RoomClient; token: string | undefined; canEdit: boolean; onClose: () => void };

export function HistoryPanel({ client, token, canEdit, onClose }: Props) {
  const api = useMemo(() => versionsApi({ roomId: client.roomId, token, clientKey: client.identity.key }), [client, token]);
  const { list, error, refresh } = useVersionList(api);
  const [picked, setPicked] = useState<number | null>(null);
  const versions = list?.versions ?? [];
  const selected = versions.find((v) => v.id === picked) ?? versions[0] ?? null;
  const { text, error: textError } = useVersionText(api, selected?.id ?? null);
  const current = useLiveText(client.doc.getText(DOC_TEXT_NAME));
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState("");
  const [failed, setFailed] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Opening the panel takes focus to it, so keyboard and screen-reader users land where it is.
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && !e.defaultPrevented && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  /** Runs one action, says how it went, and shows the list as it now is. */
  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setFailed(null);
    try {
      setSaid(await action());
    } catch (err) {
      setFailed(problem(err));
    } finally {
      setBusy(false);
      await refresh();
    }
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    const clean = name.trim();
    if (!clean) return;
    void act(async () => {
      const { version, dropped } = await api.create(clean);
      setName("");
      setPicked(version.id);
      const namedGone = dropped.filter((d) => d.kind === "named").map((d) => `“${d.name}”`);
      return `Saved “${version.name}”.${namedGone.length ? ` To stay within the room's storage, ${namedGone.join(", ")} ${namedGone.length === 1 ? "was" : "were"} removed.` : ""}`;
    });
  };

  const restore = () => {
    if (!selected) return;
    const what = versionTitle(selected, versions);
    void act(async () => {
      const { version } = await api.restore(selected.id);
      setPicked(version.id);
      return `Restored ${what}. Everyone now sees its text; the text from before is kept as a version.`;
    });
  };

  return (
    <section className="history" id="history-panel" aria-labelledby="history-heading">
      <div className="history-head">
        <h2 id="history-heading" className="history-heading" tabIndex={-1} ref={heading}>
          Version history
        </h2>
        {canEdit && (
          <form className="history-name" onSubmit={save}>
            <input
              className="input input-compact"
              aria-label="Name for the current version"
              placeholder="Name this version"
              value={name}
              maxLength={VERSIONS.nameMax}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit" className="button button-small" disabled={busy || !name.trim()}>
              Save version
            </button>
          </form>
        )}
        <button type="button" className="button button-small button-quiet history-close" onClick={onClose}>
          Close history
        </button>
      </div>
      <p className="visually-hidden" role="status">
        {said}
      </p>
      {said && !failed && <p className="history-note" aria-hidden="true">{said}</p>}
      {(failed ?? error ?? textError) && (
        <p className="history-error" role="alert">
          {failed ?? error ?? textError}
        </p>
      )}
      {list && list.droppedNamed.length > 0 && (
        <p className="history-note">
          Removed to stay within the room's storage: {list.droppedNamed.map((d) => `“${d.name}”`).join(", ")}.
        </p>
      )}
      {list === null && !error ? (
        <p className="muted history-loading">Loading versions…</p>
      ) : (
        <div className="history-body">
          <VersionList versions={versions} selected={selected?.id ?? null} onSelect={setPicked} />
          {selected && <VersionView key={selected.id} version={selected} title={versionTitle(selected, versions)} text={text} current={current} canEdit={canEdit} busy={busy} onRestore={restore} />}
        </div>
      )}
    </section>
  );
}
