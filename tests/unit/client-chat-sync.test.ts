/**
 * The app client's catch-up after a long absence (app/src/room/chat-session.ts):
 * chat pages are capped in bytes (LIMITS.pageBytes), so a resume may take many
 * `sync` requests. They go out one at a time within the client's own budget,
 * so the room's frame rate never refuses them; and one the room does refuse
 * (`error` with ref "sync") is asked again later instead of stalling the log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatSession } from "../../app/src/room/chat-session";
import { TokenBucket } from "../../party/core/rate";
import { PendingQueue } from "../../app/src/room/pending";
import { type ChatMessage, type ClientMessage, PROTOCOL_VERSION, RATE_LIMIT, type ServerMessage } from "../../party/protocol";

const msg = (seq: number): ChatMessage => ({ seq, id: `m${seq}`, clientId: "other", name: "N", color: "#000000", text: `text ${seq}`, ts: seq });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
const welcome = (seq: number, messages: ChatMessage[]): Extract<ServerMessage, { type: "welcome" }> => ({
  type: "welcome", v: PROTOCOL_VERSION, roomId: "r", connectionId: "c", clientId: "me", seq, presence: [], messages, heartbeatMs: 10_000, ttlMs: 30_000, serverTime: 0,
});

/** A chat session whose frames go through the room's own per-socket bucket: `refused` counts what the room would refuse. */
function session() {
  const sent: ClientMessage[] = [];
  const room = new TokenBucket(RATE_LIMIT.burst, RATE_LIMIT.perSecond, Date.now());
  let refused = 0;
  const chat = new ChatSession(new PendingQueue(null, "k"), "me", (m) => {
    if (!room.take(Date.now())) refused++;
    sent.push(m);
    return true;
  }, () => undefined);
  const syncs = () => sent.filter((m): m is Extract<ClientMessage, { type: "sync" }> => m.type === "sync");
  return { chat, syncs, refused: () => refused };
}

test("a long catch-up asks for its pages within the room's frame rate", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  const { chat, syncs, refused } = session();
  chat.welcome(welcome(2_000, range(1, 40)), 1, true);
  // Pages of 40 answered at once, as fast as a loopback room can: 49 more are needed.
  let answered = 0;
  for (let ms = 0; ms < 30_000; ms += 10) {
    while (answered < syncs().length) {
      const after = syncs()[answered++]!.after;
      chat.receive({ type: "messages", for: "sync", messages: range(after + 1, Math.min(after + 40, 2_000)), hasMore: after + 40 < 2_000, seq: 2_000 });
    }
    t.mock.timers.tick(10);
  }
  assert.equal(chat.log.lastSeq, 2_000, "caught up");
  assert.equal(chat.log.hasGap(), false);
  assert.equal(syncs().length, 49);
  assert.equal(refused(), 0, "the room's bucket took every request");
});

test("a sync the room refused is asked again later; the log does not stall", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  const { chat, syncs } = session();
  chat.welcome(welcome(100, range(1, 40)), 1, true);
  assert.equal(syncs().length, 1);
  chat.receive({ type: "error", code: "rate_limited", message: "retry in 70 ms", ref: "sync" });
  assert.equal(syncs().length, 1, "not at once");
  t.mock.timers.tick(1_000);
  assert.equal(syncs().length, 2, "asked again");
  assert.equal(syncs()[1]!.after, 40);
  chat.receive({ type: "messages", for: "sync", messages: range(41, 100), hasMore: false, seq: 100 });
  assert.equal(chat.log.lastSeq, 100);
});
