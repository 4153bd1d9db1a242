/**
 * Whether this tab may edit the document (its role), switched at run time
 * through a Compartment: read-only makes the state refuse user changes and
 * the content non-editable, while remote edits still come in. The
 * placeholder ("Start typing…", "Nothing written yet.") only appears once
 * the document is known: before that, empty is not the truth.
 */
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, placeholder } from "@codemirror/view";

/** What the editor may do and knows. */
export type Access = { readOnly: boolean; loaded: boolean };

/** The extensions for an editable or a read-only document. */
export function accessExtensions({ readOnly, loaded }: Access): Extension {
  const hint = loaded ? [placeholder(readOnly ? "Nothing written yet." : "Start typing. Everyone in the room sees it as you type.")] : [];
  if (!readOnly) return hint;
  return [EditorState.readOnly.of(true), EditorView.editable.of(false), hint];
}

/** A compartment per editor, started with `access`; `set` returns the effect that switches it. */
export function accessCompartment(access: Access) {
  const compartment = new Compartment();
  return {
    extension: compartment.of(accessExtensions(access)),
    set: (next: Access) => compartment.reconfigure(accessExtensions(next)),
  };
}
