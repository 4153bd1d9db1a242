/**
 * The version history's pure rules: retention (party/core/retention.ts) on
 * a fake clock, and how a restore rewrites the text (text-replace.ts): the
 * fewest changes it cheaply finds, so an offline edit in text the restore
 * keeps merges where its author put it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as Y from "yjs";
import { prune, type Retained, type RetentionPolicy } from "../../party/core/retention";
import { replaceText, textSteps } from "../../party/core/text-replace";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const POLICY: RetentionPolicy = { keepAllMs: DAY, periodMs: DAY, keepMs: 30 * DAY, budgetBytes: Number.POSITIVE_INFINITY };
/** Midnight UTC, so periods (days) start on round numbers. */
const NOW = Date.UTC(2026, 5, 30);

let nextId = 1;
const v = (at: number, kind: Retained["kind"] = "auto", bytes = 100): Retained => ({ id: nextId++, at, kind, bytes });
const ids = (vs: Retained[]) => vs.map((x) => x.id);

test("every version of the last day is kept; before that, the last of each day; past the horizon, none but named ones and the newest", () => {
  nextId = 1;
  const recent = [v(NOW - 23 * HOUR), v(NOW - 2 * HOUR), v(NOW - 60_000)];
  // Two days ago: three versions in one UTC day, the last of them kept.
  const dayA = [v(NOW - 2 * DAY + HOUR), v(NOW - 2 * DAY + 5 * HOUR), v(NOW - 2 * DAY + 20 * HOUR)];
  const dayB = [v(NOW - 10 * DAY + 3 * HOUR)];
  const ancient = [v(NOW - 40 * DAY), v(NOW - 31 * DAY)];
  const namedOld = v(NOW - 90 * DAY, "named");
  const all = [namedOld, ...ancient, ...dayB, ...dayA, ...recent].sort((a, b) => a.id - b.id);
  const { aged, overBudget } = prune(all, NOW, POLICY);
  assert.deepEqual(ids(aged).sort((a, b) => a - b), [dayA[0]!.id, dayA[1]!.id, ancient[0]!.id, ancient[1]!.id].sort((a, b) => a - b));
  assert.deepEqual(overBudget, []);
});

test("restore versions age like automatic ones; the newest version is kept whatever its age", () => {
  nextId = 1;
  const old = [v(NOW - 50 * DAY, "restore"), v(NOW - 45 * DAY, "auto")];
  const { aged } = prune(old, NOW, POLICY);
  assert.deepEqual(ids(aged), [old[0]!.id], "the older goes; the newest stays even past the horizon");
});

test("a fake clock moving on: a day later the same versions are thinned, a month later gone", () => {
  nextId = 1;
  // One version an hour over a day, and a named one among them (ids follow time, as saves do).
  const day = Array.from({ length: 24 }, (_, i) => v(NOW + i * HOUR));
  const named = { ...v(0, "named"), id: 1.5, at: NOW + 90 * 60_000 };
  const all = [...day, named];
  const end = NOW + 23 * HOUR;
  assert.deepEqual(prune(all, end, POLICY).aged, [], "all within the last day");
  const nextDay = prune(all, end + DAY + HOUR, POLICY);
  assert.deepEqual(ids(nextDay.aged), ids(day.slice(0, 23)), "only the last of that day is left (and the named one)");
  const later = prune(all, end + 31 * DAY, POLICY);
  assert.deepEqual(ids(later.aged), ids(day.slice(0, 23)), "the newest is still kept; the named one never ages");
});

test("over the budget: oldest automatic first, named only when no automatic one is left, never the newest", () => {
  nextId = 1;
  const a1 = v(NOW - 5 * HOUR, "auto", 400);
  const n1 = v(NOW - 4 * HOUR, "named", 400);
  const a2 = v(NOW - 3 * HOUR, "restore", 400);
  const n2 = v(NOW - 2 * HOUR, "named", 400);
  const last = v(NOW - HOUR, "auto", 400);
  const all = [a1, n1, a2, n2, last];
  const budget = (b: number) => ids(prune(all, NOW, { ...POLICY, budgetBytes: b }).overBudget);
  assert.deepEqual(budget(2_000), []);
  assert.deepEqual(budget(1_600), [a1.id]);
  assert.deepEqual(budget(1_200), [a1.id, a2.id], "both non-named go before any named one");
  assert.deepEqual(budget(800), [a1.id, a2.id, n1.id]);
  assert.deepEqual(budget(100), [a1.id, a2.id, n1.id, n2.id], "the newest stays even alone over the budget");
});

/** A doc with `text`, and a second doc synced from it. */
function pair(text: string): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  a.getText("content").insert(0, text);
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return [a, b];
}

test("a restore rewrites only what differs, as one transaction, and an offline edit in kept text merges in place", () => {
  const before = "# Title\n\nintro line\nold middle\nclosing line\n";
  const target = "# Title\n\nintro line\nrestored middle\nclosing line\n";
  const [server, offline] = pair(before);
  const updates: Uint8Array[] = [];
  server.on("update", (u: Uint8Array) => updates.push(u));
  replaceText(server.getText("content"), target, "restore");
  assert.equal(server.getText("content").toString(), target);
  assert.equal(updates.length, 1, "one change");
  // Meanwhile, offline, someone added to a line the restore keeps.
  const off = offline.getText("content");
  off.insert(off.toString().indexOf("closing") + "closing".length, " (offline note)");
  Y.applyUpdate(offline, updates[0]!);
  Y.applyUpdate(server, Y.encodeStateAsUpdate(offline));
  const merged = "# Title\n\nintro line\nrestored middle\nclosing (offline note) line\n";
  assert.equal(server.getText("content").toString(), merged);
  assert.equal(offline.getText("content").toString(), merged);
  // The common start and end stay to the character ("old" and "restored" share their last "d").
  assert.deepEqual(textSteps(before, target).filter((s) => !("keep" in s)), [{ remove: 2 }, { insert: "restore" }]);
});

test("restoring text: empty either side, equal text, and surrogate pairs are never split", () => {
  for (const [from, to] of [
    ["", "new text"],
    ["old text", ""],
    ["same", "same"],
    ["a😀b", "a😃b"],
    ["x😀", "x😀y"],
    ["😀 one\ntwo", "😃 one\nthree"],
  ]) {
    const [doc] = pair(from!);
    replaceText(doc.getText("content"), to!, null);
    assert.equal(doc.getText("content").toString(), to);
  }
});
