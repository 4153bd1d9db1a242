/**
 * The CodeMirror setup for a room's document: Markdown, highlighted and soft-wrapped,
 * bound to the shared Y.Text. Undo/redo go through a Y.UndoManager that only
 * tracks this tab's edits, so Ctrl+Z never removes someone else's typing.
 * Tab is left to the browser (moves focus), so keyboard users can leave.
 * Editable or not (and the placeholder) is up to read-only.ts.
 */
import { defaultKeymap } from "@codemirror/commands";
import type { Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap } from "@codemirror/view";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { markdownSupport } from "./markdown-style";
import { remoteCursors } from "./remote-cursors";

/** Everything the editor needs, given the shared text and awareness. */
export function documentExtensions(ytext: Y.Text, awareness: Awareness): Extension {
  // No tracked origins up front: the binding adds its own, so only local edits are undoable.
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
  return [
    // Awareness is left out here on purpose: remoteCursors draws the carets.
    yCollab(ytext, null, { undoManager }),
    remoteCursors(ytext, awareness),
    markdownSupport(),
    keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
    drawSelection(),
    highlightActiveLine(),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": "Document" }),
    editorTheme,
  ];
}

/** Colours come from the page's CSS variables, so light and dark themes just work. */
const editorTheme = EditorView.theme({
  "&": {
    height: "100%",
    color: "var(--text)",
    backgroundColor: "var(--surface)",
    fontSize: "15px",
  },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": {
    fontFamily: "var(--font-mono)",
    lineHeight: "1.6",
  },
  ".cm-content": {
    padding: "24px 0 40vh",
    caretColor: "var(--accent)",
  },
  ".cm-line": { padding: "0 24px" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--accent)", borderLeftWidth: "2px" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--selection) !important",
  },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  "&:not(.cm-focused) .cm-activeLine": { backgroundColor: "transparent" },
  ".cm-placeholder": { color: "var(--text-muted)" },
});
