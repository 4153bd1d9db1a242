import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatMessage } from "../../party/protocol";
import { ChatTimeline } from "../../app/src/room/chat-log";

const msg = (seq: number): ChatMessage => ({ seq, id: `m${seq}`, clientId: "c", name: "N", color: "#000000", text: `text ${seq}`, ts: seq });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
const seqs = (log: ChatTimeline) => log.messages.map((m) => m.seq);

test("a fresh welcome sets the base from the latest page", () => {
  const log = new ChatTimeline();
  assert.equal(log.isBased, false);
  log.welcome({ seq: 60, messages: range(11, 60) }, false);
  assert.deepEqual(seqs(log), range(11, 60).map((m) => m.seq));
  assert.equal(log.lastSeq, 60);
  assert.equal(log.oldestSeq, 11);
  assert.equal(log.hasOlder, true);
  assert.equal(log.hasGap(), false);
  assert.equal(log.isBased, true);
});

test("an empty room has nothing older and no gap", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 0, messages: [] }, false);
  assert.deepEqual([log.lastSeq, log.oldestSeq, log.hasOlder, log.hasGap()], [0, 1, false, false]);
});

test("live messages in order are appended; duplicates and old seqs are ignored", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 2, messages: range(1, 2) }, false);
  log.live(msg(3));
  log.live(msg(3));
  log.live(msg(2));
  log.live(msg(4));
  assert.deepEqual(seqs(log), [1, 2, 3, 4]);
  assert.equal(log.hasGap(), false);
});

test("a gap is detected, buffered messages wait, and a sync fills the hole exactly once", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 2, messages: range(1, 2) }, false);
  log.live(msg(5));
  log.live(msg(4));
  assert.deepEqual(seqs(log), [1, 2], "nothing past the hole is shown");
  assert.equal(log.hasGap(), true);
  // The sync reply overlaps what is buffered: 3, 4, 5 and a new 6.
  const moved = log.syncPage({ messages: range(3, 6), hasMore: false, seq: 6 });
  assert.equal(moved, true);
  assert.deepEqual(seqs(log), [1, 2, 3, 4, 5, 6]);
  assert.equal(log.hasGap(), false);
  // A late duplicate broadcast changes nothing.
  log.live(msg(5));
  assert.deepEqual(seqs(log), [1, 2, 3, 4, 5, 6]);
});

test("a welcome whose last message is below its seq is a gap", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 1, messages: range(1, 1) }, false);
  log.welcome({ seq: 300, messages: range(2, 201) }, true);
  assert.equal(log.lastSeq, 201);
  assert.equal(log.hasGap(), true);
  log.syncPage({ messages: range(202, 300), hasMore: false, seq: 300 });
  assert.equal(log.hasGap(), false);
  assert.equal(log.messages.length, 300);
});

test("an ack for a seq not yet seen is a gap", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 3, messages: range(1, 3) }, false);
  log.noteSeq(4);
  assert.equal(log.hasGap(), true);
  assert.equal(log.syncPage({ messages: [], hasMore: false, seq: 3 }), false, "an empty reply makes no progress");
});

test("a resumed welcome merges only what is new", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 3, messages: range(1, 3) }, false);
  log.welcome({ seq: 5, messages: range(2, 5) }, true);
  assert.deepEqual(seqs(log), [1, 2, 3, 4, 5]);
});

test("broadcasts that arrive before the first welcome are kept or dropped by seq", () => {
  const log = new ChatTimeline();
  log.live(msg(10));
  log.live(msg(12));
  log.welcome({ seq: 11, messages: range(9, 11) }, false);
  assert.deepEqual(seqs(log), [9, 10, 11, 12]);
  assert.equal(log.hasGap(), false);
});

test("a room whose log went backwards restarts the view", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 50, messages: range(41, 50) }, false);
  log.welcome({ seq: 3, messages: [] }, true);
  assert.deepEqual(seqs(log), []);
  assert.equal(log.lastSeq, 3);
  assert.equal(log.hasOlder, true, "the client then loads the latest page as history");
  log.historyPage({ messages: range(1, 3), hasMore: false, seq: 3 });
  assert.deepEqual(seqs(log), [1, 2, 3]);
  assert.equal(log.hasOlder, false);
  log.live(msg(4));
  assert.deepEqual(seqs(log), [1, 2, 3, 4]);
});

test("history pages are prepended contiguously and end when the server says so", () => {
  const log = new ChatTimeline();
  log.welcome({ seq: 100, messages: range(51, 100) }, false);
  log.historyPage({ messages: range(1, 50).slice(-25), hasMore: true, seq: 100 });
  assert.equal(log.oldestSeq, 26);
  assert.equal(log.hasOlder, true);
  // A stale or overlapping page only adds what fits below the oldest.
  log.historyPage({ messages: range(20, 30), hasMore: true, seq: 100 });
  assert.equal(log.oldestSeq, 20);
  log.historyPage({ messages: range(1, 19), hasMore: false, seq: 100 });
  assert.deepEqual(seqs(log), range(1, 100).map((m) => m.seq));
  assert.equal(log.hasOlder, false);
});
