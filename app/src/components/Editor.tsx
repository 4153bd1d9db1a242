/**
 * The shared document: a CodeMirror view bound to the room's Y.Text,
 * read-only for roles that may not edit. Until the document is known (the
 * server's sync, or an offline copy with content) a skeleton stands where
 * the "Start typing" placeholder would be wrong.
 */
import type { StateEffect } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { type RefObject, useEffect, useRef } from "react";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { documentExtensions } from "../editor/extensions";
import { type Access, accessCompartment } from "../editor/read-only";
import type { RoomClient } from "../room/types";
import { Skeleton } from "./Skeleton";

type Props = { client: RoomClient; synced: boolean; readOnly: boolean; hidden?: boolean; viewRef?: RefObject<EditorView | null> };

export function Editor({ client, synced, readOnly, hidden = false, viewRef }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<{ view: EditorView; set: (access: Access) => StateEffect<unknown>; access: Access } | null>(null);
  const accessNow = useRef<Access>({ readOnly, loaded: synced });
  accessNow.current = { readOnly, loaded: synced };

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const ytext = client.doc.getText(DOC_TEXT_NAME);
    const access = accessCompartment(accessNow.current);
    const view = new EditorView({
      doc: ytext.toString(),
      extensions: [documentExtensions(ytext, client.awareness), access.extension],
      parent,
    });
    editor.current = { view, set: access.set, access: accessNow.current };
    if (viewRef) viewRef.current = view;
    return () => {
      editor.current = null;
      if (viewRef) viewRef.current = null;
      view.destroy();
    };
  }, [client, viewRef]);

  useEffect(() => {
    const current = editor.current;
    if (!current || (current.access.readOnly === readOnly && current.access.loaded === synced)) return;
    current.access = { readOnly, loaded: synced };
    current.view.dispatch({ effects: current.set(current.access) });
  }, [readOnly, synced]);

  return (
    <section className="editor" aria-labelledby="editor-heading" aria-busy={!synced} data-readonly={readOnly || undefined} data-loading={!synced || undefined} hidden={hidden}>
      <h2 id="editor-heading" className="visually-hidden">
        Document
      </h2>
      <div className="editor-host" ref={host} />
      {!synced && (
        <div className="editor-loading">
          <Skeleton lines={5} label="Loading the document" />
        </div>
      )}
    </section>
  );
}
