import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeDeltas, Presence } from "../../party/presence";

const ada = { clientId: "ada", name: "Ada", color: "#ff0000", status: "active" as const };
const bob = { clientId: "bob", name: "Bob", color: "#00ff00", status: "active" as const };

test("first socket of a person is a join, a second tab is an update with two connections", () => {
  const p = new Presence(30_000);
  assert.deepEqual(p.join("s1", ada, 0)?.join?.map((x) => x.clientId), ["ada"]);
  const second = p.join("s2", ada, 10);
  assert.equal(second?.join, undefined);
  assert.equal(second?.update?.[0]?.connections, 2);
  assert.equal(p.people().length, 1);
  // Closing one tab keeps the person; closing the last makes them leave.
  assert.equal(p.leave("s1")?.update?.[0]?.connections, 1);
  assert.deepEqual(p.leave("s2")?.leave, ["ada"]);
  assert.equal(p.people().length, 0);
});

test("heartbeats are silent; a status change is a delta; the best status of a person's tabs wins", () => {
  const p = new Presence(30_000);
  p.join("s1", ada, 0);
  p.join("s2", ada, 0);
  assert.equal(p.touch("s1", 5_000), null);
  assert.equal(p.touch("s1", 6_000, "idle"), null, "other tab still active, nothing visible changed");
  const away = p.touch("s2", 7_000, "away");
  assert.equal(away?.update?.[0]?.status, "idle");
  assert.equal(p.person("ada")?.lastSeen, 7_000);
});

test("a rename applies to every tab of that person", () => {
  const p = new Presence(30_000);
  p.join("s1", ada, 0);
  p.join("s2", ada, 0);
  const delta = p.update("s1", { name: "Ada L.", color: "#123456" }, 100);
  assert.equal(delta?.update?.[0]?.name, "Ada L.");
  p.leave("s1");
  assert.equal(p.person("ada")?.name, "Ada L.");
  assert.equal(p.update("s2", { name: "Ada L." }, 200), null, "no visible change, no delta");
});

test("sweepExpired removes exactly the sockets silent for longer than the TTL", () => {
  const p = new Presence(30_000);
  p.join("s1", ada, 0);
  p.join("s2", bob, 0);
  p.touch("s2", 20_000);
  assert.equal(p.nextExpiry(), 30_000);
  assert.deepEqual(p.sweepExpired(30_000).expired, [], "exactly at the TTL is still present");
  const { expired, delta } = p.sweepExpired(30_001);
  assert.deepEqual(expired, ["s1"]);
  assert.deepEqual(delta?.leave, ["ada"]);
  assert.equal(p.nextExpiry(), 50_000);
  assert.deepEqual(p.sweepExpired(50_001).delta?.leave, ["bob"]);
  assert.equal(p.nextExpiry(), null);
});

test("mergeDeltas folds bursts: join then leave cancels, leave then join is an update", () => {
  const person = (name: string) => ({ clientId: "x", name, color: "#000000", status: "active" as const, connections: 1, lastSeen: 0 });
  assert.equal(mergeDeltas({ type: "presence", join: [person("a")] }, { type: "presence", leave: ["x"] }), null);
  assert.deepEqual(mergeDeltas({ type: "presence", leave: ["x"] }, { type: "presence", join: [person("b")] }), { type: "presence", update: [person("b")] });
  assert.deepEqual(mergeDeltas({ type: "presence", join: [person("a")] }, { type: "presence", update: [person("c")] }), { type: "presence", join: [person("c")] });
});
