/**
 * Version history in the room core (party/core/versions.ts) on a fake clock
 * and memory storage: automatic versions (at most every interval while edits
 * arrive, at once when the last editor leaves, none without edits), who
 * edited, named versions, reading, restoring as a change every peer gets,
 * the budget, chunking, a save that fails between its chunks and its index
 * entry, and a wake in between.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import type { RoomConfig } from "../../party/core/config";
import type { RoomStorage } from "../../party/core/ports";
import { versionText } from "../../party/core/versions";
import { VERSIONS, YjsFrame, YjsSync } from "../../party/protocol";
import { type Harness, type RecordingLink, room, settle, updateFrame } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";

const MINUTE = 60_000;
/** Long TTLs: these tests let minutes pass without heartbeats. */
const QUIET: Partial<RoomConfig> = { ttlMs: 24 * 60 * MINUTE, versionEveryMs: MINUTE };

const text = (h: Harness) => h.core.doc!.store.doc.getText("content").toString();
const list = (h: Harness) => h.core.versions.list();
const person = (name: string) => ({ id: `id-${name}`, name });

/** A peer's copy of the document, built only from the updates the room forwards to it. */
function replica(link: RecordingLink): string {
  const doc = new Y.Doc();
  for (const frame of link.binary) {
    const d = decoding.createDecoder(frame);
    if (decoding.readVarUint(d) !== YjsFrame.sync) continue;
    const sub = decoding.readVarUint(d);
    if (sub === YjsSync.update || sub === YjsSync.step2) Y.applyUpdate(doc, decoding.readVarUint8Array(d));
  }
  return doc.getText("content").toString();
}

test("an automatic version follows edits after versionEveryMs, at most that often, and names who edited; no edits, no version", async () => {
  const h = await room({ config: QUIET });
  const ada = await h.join("ada");
  const bob = await h.join("bob");
  await h.wait(5 * MINUTE);
  assert.equal((await list(h)).versions.length, 0, "nothing edited, nothing saved");
  const adaDoc = new Y.Doc();
  await h.binary(ada, updateFrame("one ", adaDoc));
  await h.wait(MINUTE / 2);
  await h.binary(bob, updateFrame("two "));
  await h.binary(ada, updateFrame("three ", adaDoc));
  await h.wait(MINUTE / 2 - 1_000);
  assert.equal((await list(h)).versions.length, 0, "not before the interval");
  await h.wait(2_000);
  const [first] = (await list(h)).versions;
  assert.equal(first?.kind, "auto");
  assert.deepEqual(first?.editors.map((e) => e.name), ["ada", "bob"]);
  assert.equal(first?.chars, text(h).length);
  await h.wait(10 * MINUTE);
  assert.equal((await list(h)).versions.length, 1, "no edits since: no new version");
  await h.binary(ada, updateFrame("four", adaDoc));
  await h.wait(MINUTE - 1_000);
  assert.equal((await list(h)).versions.length, 1);
  await h.wait(2_000);
  const versions = (await list(h)).versions;
  assert.equal(versions.length, 2);
  assert.deepEqual(versions[0]?.editors.map((e) => e.name), ["ada"], "only who edited since the previous version");
  assert.ok(versions[0]!.at - versions[1]!.at >= MINUTE);
});

test("when the last session that may edit leaves, unsaved edits are saved at once; a viewer staying does not hold it back", async () => {
  const h = await room({ config: QUIET });
  const ada = await h.join("ada");
  await h.join("viewer", {}, { role: "view", userId: "viewer", exp: Number.POSITIVE_INFINITY });
  await h.binary(ada, updateFrame("draft"));
  h.core.disconnect(ada);
  // The job is written to storage before the alarm is armed for it.
  await settle();
  await h.wait(1_000);
  const versions = (await list(h)).versions;
  assert.equal(versions.length, 1, "saved on leave, long before the interval");
  assert.deepEqual(versions[0]?.editors.map((e) => e.name), ["ada"]);
});

test("named versions: newest first, each readable as its text and as a Yjs update", async () => {
  const h = await room({ config: QUIET });
  const ada = await h.join("ada");
  const doc = new Y.Doc();
  await h.binary(ada, updateFrame("first", doc));
  const draft = await h.core.versions.create("Draft", person("ada"));
  await h.binary(ada, updateFrame(" second", doc));
  const final = await h.core.versions.create("Final", person("ada"));
  assert.deepEqual([draft.version.kind, draft.version.name, draft.version.by?.name], ["named", "Draft", "ada"]);
  assert.deepEqual(draft.version.editors.map((e) => e.name), ["ada"], "the edits before it are its editors");
  const listed = await list(h);
  assert.deepEqual(listed.versions.map((v) => v.name), ["Final", "Draft"]);
  assert.equal(listed.usedBytes, draft.version.bytes + final.version.bytes);
  assert.equal(versionText((await h.core.versions.read(draft.version.id))!), "first");
  assert.equal(versionText((await h.core.versions.read(final.version.id))!), "first second");
  assert.equal(await h.core.versions.read(99), null);
  await h.wait(2 * MINUTE);
  assert.equal((await list(h)).versions.length, 2, "a named version consumed the edits: no automatic one after it");
});

test("restore: the text becomes the version's as one change every peer gets, the state before is saved, and restoring that undoes it", async () => {
  const h = await room({ config: QUIET });
  const ada = await h.join("ada");
  const bob = await h.join("bob");
  const doc = new Y.Doc();
  await h.binary(ada, updateFrame("# Plan\n\nkeep this line\n", doc));
  const v1 = await h.core.versions.create("v1", person("ada"));
  await h.binary(ada, updateFrame("a later line\n", doc));
  const restored = await h.core.versions.restore(v1.version.id, person("bob"));
  assert.ok(!("error" in restored));
  assert.equal(text(h), "# Plan\n\nkeep this line\n");
  assert.equal(replica(bob), text(h), "bob's copy, from forwarded updates only, has the restore");
  assert.equal(replica(ada), "", "the sender of earlier edits gets only the restore, which is not its own change");
  assert.equal(restored.before?.kind, "auto", "the state before the restore was saved");
  assert.equal(versionText((await h.core.versions.read(restored.before!.id))!), "# Plan\n\nkeep this line\na later line\n");
  assert.deepEqual([restored.version.kind, restored.version.restoredFrom, restored.version.by?.name], ["restore", v1.version.id, "bob"]);
  assert.deepEqual(restored.version.editors.map((e) => e.name), ["bob"]);
  const undo = await h.core.versions.restore(restored.before!.id, person("ada"));
  assert.ok(!("error" in undo));
  assert.equal(undo.before, null, "nothing changed since the restore version: no second copy");
  assert.equal(text(h), "# Plan\n\nkeep this line\na later line\n");
  assert.deepEqual((await list(h)).versions.map((v) => v.kind), ["restore", "restore", "auto", "named"]);
  assert.deepEqual(await h.core.versions.restore(42, person("ada")), { error: "version_not_found", message: "this room has no version 42" });
});

test("the budget drops the oldest automatic versions first, then named ones, which the list reports", async () => {
  const h = await room({ config: { ...QUIET, versionBudgetBytes: 3_000 } });
  const ada = await h.join("ada");
  const doc = new Y.Doc();
  const autoIds: number[] = [];
  for (let i = 0; i < 3; i++) {
    await h.binary(ada, updateFrame("x".repeat(400), doc));
    await h.wait(MINUTE + 1_000);
    autoIds.push((await list(h)).versions[0]!.id);
  }
  const named = await h.core.versions.create("keep me", person("ada"));
  // Each version now holds ~1,300 bytes of text: the oldest automatic ones must go to fit 3,000.
  const ids = (await list(h)).versions.map((v) => v.id);
  assert.ok(ids.includes(named.version.id));
  assert.ok(!ids.includes(autoIds[0]!), "the oldest automatic version went first");
  assert.deepEqual((await list(h)).droppedNamed, []);
  await h.binary(ada, updateFrame("y".repeat(1_600), doc));
  const bigger = await h.core.versions.create("bigger", person("ada"));
  assert.ok(bigger.dropped.some((v) => v.id === named.version.id), "the named one went once no automatic one was left");
  const after = await list(h);
  assert.deepEqual(after.versions.map((v) => v.id), [bigger.version.id], "the newest is always kept");
  assert.deepEqual(after.droppedNamed.map((d) => d.name), ["keep me"]);
  assert.ok(h.logs.some((l) => l.includes('dropped named versions') && l.includes('"keep me"')), "and logged");
});

test("a large document is stored in chunks of at most VERSIONS.chunkBytes and read back whole", async () => {
  const h = await room({ config: QUIET });
  const ada = await h.join("ada");
  const doc = new Y.Doc();
  for (let i = 0; i < 3; i++) await h.binary(ada, updateFrame(String(i).repeat(120_000), doc));
  const { version } = await h.core.versions.create("big", person("ada"));
  const chunks = [...h.storage.data].filter(([k]) => k.startsWith("ver:d:"));
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  for (const [, v] of chunks) assert.ok((v as Uint8Array).byteLength <= VERSIONS.chunkBytes);
  assert.equal(versionText((await h.core.versions.read(version.id))!), text(h));
});

/** Memory storage whose next write of an index entry fails, as a crash right after the chunks would leave it. */
class IndexFailingStorage extends MemoryStorage {
  failIndex = false;
  override put(entries: Record<string, unknown>): Promise<void>;
  override put<T>(key: string, value: T): Promise<void>;
  override async put(a: string | Record<string, unknown>, value?: unknown): Promise<void> {
    const keys = typeof a === "string" ? [a] : Object.keys(a);
    if (this.failIndex && keys.some((k) => k.startsWith("ver:i:"))) {
      this.failIndex = false;
      throw new Error("crashed before the index");
    }
    return typeof a === "string" ? super.put(a, value) : super.put(a);
  }
}

test("a save cut off between its chunks and its index entry lists nothing, and the next save of that id replaces the stray chunks", async () => {
  const storage = new IndexFailingStorage();
  const h = await room({ storage, config: QUIET });
  const ada = await h.join("ada");
  await h.binary(ada, updateFrame("z".repeat(300_000)));
  storage.failIndex = true;
  await assert.rejects(h.core.versions.create("lost", person("ada")));
  assert.deepEqual((await list(h)).versions, [], "no entry points at the chunks");
  const stray = [...storage.data.keys()].filter((k) => k.startsWith("ver:d:"));
  assert.ok(stray.length >= 3, "the chunks were written");
  // A new instance on the same storage (a restart), with a smaller document: fewer chunks than the stray ones.
  const woken = await room({ storage, clock: h.clock, config: QUIET });
  const restore = await woken.core.versions.restore(1, person("ada"));
  assert.equal("error" in restore && restore.error, "version_not_found");
  (await woken.core.loadDoc()).store.doc.getText("content").delete(0, 299_000);
  const { version } = await woken.core.versions.create("kept", person("ada"));
  assert.equal(version.id, 1, "the id of the save that never finished");
  const chunks = [...storage.data.keys()].filter((k) => k.startsWith("ver:d:"));
  assert.equal(chunks.length, 1, "the stray chunks are gone");
  assert.equal(versionText((await woken.core.versions.read(1))!), "z".repeat(1_000));
  assert.ok(woken.logs.some((l) => l.includes("an interrupted save left")));
});

test("who edited and the pending automatic version survive a wake: the job fires from storage", async () => {
  const storage: RoomStorage & MemoryStorage = new MemoryStorage();
  const h = await room({ storage, config: QUIET });
  const ada = await h.join("ada");
  await h.binary(ada, updateFrame("before the wake"));
  await h.clock.advance(10_000);
  const woken = await room({ storage, clock: h.clock, config: QUIET });
  assert.ok(woken.core.restore(ada, ada.record));
  woken.core.restored();
  await woken.wait(MINUTE);
  const versions = (await woken.core.versions.list()).versions;
  assert.equal(versions.length, 1);
  assert.deepEqual(versions[0]?.editors.map((e) => e.name), ["ada"]);
  assert.equal(versionText((await woken.core.versions.read(versions[0]!.id))!), "before the wake");
});
