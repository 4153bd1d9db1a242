/**
 * A room past its presence list (LIMITS.presenceListed people, made small
 * here): everyone is counted, only the longest present are listed, a listed
 * leave lists the next to have arrived, and a wake lists the same people
 * whatever order the connections come back in. Without the cap every joiner
 * of a crowd downloads the whole roster and every link hears every join.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { mergeDeltas, type PeopleChange, Presence } from "../../party/core/presence";
import { FLOW, type PresenceDelta } from "../../party/protocol";
import { SEND_COST, SENDS_PER_SECOND } from "../../party/core/presence-batch";
import { disposeRooms, OPEN, type RecordingLink, room } from "../helpers/core";

after(disposeRooms);

const entry = (clientId: string) => ({ clientId, name: clientId, color: "#336699", status: "active" as const, updatedAt: 0 });
const ids = (delta: PresenceDelta | null, list: "join" | "update") => delta?.[list]?.map((p) => p.clientId);

test("past the list a join only counts; a listed leave lists the next to have arrived; events tell every arrival and departure", () => {
  const changes: PeopleChange[] = [];
  const p = new Presence(() => 0, 2, (c) => changes.push(c));
  assert.deepEqual(p.join("a1", entry("ada")), { type: "presence", join: [p.person("ada")!], people: 1 });
  assert.deepEqual(ids(p.join("b1", entry("bob")), "join"), ["bob"]);
  assert.deepEqual(p.join("c1", entry("cy")), { type: "presence", people: 3 }, "the third is counted, not listed");
  assert.deepEqual(p.join("d1", entry("dee")), { type: "presence", people: 4 });
  assert.equal(p.isListed("cy"), false);
  assert.equal(p.join("c2", entry("cy")), null, "an unlisted person's second tab changes nothing anyone sees");
  assert.equal(p.leave("c2"), null);
  // A listed person leaves: the longest present of the rest (cy, not dee) is listed in the same delta.
  const left = p.leave("a1");
  assert.deepEqual(left?.leave, ["ada"]);
  assert.deepEqual(ids(left, "join"), ["cy"]);
  assert.equal(left?.people, 3);
  assert.equal(p.isListed("cy"), true);
  // An unlisted leave is a count.
  assert.deepEqual(p.leave("d1"), { type: "presence", people: 2 });
  assert.deepEqual(
    changes.map((c) => (c.type === "joined" ? `+${c.person.clientId}` : `-${c.clientId}`)),
    ["+ada", "+bob", "+cy", "+dee", "-ada", "-dee"],
    "the room's events count people, not the list: no event for cy's listing or second tab",
  );
});

test("a welcome lists the listed and the joiner; the whole roster is still there for HTTP", () => {
  const p = new Presence(() => 0, 2);
  for (const id of ["ada", "bob", "cy", "dee"]) p.join(`${id}1`, entry(id));
  assert.deepEqual(p.listedFor("dee").map((x) => x.clientId), ["ada", "bob", "dee"]);
  assert.deepEqual(p.listedFor("bob").map((x) => x.clientId), ["ada", "bob"]);
  assert.equal(p.people().length, 4);
  assert.equal(p.count, 4);
});

test("after a wake the list is the same people, whatever order the connections come back in", () => {
  const before = new Presence(() => 0, 2);
  const entries = ["ada", "bob", "cy", "dee"].map((id) => {
    const e = entry(id);
    before.join(`${id}1`, e);
    return [`${id}1`, e] as const;
  });
  before.leave("ada1"); // cy is listed now: the list is bob, cy.
  const woken = new Presence(() => 0, 2);
  for (const [id, e] of entries.slice(1).reverse()) woken.restore(id, { ...e });
  woken.restored();
  assert.deepEqual(woken.listedFor("none").map((x) => x.clientId), ["bob", "cy"]);
  // And arrivals go on after the last one restored: a newcomer is not listed ahead of anyone.
  assert.deepEqual(woken.join("eve1", entry("eve")), { type: "presence", people: 4 });
  assert.deepEqual(ids(woken.leave("bob1"), "join"), ["dee"]);
});

test("merged deltas keep the later count, and a count alone is a delta", () => {
  assert.deepEqual(mergeDeltas({ type: "presence", people: 5 }, { type: "presence", people: 6 }), { type: "presence", people: 6 });
  assert.deepEqual(mergeDeltas({ type: "presence", people: 5 }, null), { type: "presence", people: 5 });
});

test("in a room past its list: welcomes carry the list and the count, unlisted changes reach only their own tabs, a listed leave lists the next", async () => {
  const h = await room({ presenceListed: 2, config: { maxConnectionsPerAddress: 100 } });
  const ada = await h.join("ada");
  const adaId = ada.of("welcome")[0]!.clientId!;
  const bob = await h.join("bob");
  const cy = await h.join("cy");
  const cy2 = await h.join("cy");
  const welcome = cy.of("welcome")[0]!;
  assert.deepEqual(
    welcome.presence.map((p) => p.name),
    ["ada", "bob", "cy"],
    "the listed, and the joiner",
  );
  assert.equal(welcome.people, 3);
  await h.wait(1_000); // past any presence batch window
  assert.equal(counts(ada).at(-1), 3, "a listed person hears the count go up");
  assert.ok(!names(ada).includes("cy"), "and never hears of cy");

  ada.clear();
  await h.send(cy2, { type: "presence", name: "Cy" });
  assert.equal(ada.of("presence").length, 0, "an unlisted person's change is nobody else's business");
  assert.equal(cy.of("presence").at(-1)?.update?.[0]?.name, "Cy", "their other tab hears it");
  assert.equal(cy2.of("presence").at(-1)?.update?.[0]?.name, "Cy", "and so does the tab that made it");

  // Ada leaves: Bob hears her leave, cy listed, the count.
  await h.send(ada, { type: "heartbeat" });
  h.core.disconnect(ada);
  await h.wait(1_000);
  const last = bob.of("presence").at(-1)!;
  assert.deepEqual(last.leave, [adaId]);
  assert.deepEqual(last.join?.map((p) => p.name), ["Cy"]);
  assert.equal(last.people, 2);
});

test("a link held behind its flow mark while only unlisted people came hears the count when it catches up", async () => {
  const h = await room({ presenceListed: 2, config: { ttlMs: 600_000, heartbeatMs: 300_000, maxConnectionsPerAddress: 100 } });
  const writer = await h.join("writer");
  const slow = await h.join("slow");
  // About 2 KB chats until slow is past the high mark and its presence is held.
  for (let i = 0; slow.bytes < FLOW.highBytes + 10_000; i++) {
    await h.send(writer, { type: "chat", id: `b${i}`, text: "y".repeat(1_900) });
    await h.send(writer, { type: "read", bytes: writer.bytes });
    if (i % 20 === 19) await h.wait(2_000); // stay under the chat rate
  }
  const before = slow.of("presence").length;
  await h.join("cy");
  await h.join("dee");
  await h.wait(1_000);
  assert.equal(slow.of("presence").length, before, "held while behind");
  assert.deepEqual(counts(writer).at(-1), 4, "a link that reads heard the count");
  await h.send(slow, { type: "read", bytes: slow.bytes });
  assert.deepEqual(slow.of("presence").slice(before), [{ type: "presence", people: 4 }], "one delta: the count, nobody listed");
});

/** Counts a link heard, in order. */
function counts(link: RecordingLink): number[] {
  return link.of("presence").flatMap((d) => (d.people === undefined ? [] : [d.people]));
}

/** Everyone a link heard of by name, in joins and updates. */
function names(link: RecordingLink): string[] {
  return link.of("presence").flatMap((d) => [...(d.join ?? []), ...(d.update ?? [])].map((p) => p.name));
}

test("the room counts an HTTP session's presence frame as SEND_COST sends: a crowd of SSE sessions gets presence in wider windows than one of sockets", async () => {
  const listeners = 400;
  const joins = 30;
  /** Presence frames a watching socket hears while `joins` people join, ten a second, with `listeners` of `transport` in the room. */
  const framesHeard = async (transport: "websocket" | "sse") => {
    // Everyone listed, so every join is news to the watcher.
    const h = await room({ presenceListed: 1_000, config: { maxConnectionsPerAddress: 1_000, maxConnectionsPerUser: 1_000 } });
    const watcher = await h.join("watcher");
    for (let i = 0; i < listeners; i++) {
      const hello = { type: "hello", v: 1, clientId: `l${i}`, name: `l${i}`, color: "#336699" };
      if (transport === "websocket") await h.join(`l${i}`);
      else assert.ok("id" in (await h.core.http.openSession(JSON.stringify(hello), "sse", OPEN, "")));
    }
    await h.wait(3_000); // the listeners' own joins have gone out and their second has passed
    watcher.clear();
    for (let i = 0; i < joins; i++) {
      await h.join(`j${i}`);
      await h.wait(100);
    }
    await h.wait(2_000);
    const frames = watcher.of("presence");
    const heard = new Set(frames.flatMap((d) => d.join?.map((p) => p.clientId) ?? []));
    assert.equal(heard.size, joins, `${transport}: the watcher hears every join`);
    return frames.length;
  };
  const sockets = await framesHeard("websocket");
  const sse = await framesHeard("sse");
  assert.equal(sockets, joins, "among sockets (about 4,000 sends a second) every join goes out at once");
  // As counted, the SSE room's presence stays near the budget: with each session counted as one socket it was quiet too (every join at once, twice the budget).
  const sends = listeners * SEND_COST.sse + (1 + joins) * SEND_COST.websocket;
  const perSecond = (sse * sends) / (joins / 10);
  assert.ok(perSecond <= SENDS_PER_SECOND * 1.5, `among SSE sessions joins are merged: ${sse} frames for ${joins} joins, ${Math.round(perSecond)} sends a second as counted`);
});
