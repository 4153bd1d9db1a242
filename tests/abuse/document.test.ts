/**
 * Issue 11, items 2 and 3: the document and awareness, which every peer and
 * every joiner downloads. Inserts of 900 KiB stop at the document budget with
 * `doc_too_large`; a burst of update frames over the rate is not applied until
 * the room asks for it again (and then nothing is lost); awareness states of
 * 0.9 MiB are refused `too_large` and strike the sender out (4429), reaching
 * nobody; a connection owns at most its budget of awareness ids and cannot
 * change another user's state. The room's workerd memory stays under
 * MEMORY_BUDGET through all of it (on a server of its own).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { BUDGETS, CloseCode, DOC_TEXT_NAME, RATE_LIMIT, type ServerMessage, YjsFrame } from "../../party/protocol";
import { updateFrame } from "../helpers/core";
import { getJson, TestClient } from "../helpers/client";
import { MemoryWatch, MiB, mib } from "../helpers/memory";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

/** What any one attack here may add to the room's workerd memory at its peak: half of a room's 128 MB. */
const MEMORY_BUDGET = 64 * MiB;
const KiB = 1024;

let server: DevServer;
/** Every Awareness made here: each runs an interval until destroyed. */
const made: awarenessProtocol.Awareness[] = [];
before(async () => {
  server = await startServer();
});
after(async () => {
  for (const aw of made) aw.destroy();
  await server.stop();
});

const errorsOf = (c: TestClient, ref: string) => c.messages.filter((m): m is Extract<ServerMessage, { type: "error" }> => m.type === "error" && m.ref === ref);

/** An awareness frame of `ids` from `aw`. */
function awarenessFrame(aw: awarenessProtocol.Awareness, ids = [aw.clientID]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.awareness);
  encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(aw, ids));
  return encoding.toUint8Array(e);
}

/** An awareness with `state` under client id `id` (anyone can pick any id: only the room's ownership rule stops a takeover). */
function awarenessOf(id: number, state: Record<string, unknown>): awarenessProtocol.Awareness {
  const doc = new Y.Doc();
  doc.clientID = id;
  const aw = new awarenessProtocol.Awareness(doc);
  made.push(aw);
  aw.setLocalState(state);
  return aw;
}

/** Answers the room's sync frames from `doc` as a Yjs client must (a step 1 gets our step 2), from frame `from` on. */
function answerSync(client: TestClient, doc: Y.Doc, from: number): number {
  for (const frame of client.binary.slice(from)) {
    const d = decoding.createDecoder(frame);
    if (decoding.readVarUint(d) !== YjsFrame.sync) continue;
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, YjsFrame.sync);
    syncProtocol.readSyncMessage(d, e, doc, "room");
    if (encoding.length(e) > 1) client.sendRaw(encoding.toUint8Array(e));
  }
  return client.binary.length;
}

test(`900 KiB inserts stop at the ${BUDGETS.docBytes / MiB} MiB document budget with doc_too_large; what was refused is not applied`, { timeout: 90_000 }, async () => {
  const room = uniqueRoom("doc-size");
  const { client: writer } = await TestClient.join(server.ws, room, { name: "Writer" });
  const memory = new MemoryWatch(server.pid);
  const doc = new Y.Doc();
  let accepted = 0;
  for (let i = 0; i < 5 && errorsOf(writer, "doc").length === 0; i++) {
    const stored = (await getJson(server.http, `/parties/main/${room}/state`)).body.doc;
    writer.sendRaw(updateFrame(String(i).repeat(900 * KiB), doc));
    // Acknowledged by the room's sync step 2 reply to a step 1, or refused: whichever comes first.
    await until(async () => errorsOf(writer, "doc").length > 0 || (await getJson(server.http, `/parties/main/${room}/state`)).body.doc.updatesReceived !== stored.updatesReceived, `insert ${i} to be stored or refused`, 30_000);
    if (errorsOf(writer, "doc").length === 0) accepted++;
  }
  const [refusal] = errorsOf(writer, "doc");
  assert.equal(refusal?.code, "doc_too_large", "the insert past the budget is refused");
  const text = await (await fetch(`${server.http}/parties/main/${room}/doc`)).text();
  assert.equal(text.length, accepted * 900 * KiB, `the document holds the ${accepted} accepted inserts and nothing of the refused one`);
  const { body } = await getJson(server.http, `/parties/main/${room}/state`);
  assert.ok(body.doc.bytes <= BUDGETS.docBytes, `the stored document is ${body.doc.bytes} bytes`);
  // A joiner downloads at most the budget.
  const { client: joiner } = await TestClient.join(server.ws, room, { name: "Joiner" });
  await until(() => joiner.binary.length > 0, "the joiner's greeting");
  const growth = memory.stop();
  console.log(`# document: ${accepted} inserts of 900 KiB accepted, then doc_too_large; stored ${mib(body.doc.bytes)}; workerd +${mib(growth)}`);
  assert.ok(growth <= MEMORY_BUDGET, `workerd grew ${mib(growth)}`);
  assert.equal(writer.closeCode, null, "a refused edit does not close the writer");
  await Promise.all([writer.close(), joiner.close()]);
});

test(`a burst of 1,000 update frames: those over the rate (burst ${RATE_LIMIT.docBurst}) are not applied until the room asks again; then nothing is lost`, { timeout: 60_000 }, async () => {
  const room = uniqueRoom("doc-rate");
  const { client: writer } = await TestClient.join(server.ws, room, { name: "Burst" });
  const doc = new Y.Doc();
  // The burst: a thousand frames at once.
  const BURST = 1_000;
  let seen = writer.binary.length;
  for (let i = 0; i < BURST; i++) writer.sendRaw(updateFrame(`<${i}>`, doc));
  const text = () => fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text());
  await until(async () => (await text()).includes(`<${RATE_LIMIT.docBurst - 1}>`), "the burst's first frames to be applied");
  const early = await text();
  assert.ok(!early.includes(`<${BURST - 1}>`), "frames over the rate were not applied as they came");
  // The room asks again (sync step 1) once the bucket refills; our step 2 brings what it dropped.
  await until(
    async () => {
      seen = answerSync(writer, doc, seen);
      return (await text()) === doc.getText(DOC_TEXT_NAME).toString();
    },
    "every edit to reach the room through its resync",
    30_000,
    200,
  );
  assert.equal(writer.closeCode, null, "an editor over the update rate is not closed");
  await writer.close();
});

test("awareness: huge states are refused and reach nobody, ids per connection are capped, and nobody can change another user's state", { timeout: 90_000 }, async () => {
  const room = uniqueRoom("awareness");
  const { client: victim } = await TestClient.join(server.ws, room, { clientId: "aw-victim-secret", name: "Victim" });
  const { client: watcher } = await TestClient.join(server.ws, room, { clientId: "aw-watcher-secret", name: "Watcher" });
  const victimAw = awarenessOf(1001, { user: { name: "Victim" } });
  victim.sendRaw(awarenessFrame(victimAw));
  const stateIn = async () => {
    const watch = new Y.Doc();
    const aw = new awarenessProtocol.Awareness(watch);
    made.push(aw);
    for (const f of watcher.binary) {
      const d = decoding.createDecoder(f);
      if (decoding.readVarUint(d) === YjsFrame.awareness) awarenessProtocol.applyAwarenessUpdate(aw, decoding.readVarUint8Array(d), "room");
    }
    return (aw.getStates().get(1001) as { user?: { name?: string } } | undefined)?.user?.name;
  };
  await until(async () => (await stateIn()) === "Victim", "the watcher to see the victim's cursor");

  const memory = new MemoryWatch(server.pid);
  const watcherBytes = watcher.received;
  // Amplification: 0.9 MiB states, again and again. Each is refused; the sender strikes out.
  const { client: big } = await TestClient.join(server.ws, room, { clientId: "aw-big-secret", name: "Big" });
  for (let i = 0; i < RATE_LIMIT.strikes + 5 && big.closeCode === null; i++) big.sendRaw(awarenessFrame(awarenessOf(2000 + i, { user: { name: "x".repeat(900 * KiB) } })));
  assert.deepEqual(await big.waitClose(30_000), CloseCode.Abuse, "refused states strike the sender out");
  assert.ok(errorsOf(big, "awareness").every((e) => e.code === "too_large") && errorsOf(big, "awareness").length > 0, "each is refused too_large");
  const growth = memory.stop();
  assert.ok(watcher.received - watcherBytes < 64 * KiB, `the watcher received ${watcher.received - watcherBytes} bytes of it`);
  assert.ok(growth <= MEMORY_BUDGET, `workerd grew ${mib(growth)}`);

  // Ids per connection: one over the budget is refused.
  const { client: many } = await TestClient.join(server.ws, room, { clientId: "aw-many-secret", name: "Many" });
  const ids = Array.from({ length: BUDGETS.awarenessIdsPerConnection + 1 }, (_, i) => 3000 + i);
  const holder = awarenessOf(ids[0]!, { user: { name: "Many" } });
  for (const id of ids.slice(1)) awarenessProtocol.applyAwarenessUpdate(holder, awarenessProtocol.encodeAwarenessUpdate(awarenessOf(id, { user: { name: `Many ${id}` } }), [id]), "local");
  many.sendRaw(awarenessFrame(holder, ids));
  await until(() => errorsOf(many, "awareness").length > 0, "the frame with too many ids to be refused");
  assert.equal(errorsOf(many, "awareness")[0]!.code, "too_large");

  // Takeover: another user's socket sends a newer state under the victim's awareness id.
  const thief = awarenessOf(1001, { user: { name: "Mallory" } });
  thief.setLocalState({ user: { name: "Mallory" } });
  many.sendRaw(awarenessFrame(thief));
  await until(() => errorsOf(many, "awareness").some((e) => e.code === "forbidden"), "the takeover to be refused forbidden");
  // The victim's own next change still goes through, and the watcher sees the victim's name, not Mallory's.
  victimAw.setLocalState({ user: { name: "Victim" }, cursor: 1 });
  victim.sendRaw(awarenessFrame(victimAw));
  await until(async () => (await stateIn()) === "Victim", "the watcher to hold the victim's state");
  assert.ok(!watcher.binary.some((f) => Buffer.from(f).includes("Mallory")), "the thief's state never reached the watcher");
  console.log(`# awareness: 0.9 MiB states refused too_large, sender closed 4429; the watcher got ${watcher.received - watcherBytes} bytes; workerd +${mib(growth)}`);
  for (const c of [victim, watcher, many]) c.terminate();
});
