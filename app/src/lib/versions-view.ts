/**
 * Words and comparisons for the history panel, kept pure so they are unit
 * tested: what to call a version, who edited it, and how its text differs
 * from the current document (the `diff` package, by words; by lines when a
 * word diff would take too long).
 */
import { diffLines, diffWordsWithSpace } from "diff";
import type { VersionInfo } from "../../../party/protocol";

/** A run of text in the comparison: in both, only in the version (a restore brings it back), or only in the current document (a restore removes it). */
export type DiffPart = { kind: "same" | "version" | "current"; text: string };

/** Give up on a word diff after this long and compare lines instead. */
const WORD_DIFF_MS = 300;

/** The version's text compared with the current document. */
export function compareTexts(current: string, version: string): DiffPart[] {
  const changes = diffWordsWithSpace(current, version, { timeout: WORD_DIFF_MS }) ?? diffLines(current, version);
  return changes.map((c) => ({ kind: c.added ? "version" : c.removed ? "current" : "same", text: c.value }));
}

/** How many characters differ each way. */
export function diffSummary(parts: DiffPart[]): { onlyVersion: number; onlyCurrent: number } {
  let onlyVersion = 0;
  let onlyCurrent = 0;
  for (const p of parts) {
    if (p.kind === "version") onlyVersion += p.text.length;
    else if (p.kind === "current") onlyCurrent += p.text.length;
  }
  return { onlyVersion, onlyCurrent };
}

/** The summary as a sentence ("Same text as now." when nothing differs). */
export function diffSentence(parts: DiffPart[]): string {
  const { onlyVersion, onlyCurrent } = diffSummary(parts);
  if (onlyVersion === 0 && onlyCurrent === 0) return "Same text as now.";
  const chars = (n: number) => `${n.toLocaleString("en")} character${n === 1 ? "" : "s"}`;
  return `Compared with now: ${chars(onlyVersion)} only in this version, ${chars(onlyCurrent)} only in the current document.`;
}

/** The version's title in the list: its name, or what kind it is (a restore names what it restored, when `all` still has it). */
export function versionTitle(v: VersionInfo, all: readonly VersionInfo[] = []): string {
  switch (v.kind) {
    case "named":
      return v.name ?? "Named version";
    case "restore": {
      const from = all.find((x) => x.id === v.restoredFrom);
      if (from?.kind === "named") return `Restored “${from.name}”`;
      return v.restoredFrom !== undefined ? `Restored version ${v.restoredFrom}` : "Restored";
    }
    case "auto":
      return "Automatic save";
  }
}

/** Who edited (or acted), in a few words: "Ada and Bo", "Ada, Bo and 3 more", "nobody". */
export function editorsLine(v: VersionInfo): string {
  const names = v.editors.map((e) => e.name || (e.id ? "someone" : "a Yjs client"));
  const unique = [...new Set(names)];
  const more = (v.moreEditors ?? 0) + Math.max(0, unique.length - 3);
  const shown = unique.slice(0, 3);
  if (more > 0) shown.push(`${more} more`);
  if (shown.length === 0) return v.by?.name ? `by ${v.by.name}` : "no edits since the previous version";
  const list = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
  return `edited by ${list}`;
}

/** A size for people: "812 B", "14.2 KB". */
export function sizeLabel(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** When a version was saved: the time today, else the date and time. */
export function whenLabel(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return sameDay ? `Today ${time}` : `${d.toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric" })} ${time}`;
}
