/** Pure pieces of the room page: chat rows, typing words, connection state mapping, file names, titles. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as Y from "yjs";
import type { ChatMessage, Person } from "../../party/protocol";
import { markdownFileName, readTitle, TITLE_MAX, writeTitle } from "../../app/src/doc/meta";
import { chatRows, dayLabel, GROUP_GAP_MS } from "../../app/src/lib/chat-rows";
import { mentionNames } from "../../app/src/lib/mention-names";
import { connecting, connectionState, type Link, wentOffline } from "../../app/src/room/link-state";
import type { Peer } from "../../app/src/room/peers";
import type { ChatLine } from "../../app/src/room/types";
import { typingText } from "../../app/src/components/TypingIndicator";

const NOW = new Date(2026, 2, 10, 12, 0).getTime();
const msg = (seq: number, clientId: string, ts: number, own = false): ChatLine => ({
  kind: "message",
  own,
  message: { seq, id: `m${seq}`, clientId, name: clientId, color: "#123456", text: `t${seq}`, ts } as ChatMessage,
});

test("chat rows: a day separator where the day changes, grouping by sender within the gap", () => {
  const yesterday = NOW - 86_400_000;
  const rows = chatRows(
    [msg(1, "ada", yesterday), msg(2, "ada", NOW - 60_000), msg(3, "ada", NOW - 30_000), msg(4, "bo", NOW - 20_000), msg(5, "bo", NOW - 20_000 + GROUP_GAP_MS)],
    "me",
    NOW,
  );
  assert.deepEqual(
    rows.map((r) => (r.kind === "day" ? r.label : `${r.key}${r.grouped ? "+" : ""}`)),
    ["Yesterday", "m1", "Today", "m2", "m3+", "m4", "m5"],
  );
  const pending: ChatLine = { kind: "pending", id: "p1", text: "x", state: "sending", createdAt: NOW };
  const mine = chatRows([msg(6, "me", NOW - 1_000, true), pending], "me", NOW);
  const last = mine.at(-1);
  assert.ok(last?.kind === "line" && last.grouped, "a pending line groups with one's own message");
});

test("day labels: today, yesterday, then dates (with the year when it is another)", () => {
  assert.equal(dayLabel(NOW, NOW), "Today");
  assert.equal(dayLabel(NOW - 86_400_000, NOW), "Yesterday");
  assert.match(dayLabel(new Date(2026, 0, 5).getTime(), NOW), /5/);
  assert.match(dayLabel(new Date(2024, 0, 5).getTime(), NOW), /2024/);
});

test("typing words", () => {
  const peer = (name: string, typing: boolean): Peer => ({ awarenessId: name.length, personId: name, name, color: "#000000", typing, following: null, hasCursor: false });
  assert.equal(typingText([]), "");
  assert.equal(typingText([peer("Ada", true), peer("Bo", false)]), "Ada is typing…");
  assert.equal(typingText([peer("Ada", true), peer("Bo", true)]), "Ada and Bo are typing…");
  assert.equal(typingText([peer("Ada", true), peer("Bo", true), peer("Cy", true)]), "Several people are typing…");
});

test("the connection union maps to what the UI shows, with the last close carried until a welcome", () => {
  const close = { code: 1013, reason: "try again later" };
  const waiting: Link = { phase: "waiting", attempt: 2, at: 5_000, offline: false, lastClose: close };
  assert.deepEqual(connectionState(waiting, "websocket"), { state: "reconnecting", attempt: 2, nextRetryAt: 5_000, transport: "websocket", lastClose: close });
  const next = connecting(waiting, 2);
  assert.deepEqual(connectionState(next, "sse"), { state: "connecting", attempt: 2, transport: "sse", lastClose: close });
  assert.deepEqual(connectionState(wentOffline(waiting), "websocket"), { state: "offline", transport: "websocket" });
  const welcomed: Link = { phase: "welcomed", generation: 1, since: 7 };
  assert.equal(wentOffline(welcomed), welcomed, "a working socket is not declared offline by the event alone");
  assert.deepEqual(connectionState({ phase: "closed", close: { code: 4400, reason: "invalid room id" } }, "websocket"), { state: "closed", code: 4400, reason: "invalid room id", transport: "websocket" });
});

test("the room title lives in the Y.Doc beside the text, trimmed and capped; file names are safe", () => {
  const doc = new Y.Doc();
  assert.equal(readTitle(doc), "");
  writeTitle(doc, "  Q3   planning \n");
  assert.equal(readTitle(doc), "Q3 planning");
  writeTitle(doc, "x".repeat(500));
  assert.equal(readTitle(doc).length, TITLE_MAX);
  writeTitle(doc, "   ");
  assert.equal(readTitle(doc), "");
  assert.equal(doc.getText("content").toString(), "", "the document text is untouched");
  assert.equal(markdownFileName("Q3 planning: café/notes?", "room"), "Q3-planning-cafenotes.md");
  assert.equal(markdownFileName("", "standup-7"), "standup-7.md");
  assert.equal(markdownFileName("???", "!!"), "document.md");
});

test("mention names: the listed people, then the chat's writers who are not listed, newest first, never yourself", () => {
  const person = (clientId: string): Person => ({ clientId, name: clientId, color: "#123456", status: "active", connections: 1, lastSeen: NOW }) as Person;
  const pending: ChatLine = { kind: "pending", id: "p1", text: "mine", state: "sending", createdAt: NOW };
  const chat = [msg(1, "old", NOW - 3), msg(2, "ada", NOW - 2), msg(3, "me", NOW - 1, true), msg(4, "zoe", NOW), pending];
  assert.deepEqual(mentionNames([person("me"), person("ada"), person("bo")], chat, "me"), ["ada", "bo", "zoe", "old"]);
  assert.deepEqual(mentionNames([], [], "me"), []);
});
