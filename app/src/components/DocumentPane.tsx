/**
 * The document area: the Markdown editor and its rendered preview (side by
 * side on wide screens, a Write / Preview switch on narrow ones), a
 * "Following …" note while following someone, and Download .md.
 */
import type { EditorView } from "@codemirror/view";
import { type RefObject, useRef, useState } from "react";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { markdownFileName, useTitle } from "../doc/meta";
import type { Follow } from "../lib/use-follow";
import { useMediaQuery, WIDE_QUERY } from "../lib/use-media";
import type { RoomClient } from "../room/types";
import { Editor } from "./Editor";
import { HistoryPanel } from "./HistoryPanel";
import { MarkdownPreview } from "./MarkdownPreview";

type Props = {
  client: RoomClient;
  synced: boolean;
  readOnly: boolean;
  hidden: boolean;
  labelledBy?: string;
  viewRef: RefObject<EditorView | null>;
  follow: Follow;
  followingName: string | null;
  /** The page's room token, for the history's HTTP requests. */
  token: string | undefined;
};

/** Saves the document as a Markdown file named after the room's title. */
function download(client: RoomClient, title: string): void {
  const blob = new Blob([client.doc.getText(DOC_TEXT_NAME).toString()], { type: "text/markdown;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = markdownFileName(title, client.roomId);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DocumentPane({ client, synced, readOnly, hidden, labelledBy, viewRef, follow, followingName, token }: Props) {
  const wide = useMediaQuery(WIDE_QUERY);
  const [mode, setMode] = useState<"write" | "preview">("write");
  const [history, setHistory] = useState(false);
  const historyButton = useRef<HTMLButtonElement>(null);
  const closeHistory = () => {
    setHistory(false);
    historyButton.current?.focus();
  };
  const title = useTitle(client.doc);
  const showEditor = wide || mode === "write";
  const showPreview = wide || mode === "preview";
  return (
    <div className="document" hidden={hidden} role={labelledBy ? "tabpanel" : undefined} aria-labelledby={labelledBy} id="panel-document" data-split={wide || undefined}>
      <div className="document-toolbar">
        {!wide && (
          <div className="segmented" role="group" aria-label="Show">
            <button type="button" className="button button-small" aria-pressed={mode === "write"} onClick={() => setMode("write")}>
              Write
            </button>
            <button type="button" className="button button-small" aria-pressed={mode === "preview"} onClick={() => setMode("preview")}>
              Preview
            </button>
          </div>
        )}
        {follow.following && (
          <p className="following-note" role="status">
            Following {followingName ?? "someone"}
            <button type="button" className="button button-small button-quiet" onClick={() => follow.follow(null)}>
              Stop
            </button>
          </p>
        )}
        <button type="button" className="button button-small document-download" onClick={() => download(client, title)}>
          Download .md
        </button>
        <button
          type="button"
          ref={historyButton}
          className="button button-small"
          aria-expanded={history}
          aria-controls={history ? "history-panel" : undefined}
          onClick={() => (history ? closeHistory() : setHistory(true))}
        >
          History
        </button>
      </div>
      <div className="document-panes" hidden={history}>
        <Editor client={client} synced={synced} readOnly={readOnly} hidden={!showEditor} viewRef={viewRef} />
        <MarkdownPreview ytext={client.doc.getText(DOC_TEXT_NAME)} hidden={!showPreview || history} />
      </div>
      {history && <HistoryPanel client={client} token={token} canEdit={!readOnly} onClose={closeHistory} />}
    </div>
  );
}
