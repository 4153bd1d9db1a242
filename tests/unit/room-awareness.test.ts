/**
 * Awareness ownership against stock providers (core/yjs-frames.ts). A stock
 * y-websocket provider re-sends every awareness change it sees, other peers'
 * states included: those echoes must change nothing and cost the peer
 * nothing (no strike: 21 of them in 10 s used to close it 4429, which
 * y-websocket takes as final), while its own state still goes through.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { BUDGETS, RATE_LIMIT, YjsFrame } from "../../party/protocol";
import { type Harness, OPEN, room, step1Frame } from "../helpers/core";

/** Awareness instances run a timer: every one made here is destroyed at the end. */
const made: awarenessProtocol.Awareness[] = [];
after(() => made.forEach((aw) => aw.destroy()));

/** A peer's own awareness (its doc's client id), and frames of any states it holds. */
function peer(name: string) {
  const doc = new Y.Doc();
  const aw = new awarenessProtocol.Awareness(doc);
  made.push(aw);
  aw.setLocalState({ user: { name } });
  const frame = (ids = [doc.clientID], from = aw) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.awareness);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(from, ids));
    return encoding.toUint8Array(e);
  };
  return { doc, aw, id: doc.clientID, frame };
}

/** The name the room holds for an awareness id. */
const nameIn = (h: Harness, id: number) => (h.core.doc!.sync.awareness.getStates().get(id) as { user?: { name?: string } } | undefined)?.user?.name;

for (const [label, addresses] of [
  ["different addresses", ["198.51.100.1", "198.51.100.2"]],
  ["the same address", ["198.51.100.7", "198.51.100.7"]],
] as const) {
  test(`a stock provider's echoes of another peer's state (${label}) are dropped without a strike; its own state goes through`, async () => {
    const h = await room();
    const x = peer("X");
    const w = peer("W");
    const xLink = h.connect(OPEN, addresses[0]);
    const wLink = h.connect(OPEN, addresses[1]);
    await h.binary(xLink, step1Frame());
    await h.binary(wLink, step1Frame());
    await h.binary(xLink, x.frame());
    // W's copy of X's state, as y-websocket holds it after the room sent it, with W's own state.
    awarenessProtocol.applyAwarenessUpdate(w.aw, awarenessProtocol.encodeAwarenessUpdate(x.aw, [x.id]), "room");
    for (let i = 0; i < RATE_LIMIT.strikes + 5; i++) {
      await h.binary(wLink, w.frame([x.id]));
      // A removal too, as y-websocket sends when its own timeout drops X.
      awarenessProtocol.removeAwarenessStates(w.aw, [x.id], "timeout");
      await h.binary(wLink, w.frame([x.id]));
      awarenessProtocol.applyAwarenessUpdate(w.aw, awarenessProtocol.encodeAwarenessUpdate(x.aw, [x.id]), "room");
      await h.wait(100);
    }
    w.aw.setLocalState({ user: { name: "W2" } });
    await h.binary(wLink, w.frame([w.id, x.id]));
    assert.equal(wLink.closed, null, "no strikes for echoes");
    assert.equal(nameIn(h, x.id), "X", "X's state is X's");
    assert.equal(nameIn(h, w.id), "W2", "W's own state went through");
    // X still owns its state: when X goes, it goes; W's stays.
    h.core.disconnect(xLink);
    assert.equal(nameIn(h, x.id), undefined);
    assert.equal(nameIn(h, w.id), "W2");
  });
}

test("a stock provider reconnecting from the same address takes its state over with a newer clock", async () => {
  const h = await room();
  const a = peer("A");
  const old = h.connect(OPEN, "198.51.100.9");
  await h.binary(old, step1Frame());
  await h.binary(old, a.frame());
  const fresh = h.connect(OPEN, "198.51.100.9");
  await h.binary(fresh, step1Frame());
  a.aw.setLocalState({ user: { name: "A again" } });
  await h.binary(fresh, a.frame());
  h.core.disconnect(old);
  assert.equal(nameIn(h, a.id), "A again", "the old connection's leave does not remove the state the new one took over");
});

test("a stock provider's states of ids nobody owns count against its budget: one update with more is cut at the budget, the peer stays", async () => {
  const h = await room();
  const w = peer("W");
  const link = h.connect(OPEN, "198.51.100.20");
  await h.binary(link, step1Frame());
  // States of departed peers W still holds (the room let them go): ids the room does not know, all in one update.
  const ghosts = Array.from({ length: BUDGETS.awarenessIdsPerConnection + 6 }, (_, i) => {
    const g = peer(`ghost ${i}`);
    awarenessProtocol.applyAwarenessUpdate(w.aw, awarenessProtocol.encodeAwarenessUpdate(g.aw, [g.id]), "room");
    return g.id;
  });
  for (let i = 0; i < RATE_LIMIT.strikes + 2; i++) {
    await h.binary(link, w.frame([w.id, ...ghosts]));
    await h.wait(100);
  }
  assert.equal(link.closed, null, "dropped, not struck");
  const held = [w.id, ...ghosts].filter((id) => nameIn(h, id) !== undefined);
  assert.equal(held.length, BUDGETS.awarenessIdsPerConnection, "the room holds the budget's worth from this connection, no more");
  assert.equal(nameIn(h, w.id), "W", "its own state, first in the update, is among them");
});
