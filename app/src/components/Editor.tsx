/** The shared document: a CodeMirror view bound to the room's Y.Text, read-only for roles that may not edit. */
import type { StateEffect } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { documentExtensions } from "../editor/extensions";
import { accessCompartment } from "../editor/read-only";
import type { RoomClient } from "../room/types";

type Props = { client: RoomClient; synced: boolean; readOnly: boolean };

export function Editor({ client, synced, readOnly }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<{ view: EditorView; set: (readOnly: boolean) => StateEffect<unknown> } | null>(null);
  const readOnlyNow = useRef(readOnly);
  readOnlyNow.current = readOnly;

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const ytext = client.doc.getText(DOC_TEXT_NAME);
    const access = accessCompartment(readOnlyNow.current);
    const view = new EditorView({
      doc: ytext.toString(),
      extensions: [documentExtensions(ytext, client.awareness), access.extension],
      parent,
    });
    editor.current = { view, set: access.set };
    return () => {
      editor.current = null;
      view.destroy();
    };
  }, [client]);

  useEffect(() => {
    const current = editor.current;
    if (current && current.view.state.readOnly !== readOnly) current.view.dispatch({ effects: current.set(readOnly) });
  }, [readOnly]);

  return (
    <section className="editor" aria-labelledby="editor-heading" aria-busy={!synced} data-readonly={readOnly || undefined}>
      <h2 id="editor-heading" className="visually-hidden">
        Document
      </h2>
      <div className="editor-host" ref={host} />
      {!synced && <p className="editor-loading">Loading the document…</p>}
    </section>
  );
}
