/**
 * The room's title, kept in the same Y.Doc as the text (a Y.Map named
 * DOC_META_NAME), so everyone sees renames live and no server change is
 * needed. The document text stays the one Y.Text named DOC_TEXT_NAME, so
 * stock Yjs clients and `GET …/doc` are unaffected.
 */
import { useCallback, useSyncExternalStore } from "react";
import type * as Y from "yjs";

/** The Y.Map holding room metadata. */
export const DOC_META_NAME = "meta";
/** Longest title kept (longer input is cut). */
export const TITLE_MAX = 120;

/** The title, or "" when nobody has set one. */
export function readTitle(doc: Y.Doc): string {
  const title = doc.getMap(DOC_META_NAME).get("title");
  return typeof title === "string" ? title : "";
}

/** Sets (or with "" clears) the title, trimmed and cut to TITLE_MAX. */
export function writeTitle(doc: Y.Doc, title: string): void {
  const clean = title.replace(/\s+/g, " ").trim().slice(0, TITLE_MAX);
  const meta = doc.getMap(DOC_META_NAME);
  if (clean === readTitle(doc)) return;
  if (clean) meta.set("title", clean);
  else meta.delete("title");
}

/** The title, re-rendering when anyone changes it. */
export function useTitle(doc: Y.Doc): string {
  const subscribe = useCallback(
    (listener: () => void) => {
      const meta = doc.getMap(DOC_META_NAME);
      meta.observe(listener);
      return () => meta.unobserve(listener);
    },
    [doc],
  );
  return useSyncExternalStore(subscribe, () => readTitle(doc));
}

/** A file name for the document: the title (or room id) made safe, with `.md`. */
export function markdownFileName(title: string, roomId: string): string {
  const base = (title || roomId)
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 80);
  return `${base || "document"}.md`;
}
