import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeDeltas, Presence } from "../../party/core/presence";
import { BURST_PER_SECOND, BURST_WINDOW_MS, PresenceBatcher, QUIET_WINDOW_MS } from "../../party/core/presence-batch";
import type { PresenceDelta } from "../../party/protocol";

const ada = { clientId: "ada", name: "Ada", color: "#ff0000", status: "active" as const, updatedAt: 0 };
const bob = { clientId: "bob", name: "Bob", color: "#00ff00", status: "active" as const, updatedAt: 0 };

/** Presence with lastSeen kept per connection id, as the room's sessions keep it. */
function table() {
  const seen = new Map<string, number>();
  return { p: new Presence((id) => seen.get(id) ?? 0), seen };
}

test("first connection of a person is a join, a second tab is an update with two connections", () => {
  const { p } = table();
  assert.deepEqual(p.join("s1", { ...ada })?.join?.map((x) => x.clientId), ["ada"]);
  const second = p.join("s2", { ...ada });
  assert.equal(second?.join, undefined);
  assert.equal(second?.update?.[0]?.connections, 2);
  assert.equal(p.people().length, 1);
  // Closing one tab keeps the person; closing the last makes them leave.
  assert.equal(p.leave("s1")?.update?.[0]?.connections, 1);
  assert.deepEqual(p.leave("s2")?.leave, ["ada"]);
  assert.equal(p.people().length, 0);
});

test("a status change is a delta only when visible; the best status of a person's tabs wins; lastSeen is the newest tab's", () => {
  const { p, seen } = table();
  p.join("s1", { ...ada });
  p.join("s2", { ...ada });
  assert.equal(p.update("s1", { status: "idle" }, 6_000), null, "other tab still active, nothing visible changed");
  assert.equal(p.update("s2", { status: "away" }, 7_000)?.update?.[0]?.status, "idle");
  seen.set("s1", 5_000).set("s2", 7_000);
  assert.equal(p.person("ada")?.lastSeen, 7_000);
});

test("a rename applies to every tab of that person", () => {
  const { p } = table();
  p.join("s1", { ...ada });
  p.join("s2", { ...ada });
  assert.equal(p.update("s1", { name: "Ada L.", color: "#123456" }, 100)?.update?.[0]?.name, "Ada L.");
  p.leave("s1");
  assert.equal(p.person("ada")?.name, "Ada L.");
  assert.equal(p.update("s2", { name: "Ada L." }, 200), null, "no visible change, no delta");
});

test("restore puts entries back without a delta, in the order people arrived", () => {
  const { p } = table();
  p.restore("s2", { ...bob });
  p.restore("s1", { ...ada });
  p.restore("s3", { ...bob });
  assert.deepEqual(p.people().map((x) => [x.clientId, x.connections]), [["bob", 2], ["ada", 1]]);
});

test("mergeDeltas folds bursts: join then leave cancels, leave then join is an update", () => {
  const person = (name: string) => ({ clientId: "x", name, color: "#000000", status: "active" as const, connections: 1, lastSeen: 0 });
  assert.equal(mergeDeltas({ type: "presence", join: [person("a")] }, { type: "presence", leave: ["x"] }), null);
  assert.deepEqual(mergeDeltas({ type: "presence", leave: ["x"] }, { type: "presence", join: [person("b")] }), { type: "presence", update: [person("b")] });
  assert.deepEqual(mergeDeltas({ type: "presence", join: [person("a")] }, { type: "presence", update: [person("c")] }), { type: "presence", join: [person("c")] });
});

test("batching is a function of time: quiet deltas go at once, then at most one per window, wider in a burst", () => {
  const b = new PresenceBatcher();
  const join = (id: string): PresenceDelta => ({ type: "presence", leave: [id] });
  assert.deepEqual(b.add(join("a"), 0).send, join("a"), "quiet: sent now");
  const second = b.add(join("b"), 5);
  assert.equal(second.send, null, "inside the window: held");
  assert.equal(second.flushAt, QUIET_WINDOW_MS);
  assert.equal(b.add(join("c"), 10).flushAt, null, "the window is already scheduled");
  assert.deepEqual(b.flush(QUIET_WINDOW_MS)?.leave, ["b", "c"], "merged");
  // A burst: one delta a millisecond. Sends go out every QUIET_WINDOW_MS until more than BURST_PER_SECOND came in a second, then every BURST_WINDOW_MS.
  const burst = new PresenceBatcher();
  const sends: number[] = [];
  let due: number | null = null;
  for (let t = 10_000; t < 10_400; t++) {
    if (due !== null && t >= due) {
      if (burst.flush(t)) sends.push(t);
      due = null;
    }
    const r = burst.add(join(`p${t}`), t);
    if (r.send) sends.push(t);
    if (r.flushAt !== null) due = r.flushAt;
  }
  const gaps = sends.slice(1).map((t, i) => t - sends[i]!);
  assert.equal(gaps[0], QUIET_WINDOW_MS, "quiet windows first");
  assert.ok(gaps.slice(-2).every((g) => g === BURST_WINDOW_MS), `then burst windows: ${gaps.join(",")}`);
  assert.ok(sends.length < 400 / QUIET_WINDOW_MS, "far fewer frames than deltas");
});
