/**
 * A job's schedule (party/core/jobs.ts) is due in memory at once and stored
 * once the event that made it has answered (the host's `afterReply`): a write
 * during a woken room's first load held it by its commit under `partykit dev`
 * (bench:open-read). What is stored is the schedule as it stands then.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RoomJobs } from "../../party/core/jobs";
import { MemoryStorage } from "../helpers/memory-storage";

/** An `afterReply` the test runs by hand, as the host runs it after the event's answer. */
function afterReplyQueue() {
  const queued: (() => void)[] = [];
  return { later: (fn: () => void) => void queued.push(fn), runAll: () => queued.splice(0).forEach((fn) => fn()) };
}

/** Lets the storage calls issued so far finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a schedule is due at once and stored only after the event has answered", async () => {
  const storage = new MemoryStorage();
  const q = afterReplyQueue();
  const jobs = await RoomJobs.load(storage, q.later);
  jobs.schedule("directory", 2_000);
  assert.equal(jobs.dueAt("directory"), 2_000, "due in memory at once");
  assert.equal(jobs.earliest(), 2_000);
  await settle();
  assert.equal(storage.puts, 0, "nothing written during the event");
  q.runAll();
  await settle();
  assert.equal(storage.data.get("job:directory"), 2_000);
  assert.equal((await RoomJobs.load(storage)).dueAt("directory"), 2_000, "a woken room finds it");
});

test("what is stored is the schedule as it stands after the event: a newer time, or nothing once cancelled", async () => {
  const storage = new MemoryStorage();
  const q = afterReplyQueue();
  const jobs = await RoomJobs.load(storage, q.later);
  jobs.schedule("version", 5_000);
  jobs.schedule("version", 3_000);
  q.runAll();
  await settle();
  assert.equal(storage.data.get("job:version"), 3_000, "the newer schedule, not the first");

  jobs.schedule("webhook", 1_000);
  await jobs.cancel("webhook");
  q.runAll();
  await settle();
  assert.equal(storage.data.has("job:webhook"), false, "cancelled before it was stored: nothing stored");
  assert.equal(jobs.dueAt("webhook"), undefined);
});

test("a failed write is logged, and the job stays due in memory", async () => {
  const storage = new MemoryStorage();
  const q = afterReplyQueue();
  const logged: string[] = [];
  const jobs = await RoomJobs.load(storage, q.later, (message) => void logged.push(message));
  jobs.schedule("directory", 2_000);
  storage.failNext = true;
  q.runAll();
  await settle();
  assert.deepEqual(logged, ["partyroom: storing job directory failed"]);
  assert.equal(jobs.dueAt("directory"), 2_000);
});

test("without afterReply (tests, Node) a schedule is written at once", async () => {
  const storage = new MemoryStorage();
  const jobs = await RoomJobs.load(storage);
  jobs.schedule("directory", 2_000);
  await settle();
  assert.equal(storage.data.get("job:directory"), 2_000);
});
