import assert from "node:assert/strict";
import { test } from "node:test";
import { LinkFlow } from "../../party/core/flow";
import { UnreadLedger } from "../../party/core/unread";

const LIMITS = { lowBytes: 100, highBytes: 200, budgetBytes: 1_000, stallMs: 30_000, probeAfterBytes: 50 };

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
  const ledger = new UnreadLedger(2_000, 100_000, LIMITS.lowBytes);
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
  const ledger = new UnreadLedger(1_000_000, 1_000, LIMITS.lowBytes);
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
  const ledger = new UnreadLedger(1_000, 10_000, LIMITS.lowBytes);
  const flow = new LinkFlow(0, LIMITS);
  flow.restore([900, 100]);
  flow.attach(ledger.account("a"));
  assert.equal(ledger.bytes, 800);
  flow.onRead(900, 0);
  assert.equal(ledger.bytes, 0);
});
