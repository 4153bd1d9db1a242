/**
 * The directory and the rooms' reports, without a server: a room reports its
 * start when the start's first window closes, an empty room at once, and size
 * changes at most once per REPORT_EVERY_MS with the last one always sent; a report that could not be sent waits in
 * storage for the next instance; the directory ignores a report older than
 * what it holds and forgets long-empty rooms.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Directory, DIRECTORY_MAX, EMPTY_KEPT_MS, PRUNE_EVERY_MS } from "../../party/core/directory";
import { DirectoryReporter, REPORT_EVERY_MS } from "../../party/core/directory-report";
import type { DirectoryReport } from "../../party/protocol";
import { room, settle } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";

test("reports: a start when its first window closes, size changes debounced with the last one kept, emptied at once", async () => {
  const h = await room();
  const reports: DirectoryReport[] = [];
  await DirectoryReporter.attach(h.core, (r) => (reports.push(r), true));
  const startedAt = h.clock.now();
  const links = [h.connect(), h.connect(), h.connect(), h.connect()];
  assert.equal(reports.length, 0, "nothing at the start: the first client's load goes first");
  await settle(); // the job's storage write, then its alarm
  await h.wait(REPORT_EVERY_MS + 50);
  assert.deepEqual(reports.map((r) => [r.state, r.connections, r.startedAt]), [["started", 4, startedAt]], "the start, with the size when its window closed and when it began");
  links.push(h.connect());
  assert.equal(reports.length, 1, "a change inside the next window waits");
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  assert.deepEqual(reports.map((r) => [r.state, r.connections]), [["started", 4], ["changed", 5]], "the window's last size is reported when it closes");
  const sent = reports.length;
  for (const l of links) h.core.disconnect(l);
  assert.equal(reports.at(-1)?.state, "emptied");
  assert.equal(reports.at(-1)?.connections, 0);
  assert.ok(reports.length - sent <= 3, `${reports.length - sent} reports for five disconnects`);
});

test("a room that empties before its start is reported says only that it emptied, and its next start is reported", async () => {
  const h = await room();
  const reports: DirectoryReport[] = [];
  await DirectoryReporter.attach(h.core, (r) => (reports.push(r), true));
  const brief = h.connect();
  await h.wait(100);
  h.core.disconnect(brief);
  assert.deepEqual(reports.map((r) => [r.state, r.connections]), [["emptied", 0]]);
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  assert.equal(reports.length, 1, "the start's job found nothing owed");
  const again = h.clock.now();
  h.connect();
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  assert.deepEqual(reports.map((r) => [r.state, r.connections, r.startedAt]), [["emptied", 0, undefined], ["started", 1, again]]);
});

test("the host's flush on every connect sends nothing inside the window: a crowd arriving costs one report per window", async () => {
  const h = await room();
  const reports: DirectoryReport[] = [];
  const reporter = await DirectoryReporter.attach(h.core, (r) => (reports.push(r), true));
  // As the host does on each connect: flush, then connect.
  for (let i = 0; i < 50; i++) {
    reporter.flush(h.clock.now());
    h.connect();
  }
  assert.equal(reports.length, 0);
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  reporter.flush(h.clock.now());
  assert.deepEqual(reports.map((r) => [r.state, r.connections]), [["started", 50]], "the window's job sent the start with the crowd's size, once");
  for (let i = 0; i < 50; i++) {
    reporter.flush(h.clock.now());
    h.connect();
  }
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  reporter.flush(h.clock.now());
  assert.deepEqual(reports.map((r) => [r.state, r.connections]), [["started", 50], ["changed", 100]]);
});

test("a report the host could not send waits in storage for the next instance", async () => {
  const storage = new MemoryStorage();
  const h = await room({ storage });
  await DirectoryReporter.attach(h.core, () => false);
  h.connect();
  await settle();
  await h.wait(REPORT_EVERY_MS + 50);
  assert.equal(storage.data.get("dir:pending"), true);
  const woken = await room({ storage, clock: h.clock });
  const reports: DirectoryReport[] = [];
  const reporter = await DirectoryReporter.attach(woken.core, (r) => (reports.push(r), true));
  reporter.flush(woken.clock.now());
  assert.equal(reports.length, 1);
  await woken.wait(10);
  assert.equal(storage.data.get("dir:pending"), false);
});

const report = (room: string, connections: number, reportedAt: number, state: DirectoryReport["state"] = "changed"): DirectoryReport => ({ room, connections, byKind: { app: connections }, byTransport: { websocket: connections }, state, reportedAt, instanceId: "i" });

test("the directory keeps the newest report per room and forgets rooms empty for a day", async () => {
  const storage = new MemoryStorage();
  const dir = await Directory.load(storage);
  await dir.apply(report("a", 1, 1_000, "started"), 1_000);
  await dir.apply(report("a", 5, 3_000), 3_000);
  await dir.apply(report("a", 2, 2_000), 3_000);
  assert.equal(dir.list().rooms[0]?.connections, 5, "an older report arriving late changes nothing");
  assert.equal(dir.list().rooms[0]?.startedAt, 1_000);
  await dir.apply({ ...report("c", 3, 2_500, "started"), startedAt: 500 }, 3_000);
  assert.equal(dir.list().rooms.find((r) => r.room === "c")?.startedAt, 500, "a start reported a window late keeps when it began");
  await dir.apply(report("c", 4, 3_500), 3_500);
  assert.equal(dir.list().rooms.find((r) => r.room === "c")?.startedAt, 500);
  await dir.apply(report("b", 0, 4_000, "emptied"), 4_000);
  assert.deepEqual((await Directory.load(storage)).list().rooms.map((r) => r.room), ["a", "c", "b"], "kept in storage");
  await dir.apply(report("a", 1, 5_000 + EMPTY_KEPT_MS), 5_000 + EMPTY_KEPT_MS);
  assert.deepEqual(dir.list().rooms.map((r) => r.room), ["c", "a"], "b was empty for more than a day");
  assert.equal(storage.data.has("room:b"), false);
});

test("a report does not walk the whole directory: long-empty rooms are looked for every PRUNE_EVERY_MS, the cap holds at once", async () => {
  const dir = await Directory.load(new MemoryStorage());
  await dir.apply(report("old", 0, 0, "emptied"), 0);
  const looked = EMPTY_KEPT_MS - 1_000;
  await dir.apply(report("x", 1, looked), looked);
  assert.ok(dir.list().rooms.some((r) => r.room === "old"), "not empty for a day yet");
  const expired = looked + 2_000;
  await dir.apply(report("x", 2, expired), expired);
  assert.ok(dir.list().rooms.some((r) => r.room === "old"), "empty for more than a day, but the last look was under PRUNE_EVERY_MS ago");
  const next = looked + PRUNE_EVERY_MS;
  await dir.apply(report("x", 3, next), next);
  assert.ok(!dir.list().rooms.some((r) => r.room === "old"), "gone at the first report after PRUNE_EVERY_MS");
  for (let i = 0; i <= DIRECTORY_MAX; i++) await dir.apply(report(`r${i}`, 1, next + 1 + i), next + 1);
  assert.equal(dir.list().total, DIRECTORY_MAX, "past the cap the oldest go at once, whenever the last look was");
});
