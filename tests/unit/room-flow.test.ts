/**
 * Flow control in the room core (core/flow.ts): the room counts what each
 * link has not shown it read, holds latest-value frames for a link that is
 * behind, probes stock Yjs peers with sync step 1, and closes a link past its
 * budget or stalled with 1013, without losing anything it can resume.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { CloseCode, FLOW, YjsFrame } from "../../party/protocol";
import { type Harness, OPEN, type RecordingLink, room, step1Frame, updateFrame, disposeRooms } from "../helpers/core";

after(disposeRooms);

/** Chat of about 2 KB per message from `writer` until `reader` has been sent `bytes` more. */
async function flood(h: Harness, writer: RecordingLink, reader: RecordingLink, bytes: number, tag: string): Promise<void> {
  const start = reader.bytes;
  for (let i = 0; reader.bytes - start < bytes && !reader.closed; i++) {
    await h.send(writer, { type: "chat", id: `${tag}${i}`, text: "y".repeat(1_900) });
    await h.send(writer, { type: "read", bytes: writer.bytes });
    if (i % 20 === 19) await h.wait(2_000); // stay under the chat rate
  }
}

test("an app link that shows no progress is closed 1013 at its budget; one that reports reads stays", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const silent = await h.join("silent");
  const reading = await h.join("reading");
  const start = silent.bytes;
  for (let i = 0; !silent.closed; i++) {
    await h.send(writer, { type: "chat", id: `m${i}`, text: "z".repeat(1_900) });
    await h.send(writer, { type: "read", bytes: writer.bytes });
    await h.send(reading, { type: "read", bytes: reading.bytes });
    if (i % 20 === 19) await h.clock.advance(2_000);
    assert.ok(i < 2_000, "the budget must bite");
  }
  assert.equal(silent.closeCode, CloseCode.SlowReader.code);
  assert.equal(silent.of("close").at(-1)?.code, CloseCode.SlowReader.code, "told before the close");
  const sentToSilent = silent.bytes - start;
  assert.ok(sentToSilent <= FLOW.budgetBytes + 4_096, `sent ${sentToSilent} bytes, budget ${FLOW.budgetBytes}`);
  assert.equal(reading.closed, null);
  assert.equal(writer.closed, null);
});

test("above the high mark presence is held, newest state per person, and sent once the link catches up", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const slow = await h.join("slow");
  await flood(h, writer, slow, FLOW.highBytes + 10_000, "a");
  const before = slow.of("presence").length;
  const bob = await h.join("bob");
  await h.send(bob, { type: "presence", status: "idle" });
  await h.send(bob, { type: "presence", status: "away" });
  await h.clock.advance(500);
  assert.equal(slow.of("presence").length, before, "held while behind");
  await h.send(slow, { type: "read", bytes: slow.bytes });
  const caught = slow.of("presence").slice(before);
  assert.equal(caught.length, 1, "one merged delta");
  const person = [...(caught[0]!.join ?? []), ...(caught[0]!.update ?? [])][0];
  assert.equal(person?.status, "away", "the newest state");
  assert.equal(slow.closed, null);
});

test("awareness changes for a link above the high mark are held, and sent as their current states once it catches up", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const slow = await h.join("slow");
  await h.binary(slow, step1Frame());
  const editorDoc = new Y.Doc();
  const editor = new awarenessProtocol.Awareness(editorDoc);
  const editorLink = h.connect(OPEN);
  await h.binary(editorLink, step1Frame(editorDoc));
  const awarenessFrame = () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.awareness);
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(editor, [editorDoc.clientID]));
    return encoding.toUint8Array(e);
  };
  /** The editor's name in the awareness frames `slow` got from index `from` on. */
  const seen = (from: number) => {
    const view = new awarenessProtocol.Awareness(new Y.Doc());
    const frames = slow.binary.slice(from).filter((f) => f[0] === YjsFrame.awareness);
    for (const f of frames) {
      const d = decoding.createDecoder(f);
      decoding.readVarUint(d);
      awarenessProtocol.applyAwarenessUpdate(view, decoding.readVarUint8Array(d), "room");
    }
    const name = (view.getStates().get(editorDoc.clientID) as { user?: string } | undefined)?.user;
    view.destroy();
    return { frames: frames.length, name };
  };
  try {
    await flood(h, writer, slow, FLOW.highBytes + 10_000, "aw");
    const before = slow.binary.length;
    for (const user of ["first", "second", "third"]) {
      editor.setLocalState({ user });
      await h.binary(editorLink, awarenessFrame());
      await h.wait(200);
    }
    assert.equal(seen(before).frames, 0, "held while behind");
    await h.send(slow, { type: "read", bytes: slow.bytes });
    assert.deepEqual(seen(before), { frames: 1, name: "third" }, "one frame with the current state once caught up");
    // Behind again, and only presence held this time (someone joins): catching up sends no awareness again.
    await flood(h, writer, slow, FLOW.highBytes + 10_000, "aw2");
    const presence = slow.of("presence").length;
    await h.join("carol");
    await h.clock.advance(500);
    await h.send(slow, { type: "read", bytes: slow.bytes });
    assert.ok(slow.of("presence").length > presence, "the held presence went out");
    assert.equal(seen(before).frames, 1, "nothing held is sent twice");
    assert.equal(slow.closed, null);
  } finally {
    editor.destroy();
  }
});

test("a link that fell behind gets one delta of what changed: arrivals as joins, leaves of those it saw, nothing of who came and went", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const carol = await h.join("carol");
  const slow = await h.join("slow");
  await flood(h, writer, slow, FLOW.highBytes + 10_000, "b");
  const before = slow.of("presence").length;
  const bob = await h.join("bob");
  await h.send(bob, { type: "presence", status: "away" });
  h.core.disconnect(carol);
  const dave = await h.join("dave");
  await h.clock.advance(500);
  h.core.disconnect(dave);
  await h.clock.advance(500);
  assert.equal(slow.of("presence").length, before, "held while behind");
  assert.equal(h.core.presenceLog.length > 0, true, "the room keeps the changes while a link is held");
  await h.send(slow, { type: "read", bytes: slow.bytes });
  const caught = slow.of("presence").slice(before);
  assert.equal(caught.length, 1, "one delta");
  // Ids are derived from what each client sent: carol's is the one slow's welcome showed it.
  const carolId = slow.of("welcome")[0]!.presence.find((p) => p.name === "carol")!.clientId;
  assert.deepEqual(caught[0]!.join?.map((p) => [p.name, p.status]), [["bob", "away"]]);
  assert.deepEqual(caught[0]!.leave, [carolId]);
  assert.equal(h.core.presenceLog.length, 0, "no link held: the log is empty");
});

test("the presence log for held links has a budget: past it, the link furthest behind is closed 1013 and the log is let go", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000, maxConnectionsPerAddress: 100 }, presenceLogMax: 20 });
  const writer = await h.join("writer");
  const slow = await h.join("slow");
  await flood(h, writer, slow, FLOW.highBytes + 10_000, "c");
  const lengths: number[] = [];
  for (let i = 0; i < 30 && !slow.closed; i++) {
    await h.join(`crowd${i}`);
    await h.clock.advance(25);
    lengths.push(h.core.presenceLog.length);
  }
  assert.equal(slow.closeCode, CloseCode.SlowReader.code, `closed once the log passed 20 changes: ${lengths.join(",")}`);
  assert.ok(Math.max(...lengths) <= 20, `the log stayed within its budget: ${lengths.join(",")}`);
  assert.equal(h.core.presenceLog.length, 0, "nothing held: nothing kept");
  assert.equal(writer.closed, null);
});

test("a stock Yjs peer is probed with sync step 1; its step 2 proves reading; one that never answers is closed at the budget", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const answering = h.connect();
  const stalled = h.connect();
  const doc = new Y.Doc();
  await h.binary(answering, step1Frame(doc));
  await h.binary(stalled, step1Frame(doc));
  const step2 = (): Uint8Array => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.sync);
    syncProtocol.writeSyncStep2(e, doc, Y.encodeStateVector(h.core.doc!.store.doc));
    return encoding.toUint8Array(e);
  };
  const probesTo = (l: RecordingLink) => l.binary.filter((f) => f[0] === YjsFrame.sync && f[1] === 0).length;
  const writerDoc = new Y.Doc();
  let answered = 0;
  for (let i = 0; !stalled.closed && i < 400; i++) {
    await h.binary(writer, updateFrame("w".repeat(8_000), writerDoc));
    // The answering peer replies to every probe, as y-websocket does.
    while (probesTo(answering) > answered) {
      answered++;
      await h.binary(answering, step2());
    }
    if (i % 20 === 19) await h.clock.advance(1_000);
  }
  assert.equal(stalled.closeCode, CloseCode.SlowReader.code);
  assert.ok(probesTo(answering) > 2, "probes went out as bytes went unread");
  assert.equal(answering.closed, null, "answered probes keep the peer");
  assert.equal(stalled.messages.length, 0, "a Yjs peer gets no text, not even the close notice");
});

test("a link above the low mark that proves nothing for FLOW.stallMs is closed 1013 by the sweep", async () => {
  const h = await room({ config: { ttlMs: 600_000, heartbeatMs: 300_000 } });
  const writer = await h.join("writer");
  const stuck = await h.join("stuck");
  await flood(h, writer, stuck, FLOW.lowBytes + 20_000, "s");
  assert.equal(stuck.closed, null);
  await h.send(stuck, { type: "heartbeat" });
  await h.wait(FLOW.stallMs + 1_000);
  assert.equal(stuck.closeCode, CloseCode.SlowReader.code);
});

test("a joiner's greeting counts against its own budget only while unread: a large document does not close it", async () => {
  const h = await room();
  const writer = await h.join("writer");
  const doc = new Y.Doc();
  for (let i = 0; i < 3; i++) await h.binary(writer, updateFrame("d".repeat(500_000), doc));
  const joiner = h.connect();
  await h.binary(joiner, step1Frame());
  assert.equal(joiner.closed, null);
  assert.ok(joiner.bytes > FLOW.budgetBytes, "the whole document arrived in the greeting");
});
