/** The history panel's words and comparison (app/src/lib/versions-view.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareTexts, diffSentence, editorsLine, sizeLabel, versionTitle } from "../../app/src/lib/versions-view";
import type { VersionInfo } from "../../party/protocol";

const version = (extra: Partial<VersionInfo>): VersionInfo => ({ id: 1, kind: "auto", at: 0, editors: [], bytes: 10, chars: 5, ...extra });

test("the comparison marks what only the version has and what only the current document has, and says how much", () => {
  const parts = compareTexts("the quick brown fox", "the slow brown fox jumps");
  assert.equal(parts.filter((p) => p.kind !== "version").map((p) => p.text).join(""), "the quick brown fox", "current = same + current-only");
  assert.equal(parts.filter((p) => p.kind !== "current").map((p) => p.text).join(""), "the slow brown fox jumps", "version = same + version-only");
  assert.deepEqual(parts.filter((p) => p.kind === "current").map((p) => p.text), ["quick"]);
  assert.equal(diffSentence(parts), "Compared with now: 10 characters only in this version, 5 characters only in the current document.");
  assert.equal(diffSentence(compareTexts("same", "same")), "Same text as now.");
});

test("titles, editors and sizes read as people say them", () => {
  const named = version({ id: 3, kind: "named", name: "Before the review" });
  assert.equal(versionTitle(named), "Before the review");
  assert.equal(versionTitle(version({ kind: "restore", restoredFrom: 3 }), [named]), "Restored “Before the review”");
  assert.equal(versionTitle(version({ kind: "restore", restoredFrom: 2 }), [named]), "Restored version 2", "what it restored was dropped or is automatic");
  assert.equal(versionTitle(version({})), "Automatic save");
  const people = (...names: string[]) => names.map((name, i) => ({ id: `u${i}`, name }));
  assert.equal(editorsLine(version({ editors: people("Ada") })), "edited by Ada");
  assert.equal(editorsLine(version({ editors: people("Ada", "Bo") })), "edited by Ada and Bo");
  assert.equal(editorsLine(version({ editors: people("Ada", "Bo", "Cy", "Di"), moreEditors: 2 })), "edited by Ada, Bo, Cy and 3 more");
  assert.equal(editorsLine(version({ editors: [{ id: "", name: "" }] })), "edited by a Yjs client");
  assert.equal(editorsLine(version({ kind: "named", by: { id: "u", name: "Ada" } })), "by Ada");
  assert.equal(editorsLine(version({})), "no edits since the previous version");
  assert.deepEqual([sizeLabel(812), sizeLabel(14_200), sizeLabel(2_500_000)], ["812 B", "14.2 KB", "2.5 MB"]);
});
