import assert from "node:assert/strict";
import { test } from "node:test";
import { type KeyValueStore, PendingQueue, pendingKey } from "../../app/src/room/pending";

/** An in-memory Web Storage stand-in (what localStorage is, minus the browser). */
class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

const key = pendingKey("room", "me");
const ids = (items: readonly { id: string }[]) => items.map((i) => i.id);

test("items go out in order, once per socket, and again on the next socket", () => {
  const q = new PendingQueue(null, key);
  q.add("a", "one", 0);
  q.add("b", "two", 1);
  assert.deepEqual(ids(q.takeDue(1, 10)), ["a", "b"]);
  assert.deepEqual(ids(q.takeDue(1, 11)), [], "already sent on socket 1");
  q.add("c", "three", 12);
  assert.deepEqual(ids(q.takeDue(1, 13)), ["c"]);
  assert.deepEqual(ids(q.takeDue(2, 14)), ["a", "b", "c"], "a reconnect resends every unacked item, in order, same ids");
});

test("a send budget stops the queue without skipping anyone", () => {
  const q = new PendingQueue(null, key);
  for (const id of ["a", "b", "c", "d"]) q.add(id, id, 0);
  let tokens = 2;
  assert.deepEqual(ids(q.takeDue(1, 0, () => tokens-- > 0)), ["a", "b"]);
  assert.deepEqual(ids(q.takeDue(1, 1, () => true)), ["c", "d"], "the rest go next, in order");
});

test("settled items leave; settling twice is harmless", () => {
  const q = new PendingQueue(null, key);
  q.add("a", "one", 0);
  q.add("b", "two", 0);
  assert.equal(q.settle("a"), true);
  assert.equal(q.settle("a"), false);
  assert.deepEqual(ids(q.items), ["b"]);
});

test("a held item holds back the ones after it until its time comes", () => {
  const q = new PendingQueue(null, key);
  q.add("a", "one", 0);
  q.add("b", "two", 0);
  q.takeDue(1, 0);
  const at = q.defer("a", 100, (held) => held * 1000);
  assert.equal(at, 1100);
  assert.equal(q.nextRetryAt(), 1100);
  q.add("c", "three", 200);
  assert.deepEqual(ids(q.takeDue(1, 500)), [], "nothing overtakes the held item");
  assert.deepEqual(ids(q.takeDue(1, 1100)), ["a", "c"], "b was already sent on this socket");
  assert.equal(q.nextRetryAt(), null);
  assert.equal(q.defer("a", 2000, (held) => held * 1000), 4000, "the wait grows with each hold");
  q.releaseHolds();
  assert.deepEqual(ids(q.takeDue(2, 2001)), ["a", "b", "c"]);
});

test("failed items are skipped until retried with the same id", () => {
  const q = new PendingQueue(null, key);
  q.add("a", "one", 0);
  q.add("b", "two", 0, "too long");
  assert.equal(q.items[1]!.state, "failed");
  q.fail("a", "bad_message");
  assert.deepEqual(ids(q.takeDue(1, 0)), []);
  assert.equal(q.retry("a"), true);
  assert.equal(q.retry("nope"), false);
  assert.deepEqual(q.items[0], { id: "a", text: "one", createdAt: 0, state: "sending" });
  assert.deepEqual(ids(q.takeDue(1, 0)), ["a"]);
});

test("the queue survives a reload through storage, without per-socket bookkeeping", () => {
  const store = new MemoryStore();
  const q = new PendingQueue(store, key);
  q.add("a", "one", 5);
  q.add("b", "two", 6);
  q.takeDue(1, 7);
  q.fail("b", "refused");
  const reloaded = new PendingQueue(store, key);
  assert.deepEqual(reloaded.items, q.items);
  assert.deepEqual(ids(reloaded.takeDue(1, 8)), ["a"], "a new page resends even on a socket numbered the same");
  reloaded.settle("a");
  reloaded.settle("b");
  assert.equal(store.data.has(key), false, "an empty queue leaves nothing behind");
});

test("corrupt or foreign storage content starts an empty queue", () => {
  const store = new MemoryStore();
  store.setItem(key, "{not json");
  assert.deepEqual(new PendingQueue(store, key).items, []);
  store.setItem(key, JSON.stringify({ v: 1, items: [{ id: "bad id!", text: "x", createdAt: 0, state: "sending" }] }));
  assert.deepEqual(new PendingQueue(store, key).items, []);
  const throwing: KeyValueStore = {
    getItem: () => {
      throw new Error("SecurityError");
    },
    setItem: () => {
      throw new Error("QuotaExceededError");
    },
    removeItem: () => undefined,
  };
  const q = new PendingQueue(throwing, key);
  q.add("a", "still works in memory", 0);
  assert.deepEqual(ids(q.items), ["a"]);
});

test("keys are per room and client", () => {
  assert.notEqual(pendingKey("r1", "c"), pendingKey("r2", "c"));
  assert.notEqual(pendingKey("r", "c1"), pendingKey("r", "c2"));
});
