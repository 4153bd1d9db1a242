/**
 * The presence log (core/presence-log.ts): one log of who changed at which
 * version, from which a link that fell behind gets one delta of what it missed,
 * instead of every held link keeping (and re-merging) a copy of its own.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PresenceLog } from "../../party/core/presence-log";
import type { Person, PresenceDelta } from "../../party/protocol";

const person = (clientId: string, status: Person["status"] = "active"): Person => ({ clientId, name: clientId, color: "#000000", status, connections: 1, lastSeen: 0 });

/** A log fed deltas while `present` tracks who is here now, as the room's presence does. */
function fixture() {
  const log = new PresenceLog();
  const present = new Map<string, Person>();
  const apply = (delta: PresenceDelta) => {
    for (const p of [...(delta.join ?? []), ...(delta.update ?? [])]) present.set(p.clientId, p);
    for (const id of delta.leave ?? []) present.delete(id);
    return log.record(delta);
  };
  return { log, apply, since: (seen: number) => log.since(seen, (id) => present.get(id)) };
}

test("a link that saw version v gets arrivals as joins, the newest state of those it knew, leaves of those it saw, nothing of who came and went", () => {
  const { apply, since } = fixture();
  apply({ type: "presence", join: [person("carol"), person("erin")] });
  const seen = apply({ type: "presence", update: [person("carol", "idle")] });
  apply({ type: "presence", join: [person("bob")] });
  apply({ type: "presence", update: [person("bob", "idle")] });
  apply({ type: "presence", update: [person("bob", "away")] });
  apply({ type: "presence", update: [person("carol", "away")] });
  apply({ type: "presence", leave: ["erin"] });
  apply({ type: "presence", join: [person("dave")] });
  apply({ type: "presence", leave: ["dave"] });
  assert.deepEqual(since(seen), { type: "presence", join: [person("bob", "away")], update: [person("carol", "away")], leave: ["erin"] });
  assert.equal(since(seen + 100), null, "nothing newer: nothing to send");
});

test("someone who left and came back while the link was behind is sent in their current state, never as a leave", () => {
  const { apply, since } = fixture();
  const seen = apply({ type: "presence", join: [person("ann")] });
  apply({ type: "presence", leave: ["ann"] });
  apply({ type: "presence", join: [person("ann", "idle")] });
  const delta = since(seen)!;
  assert.equal(delta.leave, undefined);
  assert.deepEqual([...(delta.join ?? []), ...(delta.update ?? [])], [person("ann", "idle")]);
});

test("the log keeps only what a held link still needs: pruned to the oldest version one had seen, and empty when none is held", () => {
  const { log, apply, since } = fixture();
  for (let i = 0; i < 10; i++) apply({ type: "presence", join: [person(`p${i}`)] });
  const seen = 4;
  log.prune(seen);
  assert.equal(log.length, 6, "changes after version 4");
  assert.equal(log.floor, 4);
  assert.deepEqual(since(seen)!.join!.map((p) => p.clientId), ["p4", "p5", "p6", "p7", "p8", "p9"]);
  log.prune(log.current);
  assert.equal(log.length, 0);
  assert.equal(since(log.current), null);
  // seenWithin: the oldest version whose delta walks at most n changes.
  for (let i = 10; i < 20; i++) apply({ type: "presence", join: [person(`p${i}`)] });
  assert.equal(log.seenWithin(3), log.current - 3);
  assert.equal(log.seenWithin(50), log.floor);
});

test("a leave's record goes with its change: pruning does not keep the people who left", () => {
  const { log, apply } = fixture();
  for (let i = 0; i < 1_000; i++) {
    apply({ type: "presence", join: [person(`v${i}`)] });
    apply({ type: "presence", leave: [`v${i}`] });
    log.prune(log.current);
  }
  assert.equal(log.length, 0);
  assert.equal((log as unknown as { leftAt: Map<string, unknown> }).leftAt.size, 0);
  assert.equal((log as unknown as { joinedAt: Map<string, unknown> }).joinedAt.size, 0);
});
