/**
 * Other people's cursors and selections in the editor, labelled with their
 * names and colours, read from Yjs awareness (`user: {name, color, id}`,
 * `cursor: {anchor, head}` as relative positions), and this tab's own cursor
 * written there.
 *
 * A name label shows while its person moves or types and fades out after
 * LABEL_SHOW_MS of stillness, so labels do not sit on top of the text; the
 * caret stays. `revealCursor` scrolls to a person's cursor (jump to, follow)
 * and shows their label again.
 *
 * y-codemirror.next ships an equivalent plugin, but its caret widget compares
 * only the colour, so CodeMirror keeps the old DOM and a renamed person's
 * label stays stale until a reload. This one compares name and colour too.
 */
import { type Extension, RangeSet, StateEffect } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, type PluginValue, ViewPlugin, type ViewUpdate, WidgetType } from "@codemirror/view";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { textColorOn } from "../lib/color";

type RemoteUser = { name: string; color: string };
type CursorJson = { anchor: unknown; head: unknown };

/** How long a label stays after its person last moved or typed. */
export const LABEL_SHOW_MS = 2_500;

/** Shows the label of awareness client `clientId` again (it was jumped to). */
const showLabel = StateEffect.define<number>();

/** The caret of one remote person, with a name label above it that fades when they are still. */
class CaretWidget extends WidgetType {
  constructor(
    readonly user: RemoteUser,
    readonly clientId: number,
    readonly idle: boolean,
  ) {
    super();
  }

  override toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = "cm-remote-caret";
    caret.dataset.clientId = String(this.clientId);
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-remote-caret-label";
    caret.append("\u2060", label, "\u2060");
    this.paint(caret);
    return caret;
  }

  /** Updates in place, so the label's fade is a CSS transition rather than a swap. */
  override updateDOM(dom: HTMLElement): boolean {
    if (dom.dataset.clientId !== String(this.clientId)) return false;
    this.paint(dom);
    return true;
  }

  override eq(other: CaretWidget): boolean {
    return other.user.name === this.user.name && other.user.color === this.user.color && other.clientId === this.clientId && other.idle === this.idle;
  }

  private paint(caret: HTMLElement): void {
    caret.style.borderColor = this.user.color;
    caret.classList.toggle("cm-remote-caret-idle", this.idle);
    const label = caret.querySelector<HTMLElement>(".cm-remote-caret-label");
    if (!label) return;
    label.style.backgroundColor = this.user.color;
    label.style.color = textColorOn(this.user.color);
    label.textContent = this.user.name;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

/** Reads a remote user's label from awareness, falling back to something sane. */
function userOf(state: Record<string, unknown>): RemoteUser {
  const user = state.user as Partial<RemoteUser> | undefined;
  const color = typeof user?.color === "string" && /^#[0-9a-f]{6}$/i.test(user.color) ? user.color : "#6b7280";
  const name = typeof user?.name === "string" && user.name.trim() ? user.name : "Someone";
  return { name, color };
}

function selectionMark(color: string): Decoration {
  return Decoration.mark({ class: "cm-remote-selection", attributes: { style: `background-color: ${color}33` } });
}

/** Builds the plugin for one Y.Text and the awareness that carries cursors. */
export function remoteCursors(ytext: Y.Text, awareness: Awareness): Extension {
  const doc = ytext.doc as Y.Doc;

  class RemoteCursorsPlugin implements PluginValue {
    decorations: DecorationSet = RangeSet.empty;
    private readonly onChange: (change: { added: number[]; updated: number[]; removed: number[] }) => void;
    /** When each remote client last moved, typed or was jumped to. */
    private readonly movedAt = new Map<number, number>();
    /** Where each remote caret was drawn last (typing right before it keeps its awareness position). */
    private readonly caretAt = new Map<number, number>();
    private fadeTimer: ReturnType<typeof setTimeout> | undefined;

    constructor(private readonly view: EditorView) {
      this.onChange = ({ added, updated, removed }) => {
        const now = Date.now();
        for (const id of [...added, ...updated]) if (id !== doc.clientID) this.movedAt.set(id, now);
        for (const id of removed) this.movedAt.delete(id);
        // Redraw only for other people's changes; our own cursor is drawn by CodeMirror.
        if ([...added, ...updated, ...removed].some((id) => id !== doc.clientID)) view.dispatch({});
      };
      awareness.on("change", this.onChange);
      this.decorations = this.build();
    }

    update(update: ViewUpdate): void {
      const now = Date.now();
      for (const tr of update.transactions) for (const e of tr.effects) if (e.is(showLabel)) this.movedAt.set(e.value, now);
      // An edit right at someone's caret is them typing: their label shows, though their cursor's awareness did not change.
      if (update.docChanged) for (const [id, at] of this.caretAt) if (update.changes.touchesRange(Math.max(0, at - 1), at)) this.movedAt.set(id, now);
      this.publishOwnCursor(update);
      this.decorations = this.build();
    }

    destroy(): void {
      clearTimeout(this.fadeTimer);
      awareness.off("change", this.onChange);
    }

    /** Writes our selection to awareness when it moved (only while focused). */
    private publishOwnCursor(update: ViewUpdate): void {
      const local = awareness.getLocalState();
      if (local == null) return;
      const focused = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus();
      if (!focused) return;
      const sel = update.state.selection.main;
      const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
      const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
      const current = local.cursor as CursorJson | null | undefined;
      if (
        current &&
        Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) &&
        Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)
      ) {
        return;
      }
      awareness.setLocalStateField("cursor", { anchor: Y.relativePositionToJSON(anchor), head: Y.relativePositionToJSON(head) });
    }

    private build(): DecorationSet {
      const ranges = [];
      const length = this.view.state.doc.length;
      const now = Date.now();
      let nextFade = Infinity;
      this.caretAt.clear();
      for (const [clientId, state] of awareness.getStates()) {
        if (clientId === doc.clientID) continue;
        const cursor = state.cursor as CursorJson | null | undefined;
        if (!cursor?.anchor || !cursor.head) continue;
        const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.anchor), doc);
        const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.head), doc);
        if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) continue;
        const user = userOf(state);
        const from = Math.min(anchor.index, head.index, length);
        const to = Math.min(Math.max(anchor.index, head.index), length);
        if (from < to) ranges.push(selectionMark(user.color).range(from, to));
        const at = Math.min(head.index, length);
        this.caretAt.set(clientId, at);
        const fadeAt = (this.movedAt.get(clientId) ?? 0) + LABEL_SHOW_MS;
        if (fadeAt > now) nextFade = Math.min(nextFade, fadeAt);
        ranges.push(Decoration.widget({ widget: new CaretWidget(user, clientId, fadeAt <= now), side: head.index > anchor.index ? -1 : 1 }).range(at));
      }
      clearTimeout(this.fadeTimer);
      // Redraw when the next label is due to fade (an empty transaction rebuilds the decorations).
      if (nextFade < Infinity) this.fadeTimer = setTimeout(() => this.view.dispatch({}), nextFade - now + 20);
      return Decoration.set(ranges, true);
    }
  }

  return [ViewPlugin.fromClass(RemoteCursorsPlugin, { decorations: (v) => v.decorations }), remoteCursorTheme];
}

const remoteCursorTheme = EditorView.baseTheme({
  ".cm-remote-caret": {
    position: "relative",
    borderLeft: "2px solid",
    marginLeft: "-1px",
    marginRight: "-1px",
  },
  ".cm-remote-caret-label": {
    transition: "opacity 300ms ease",
    position: "absolute",
    bottom: "100%",
    left: "-2px",
    padding: "0 4px",
    borderRadius: "3px 3px 3px 0",
    font: "600 11px/16px system-ui, sans-serif",
    whiteSpace: "nowrap",
    userSelect: "none",
    pointerEvents: "none",
    zIndex: "10",
  },
  ".cm-remote-caret-idle .cm-remote-caret-label": { opacity: "0" },
});

/** The awareness client id of person `personId` (their presence clientId) with a cursor in this text, or null. */
export function cursorOf(awareness: Awareness, personId: string): { clientId: number; head: Y.RelativePosition } | null {
  for (const [clientId, state] of awareness.getStates()) {
    const user = state.user as { id?: unknown } | undefined;
    const cursor = state.cursor as CursorJson | null | undefined;
    if (user?.id === personId && cursor?.head) return { clientId, head: Y.createRelativePositionFromJSON(cursor.head) };
  }
  return null;
}

/** Scrolls the editor to person `personId`'s cursor and shows their label; false if they have none here. */
export function revealCursor(view: EditorView, ytext: Y.Text, awareness: Awareness, personId: string): boolean {
  const found = cursorOf(awareness, personId);
  if (!found) return false;
  const pos = Y.createAbsolutePositionFromRelativePosition(found.head, ytext.doc as Y.Doc);
  if (!pos || pos.type !== ytext) return false;
  const at = Math.min(pos.index, view.state.doc.length);
  view.dispatch({ effects: [EditorView.scrollIntoView(at, { y: "center" }), showLabel.of(found.clientId)] });
  return true;
}
