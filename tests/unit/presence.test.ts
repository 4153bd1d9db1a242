import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { mergeDeltas, Presence } from "../../party/core/presence";
import { BURST_PER_SECOND, BURST_WINDOW_MS, PresenceBatcher, QUIET_FRAMES, QUIET_WINDOW_MS, SEND_COST, SENDS_PER_SECOND } from "../../party/core/presence-batch";
import type { PresenceDelta } from "../../party/protocol";
import { ROOT } from "../helpers/server";

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

/**
 * Feeds one leave per entry of `times` (ascending) to `b`, flushing whenever a
 * window it asked for is due, as the room's timer does. Returns when each delta
 * went out, and when frames were sent.
 */
function drive(b: PresenceBatcher, times: number[], links = 1): { wentOut: number[]; frames: number[] } {
  const wentOut: number[] = [];
  const frames: number[] = [];
  let due: number | null = null;
  let held: number[] = [];
  const flushUntil = (t: number) => {
    if (due === null || due > t) return;
    const at = due;
    due = null;
    if (b.flush(at)) frames.push(at);
    for (const i of held) wentOut[i] = at;
    held = [];
  };
  times.forEach((t, i) => {
    flushUntil(t);
    const r = b.add({ type: "presence", leave: [`d${i}`] }, t, links);
    if (r.send) {
      frames.push(t);
      wentOut[i] = t;
    } else held.push(i);
    if (r.flushAt !== null) due = r.flushAt;
  });
  flushUntil(Number.POSITIVE_INFINITY);
  return { wentOut, frames };
}

test("quiet presence goes out at once, up to QUIET_FRAMES frames a window; past them merged to the window's end", () => {
  const b = new PresenceBatcher();
  const leave = (id: string): PresenceDelta => ({ type: "presence", leave: [id] });
  for (let i = 0; i < QUIET_FRAMES; i++) assert.deepEqual(b.add(leave(`a${i}`), i).send, leave(`a${i}`), `frame ${i}: sent now`);
  const held = b.add(leave("b"), QUIET_FRAMES);
  assert.equal(held.send, null, "past the window's frames: held");
  assert.equal(held.flushAt, QUIET_WINDOW_MS, "until the oldest of them is a window old");
  assert.equal(b.add(leave("c"), QUIET_FRAMES + 1).flushAt, null, "the window is already scheduled");
  assert.deepEqual(b.flush(QUIET_WINDOW_MS)?.leave, ["b", "c"], "merged");
});

test("a few leaves together (a sweep's ghosts) all go out at once, none held a window", () => {
  const b = new PresenceBatcher();
  drive(b, [0, 30, 60]);
  const ghosts = [1_000, 1_000, 1_001, 1_003];
  const { wentOut } = drive(b, ghosts);
  assert.deepEqual(wentOut, ghosts);
});

test("a crowd at once costs a few frames; a sustained burst one frame per burst window", () => {
  // Thirty hellos within a few ms.
  const crowd = drive(new PresenceBatcher(), Array.from({ length: 30 }, (_, i) => Math.floor(i / 10)));
  assert.ok(crowd.frames.length <= QUIET_FRAMES + 1, `30 joins at once: ${crowd.frames.length} frames`);
  // One delta a millisecond for 400 ms: quiet windows until more than BURST_PER_SECOND came, then burst windows.
  const { frames } = drive(new PresenceBatcher(), Array.from({ length: 400 }, (_, i) => 10_000 + i));
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  assert.ok(frames.filter((t) => t < 10_000 + QUIET_WINDOW_MS).length <= QUIET_FRAMES, `quiet windows first: ${frames.join(",")}`);
  assert.ok(gaps.slice(-2).every((g) => g === BURST_WINDOW_MS), `then burst windows: ${gaps.join(",")}`);
  assert.ok(frames.length < 400 / QUIET_WINDOW_MS, `far fewer frames than deltas: ${frames.length}`);
});

test("a storm stays batched across second boundaries: after its first second, one frame per burst window", () => {
  // 100 deltas a second for 3 s, one every 10 ms.
  const times = Array.from({ length: 300 }, (_, i) => 50_000 + i * 10);
  const { frames } = drive(new PresenceBatcher(), times);
  const inSecond = (k: number) => frames.filter((t) => t >= 50_000 + k * 1000 && t < 50_000 + (k + 1) * 1000).length;
  assert.ok(inSecond(0) <= BURST_PER_SECOND + 1000 / BURST_WINDOW_MS, `first second: ${inSecond(0)} frames`);
  for (const k of [1, 2]) assert.ok(inSecond(k) <= 1000 / BURST_WINDOW_MS + 1, `second ${k}: ${inSecond(k)} frames, not another ${BURST_PER_SECOND} let through`);
  assert.ok(frames.length <= times.length / 4, `${frames.length} frames for ${times.length} deltas`);
});

test("in a crowd a trickle of joins is a burst: presence frames times links stay near SENDS_PER_SECOND", () => {
  // 5,000 links, 30 joins a second for 10 s: in a room of 20 that is quiet (every join at once), here it is a burst.
  const times = Array.from({ length: 300 }, (_, i) => Math.round((i * 1000) / 30));
  const small = drive(new PresenceBatcher(), times, 20);
  assert.equal(small.frames.length, 300, "a room of 20: every join at once");
  const links = 5_000;
  const crowd = drive(new PresenceBatcher(), times, links);
  const perSecond = (crowd.frames.length * links) / 10;
  assert.ok(perSecond <= SENDS_PER_SECOND * 1.5, `${crowd.frames.length} frames to ${links} links in 10 s: ${perSecond} sends a second`);
  const gaps = crowd.frames.slice(1).map((t, i) => t - crowd.frames[i]!);
  assert.ok(Math.min(...gaps.slice(2)) >= (links * 1000) / SENDS_PER_SECOND, `frames a widened window apart: ${gaps.join(",")}`);
  assert.ok(Math.max(...crowd.wentOut.map((t, i) => t - times[i]!)) <= (links * 1000) / SENDS_PER_SECOND + 34, "no join waits much more than one window");
});

test("a frame to an HTTP session counts SEND_COST sends: joins a room of sockets sends one by one are a burst for as many SSE sessions", () => {
  // 1,000 links, 10 joins a second for 5 s.
  const times = Array.from({ length: 50 }, (_, i) => i * 100);
  const sockets = drive(new PresenceBatcher(), times, 1_000 * SEND_COST.websocket);
  assert.equal(sockets.frames.length, 50, "a thousand sockets: every join at once");
  const sends = 1_000 * SEND_COST.sse;
  const sse = drive(new PresenceBatcher(), times, sends);
  const perSecond = (sse.frames.length * sends) / 5;
  assert.ok(perSecond <= SENDS_PER_SECOND * 1.5, `${sse.frames.length} frames to 1,000 SSE sessions in 5 s: ${perSecond} sends a second as counted`);
  assert.ok(Math.max(...sse.wentOut.map((t, i) => t - times[i]!)) <= (sends * 1000) / SENDS_PER_SECOND + 34, "no join waits much more than one window");
});

test("SEND_COST is what npm run bench:send-cost measured: the committed medians, rounded", () => {
  const measured = JSON.parse(readFileSync(join(ROOT, "docs", "bench", "send-cost.json"), "utf8")) as { valid: boolean; overWebsocket: Record<string, { median: number }> };
  assert.ok(measured.valid, "docs/bench/send-cost.json is a valid run");
  for (const [transport, cost] of Object.entries(SEND_COST)) assert.equal(cost, Math.round(measured.overWebsocket[transport]!.median), transport);
});
