/**
 * Whether this tab may edit the document (its role), switched at run time
 * through a Compartment: read-only makes the state refuse user changes and
 * the content non-editable, while remote edits still come in.
 */
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, placeholder } from "@codemirror/view";

/** The extensions for an editable or a read-only document. */
export function accessExtensions(readOnly: boolean): Extension {
  if (!readOnly) return placeholder("Start typing. Everyone in the room sees it as you type.");
  return [EditorState.readOnly.of(true), EditorView.editable.of(false), placeholder("Nothing written yet.")];
}

/** A compartment per editor, started editable or not; `set` returns the effect that switches it. */
export function accessCompartment(readOnly: boolean) {
  const compartment = new Compartment();
  return {
    extension: compartment.of(accessExtensions(readOnly)),
    set: (nextReadOnly: boolean) => compartment.reconfigure(accessExtensions(nextReadOnly)),
  };
}
