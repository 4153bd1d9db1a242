/**
 * A room that was evicted and woken carries on as if nothing happened: a new
 * core built from the same storage and the connections' saved records has
 * the same presence (nobody sees a leave or a join), the next chat seq, the
 * same deadlines (a connection silent since is swept at its TTL, a token
 * still expires on time), the same awareness owners, and its HTTP sessions
 * (whose outboxes start empty: a resume is a gap and gets a fresh welcome).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { recordSeenSlackMs } from "../../party/core/room-links";
import { WakeTimeline } from "../../party/core/wake-timeline";
import { CloseCode, YjsFrame } from "../../party/protocol";
import { FakeClock, OPEN, type RecordingLink, room, settle, step1Frame, disposeRooms } from "../helpers/core";

after(disposeRooms);

/** Builds a second core on the same storage and clock, and gives it back every link with its record: a wake. */
async function wake(h: Awaited<ReturnType<typeof room>>, links: RecordingLink[], config = h.config) {
  const woken = await room({ storage: h.storage, clock: h.clock, config });
  for (const l of links) if (!l.closed) assert.ok(woken.core.restore(l, l.record), "record restores");
  woken.core.restored();
  for (const l of links) l.clear();
  return woken;
}

test("after a wake: no spurious leave or join, the next seq, and deadlines kept", async () => {
  const clock = new FakeClock();
  const exp = clock.t + 20_000;
  const h = await room({ clock, config: { heartbeatMs: 5_000, ttlMs: 15_000 } });
  const ada = await h.join("ada");
  const bob = await h.join("bob", {}, { role: "edit", userId: "bob", exp });
  const quiet = await h.join("quiet");
  await h.send(ada, { type: "chat", id: "m1", text: "before" });
  await h.clock.advance(1_000);
  const w = await wake(h, [ada, bob, quiet]);
  assert.deepEqual(w.core.presence.people().map((p) => [p.name, p.connections]), [["ada", 1], ["bob", 1], ["quiet", 1]]);
  await w.send(ada, { type: "chat", id: "m2", text: "after" });
  assert.equal(ada.of("ack")[0]?.seq, 2, "the next seq");
  assert.equal(bob.of("presence").length, 0, "nobody saw a leave or a join");
  // Ada and Bob heartbeat; Quiet stays silent and is swept at its TTL; Bob's token runs out.
  for (let i = 0; i < 5; i++) {
    await w.wait(4_000);
    await w.send(ada, { type: "heartbeat" });
    if (!bob.closed) await w.send(bob, { type: "heartbeat" });
  }
  assert.equal(quiet.closeCode, CloseCode.HeartbeatTimeout.code);
  assert.equal(bob.closeCode, CloseCode.TokenExpired.code);
  assert.ok(Math.abs(w.clock.t - exp) <= 4_000 + 20, "expired on time");
  assert.equal(ada.closed, null);
});

test("after a wake a connection still owns its awareness state: another cannot change it, and its leave removes it", async () => {
  const h = await room();
  const owner = await h.join("owner");
  const other = await h.join("other");
  const doc = new Y.Doc();
  const aw = new awarenessProtocol.Awareness(doc);
  aw.setLocalState({ user: { name: "Owner" } });
  const frame = () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.awareness);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(aw, [doc.clientID]));
    return encoding.toUint8Array(e);
  };
  await h.binary(owner, frame());
  const w = await wake(h, [owner, other]);
  aw.setLocalState({ user: { name: "Impostor" } });
  await w.binary(other, frame());
  assert.equal(other.of("error").at(-1)?.code, "forbidden");
  const bystander = w.connect();
  await w.binary(bystander, step1Frame());
  w.core.disconnect(owner);
  await settle();
  const removal = bystander.binary.find((f) => f[0] === YjsFrame.awareness);
  assert.ok(removal, "the owner's state is removed for everyone, though the woken room never saw the state itself");
  aw.destroy();
});

test("HTTP sessions come back from storage; a resume from the old numbering is a gap and gets a fresh welcome", async () => {
  const h = await room();
  const opened = await h.core.http.openSession(JSON.stringify({ type: "hello", v: 1, clientId: "poller", name: "P", color: "#112233" }), "poll", OPEN, "");
  assert.ok("id" in opened);
  const before = h.core.http.handle(opened.id, OPEN)!;
  const lastId = before.outbox.lastId;
  const w = await wake(h, []);
  assert.equal(w.core.presence.people().length, 1, "the session's person is still here");
  const handle = w.core.http.handle(opened.id, OPEN);
  assert.ok(handle, "the session is known after the wake");
  assert.ok(handle.outbox.read(lastId).gap, "the old id is a gap");
  handle.gap();
  await settle();
  const types = handle.outbox.read(handle.outbox.lastId - 10).events.flatMap((e) => (typeof e.data === "string" ? [JSON.parse(e.data).type] : []));
  assert.ok(types.includes("welcome"), `fresh welcome (${types.join(",")})`);
});

test("a room-level job survives a wake and runs at its time, by the alarm", async () => {
  const h = await room();
  const ran: number[] = [];
  h.core.jobs.register("snapshot", (now) => void ran.push(now));
  h.core.schedule("snapshot", h.clock.t + 5_000);
  const w = await wake(h, []);
  w.core.jobs.register("snapshot", (now) => void ran.push(now));
  await w.wait(4_000);
  assert.deepEqual(ran, [], "not before its time");
  await w.wait(2_000);
  assert.equal(ran.length, 1, "run once, by the woken room");
  assert.equal(w.core.jobs.dueAt("snapshot"), undefined);
});

test("the wake timeline: each step once, at its first mark, listed in wake order as ms since the instance started", async () => {
  const clock = new FakeClock();
  const wake = new WakeTimeline(clock.t);
  const h = await room({ clock, wake });
  assert.deepEqual(wake.steps(), [], "the core marks nothing until a frame needs the document");
  await clock.advance(7);
  await h.binary(h.connect(), step1Frame());
  await clock.advance(5);
  // A second reader finds the document loaded: no new marks.
  await h.binary(h.connect(), step1Frame());
  // The host's steps come first in wake order whatever order they were marked in.
  wake.mark("ready", clock.t - 12);
  wake.mark("ready", clock.t);
  assert.deepEqual(wake.steps(), [
    { step: "ready", ms: 0 },
    { step: "docRequested", ms: 7 },
    { step: "docLoaded", ms: 7 },
  ]);
});

test("heartbeats rewrite a connection's record every second beat; after a wake a silent one is swept no earlier than its TTL, at most the slack later", async () => {
  const clock = new FakeClock();
  const h = await room({ clock, config: { heartbeatMs: 5_000, ttlMs: 15_000 } });
  const slack = recordSeenSlackMs(h.config);
  const ada = await h.join("ada");
  const quiet = await h.join("quiet");
  const saved = quiet.saves;
  for (let i = 0; i < 6; i++) {
    await h.wait(5_000);
    await h.send(ada, { type: "heartbeat" });
    await h.send(quiet, { type: "heartbeat" });
  }
  assert.equal(quiet.saves - saved, 3, "6 heartbeats, 3 records written");
  // Quiet's last beat was now; its record may be one beat behind. The room is evicted 4 s later and woken.
  const lastBeat = h.clock.t;
  assert.ok(lastBeat - (quiet.record as { seen: number }).seen < slack, "the record lags less than the slack");
  await h.wait(4_000);
  const w = await wake(h, [ada, quiet]);
  for (;;) {
    await w.wait(1_000);
    if (quiet.closed) break;
    await w.send(ada, { type: "heartbeat" });
    assert.ok(w.clock.t <= lastBeat + h.config.ttlMs + slack + 1_000, "swept within the slack after its TTL");
  }
  assert.equal(quiet.closeCode, CloseCode.HeartbeatTimeout.code);
  assert.ok(w.clock.t > lastBeat + h.config.ttlMs, "not before its TTL");
  assert.equal(ada.closed, null);
});
