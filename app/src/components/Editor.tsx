/** The shared document: a CodeMirror view bound to the room's Y.Text. */
import { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { documentExtensions } from "../editor/extensions";
import type { RoomClient } from "../room/types";

type Props = { client: RoomClient; synced: boolean };

export function Editor({ client, synced }: Props) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const ytext = client.doc.getText(DOC_TEXT_NAME);
    const view = new EditorView({
      doc: ytext.toString(),
      extensions: documentExtensions(ytext, client.awareness),
      parent,
    });
    return () => view.destroy();
  }, [client]);

  return (
    <section className="editor" aria-labelledby="editor-heading" aria-busy={!synced}>
      <h2 id="editor-heading" className="visually-hidden">
        Document
      </h2>
      <div className="editor-host" ref={host} />
      {!synced && <p className="editor-loading">Loading the document…</p>}
    </section>
  );
}
