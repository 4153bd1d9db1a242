import assert from "node:assert/strict";
import { test } from "node:test";
import { LinkFlow } from "../../party/core/flow";
import { READ_SLACK, UnreadLedger } from "../../party/core/unread";
import { BUDGETS, FLOW } from "../../party/protocol";

const LIMITS = { lowBytes: 100, highBytes: 200, budgetBytes: 1_000, stallMs: 30_000, probeAfterBytes: 50 };
/** The reporting slack in these tests (READ_SLACK): a link within it is never cut by a shared budget. */
const SLACK = 40;

/** A link from `address` attached to `ledger`, as the room attaches each session. */
function link(ledger: UnreadLedger, address: string): LinkFlow {
  const flow = new LinkFlow(0, LIMITS);
  flow.attach(ledger.account(address));
  return flow;
}

/** Sends `bytes` if the flow allows; returns its decision. */
function send(flow: LinkFlow, bytes: number): string {
  const d = flow.decide(bytes, "event");
  if (d === "send") flow.onSent(bytes, "event", 0);
  return d;
}

test("many links of one address, each under its own budget, are cut once the address passes its shared budget; other addresses are not", () => {
  const ledger = new UnreadLedger(2_000, 100_000, LIMITS.lowBytes, SLACK);
  const crowd = Array.from({ length: 10 }, () => link(ledger, "203.0.113.7"));
  const other = link(ledger, "198.51.100.1");
  // Each crowd link takes 180 bytes and never reads: alone, far under its 1,000-byte budget.
  assert.deepEqual(crowd.map((f) => send(f, 180)), Array(10).fill("send"), "1,800 bytes: under the address's 2,000");
  assert.equal(ledger.bytes, 1_800);
  // Past 2,000 for the address: a link that would then be more than its share (min(lowBytes, 2,000/10)) behind is closed.
  assert.equal(send(crowd[0]!, 300), "close");
  assert.equal(send(other, 300), "send", "another address has its own budget");
  // A crowd link that reads keeps working: its next frame leaves it under its share.
  crowd[1]!.onRead(180, 0);
  assert.equal(send(crowd[1]!, 90), "send");
});

test("the room's budget covers links of every address and of unknown ones; an ended link gives its bytes back", () => {
  const ledger = new UnreadLedger(1_000_000, 1_000, LIMITS.lowBytes, SLACK);
  const links = ["a", "b", "", ""].map((addr) => link(ledger, addr));
  for (const f of links) assert.equal(send(f, 240), "send");
  assert.equal(ledger.bytes, 960);
  assert.equal(send(links[2]!, 100), "close", "past the room's 1,000 and past its share of it (1,000/4 = 250)");
  links[0]!.detach();
  links[1]!.detach();
  assert.equal(ledger.bytes, 480, "what the ended links had unread is no longer counted");
  assert.equal(send(links[2]!, 100), "send", "back under the room's budget");
});

test("a link restored with unread bytes counts them from the moment it is attached", () => {
  const ledger = new UnreadLedger(1_000, 10_000, LIMITS.lowBytes, SLACK);
  const flow = new LinkFlow(0, LIMITS);
  flow.restore([900, 100]);
  flow.attach(ledger.account("a"));
  assert.equal(ledger.bytes, 800);
  flow.onRead(900, 0);
  assert.equal(ledger.bytes, 0);
});

test("in a crowd, a link within the reporting slack is not cut, however small the share; one past it is", () => {
  // 100 links share a 1,000-byte room budget: 10 bytes each, below the 40 a client may hold before it reports.
  const ledger = new UnreadLedger(1_000_000, 1_000, LIMITS.lowBytes, SLACK);
  const crowd = Array.from({ length: 100 }, () => link(ledger, ""));
  for (const f of crowd) assert.equal(send(f, 30), "send");
  assert.equal(ledger.bytes, 3_000, "the room is three times over its budget");
  assert.equal(send(crowd[0]!, 10), "send", "40 unread: within the slack, keeping up by the protocol's measure");
  assert.equal(send(crowd[1]!, 11), "close", "41 unread while the room is over: behind");
});

test("a joiner's unread greeting (the welcome with the roster) counts toward neither its budget nor its share", () => {
  const ledger = new UnreadLedger(1_000_000, 1_000, LIMITS.lowBytes, SLACK);
  // 50 links at 30 bytes: the room is over its 1,000, and a share (1,000 / 51) is below the slack, so the slack rules.
  const crowd = Array.from({ length: 50 }, () => link(ledger, ""));
  for (const f of crowd) assert.equal(send(f, 30), "send");
  const joiner = new LinkFlow(0, LIMITS);
  joiner.attach(ledger.account(""));
  assert.equal(joiner.decide(1_500, "greeting"), "send", "a greeting is never refused");
  joiner.onSent(1_500, "greeting", 0);
  assert.ok(ledger.bytes > 1_000, "the room is over its budget");
  assert.equal(send(joiner, 30), "send", "30 unread besides the greeting: within the slack");
  assert.equal(send(joiner, 20), "close", "50 besides the greeting: past the share");
  // The same joiner, had its welcome been an ordinary event, would have been cut at once (the bug at 1,000 sockets).
  const plain = link(ledger, "");
  assert.equal(send(plain, 1_500), "close");
});

test("past its share of a shared budget, a link's presence and awareness wait instead of closing it, and go out once it reads", () => {
  const ledger = new UnreadLedger(1_000_000, 1_000, LIMITS.lowBytes, SLACK);
  const crowd = Array.from({ length: 50 }, () => link(ledger, ""));
  for (const f of crowd) assert.equal(send(f, 30), "send");
  const f = crowd[0]!;
  assert.equal(f.decide(20, "latest"), "hold", "50 unread, past the slack while the room is over: held, not closed");
  assert.equal(f.decide(5, "event"), "send", "an event within the slack still goes");
  f.onSent(5, "event", 0);
  assert.equal(f.onRead(35, 0), true, "read up: the held frames may go out");
  assert.equal(f.decide(20, "latest"), "send");
});

test("a socket is not cut while one report interval is unreported and its report is on its way; an HTTP session's slack is one interval", () => {
  // The room's own ledger, with FLOW's numbers: a crowd of 5,000 sockets from one address, far over its budget.
  const ledger = new UnreadLedger();
  const attach = (kind: keyof typeof READ_SLACK) => {
    const flow = new LinkFlow(0);
    flow.attach(ledger.account("203.0.113.9", READ_SLACK[kind]));
    return flow;
  };
  const crowd = Array.from({ length: 5_000 }, () => attach("websocket"));
  for (const f of crowd) f.onSent(16 * 1024, "event", 0);
  assert.ok(ledger.bytes > BUDGETS.unreadBytesPerRoom, "the address and the room are over their budgets");
  const f = crowd[0]!;
  // It received an interval's worth and sent its report; until the report arrives the room goes on sending.
  f.onSent(FLOW.reportEveryBytes - 16 * 1024, "event", 0);
  for (let i = 0; i < 20; i++) assert.equal(send(f, 1_000), "send", `frame ${i} while the report is in flight`);
  f.onRead(FLOW.reportEveryBytes, 0);
  assert.equal(f.unread, 20_000, "the report arrived: what was in flight is all that is unread");
  // A socket that stopped reading is cut once past two intervals; an HTTP session (its outbox is the room's) past one.
  const cutAt = (flow: LinkFlow) => {
    while (send(flow, 1_000) === "send");
    return flow.unread;
  };
  const socket = cutAt(crowd[1]!);
  assert.ok(socket <= READ_SLACK.websocket && socket + 1_000 > READ_SLACK.websocket, `socket cut at ${socket}`);
  const http = cutAt(attach("sse"));
  assert.ok(http <= READ_SLACK.sse && http + 1_000 > READ_SLACK.sse, `HTTP session cut at ${http}`);
  assert.deepEqual(READ_SLACK, { websocket: 2 * FLOW.reportEveryBytes, sse: FLOW.reportEveryBytes, poll: FLOW.reportEveryBytes });
});
