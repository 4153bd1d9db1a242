/**
 * Webhooks without a server: the signature matches the Standard Webhooks
 * spec's published test vector; retry delays back off with jitter inside
 * their bounds; the queue in storage is bounded (oldest dropped, counted) and
 * comes back whole after a wake; delivery through a room core goes one event
 * at a time, in order, and a failure holds the rest back until the retry.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WEBHOOK_QUEUE_MAX, WebhookQueue } from "../../party/core/webhook-queue";
import { webhookSigner } from "../../party/core/webhook-signing";
import { type Post, RETRY_BASE_MS, RETRY_CAP_MS, retryDelay, WEBHOOK_JOB, Webhooks } from "../../party/core/webhooks";
import type { WebhookBody } from "../../party/protocol";
import { room } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";

test("signatures match the Standard Webhooks spec's test vector", async () => {
  // From the spec (standard-webhooks/standard-webhooks, spec/standard-webhooks.md, and every official library's tests).
  const signer = webhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const headers = await signer.headers("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
  assert.equal(headers["webhook-signature"], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  assert.equal(headers["webhook-id"], "msg_p5jXN8AQM9LWM0D4loKWxJek");
  assert.equal(headers["webhook-timestamp"], "1614265330");
  assert.throws(() => webhookSigner("not-a-whsec-secret"), /whsec_/);
});

test("retry delays double up to the cap, jittered over the upper half", () => {
  for (let attempt = 1; attempt <= 30; attempt++) {
    const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    assert.equal(retryDelay(attempt, 0), ceiling / 2);
    assert.ok(retryDelay(attempt, 0.999) <= ceiling && retryDelay(attempt, 0.999) > ceiling * 0.99);
  }
  assert.equal(retryDelay(2, 0.5), 1_500);
});

const body = (seq: number): WebhookBody => ({ id: `evt_${seq}`, type: "chat.message.created", room: "r", seq, timestamp: new Date(0).toISOString(), data: {} });

test("the queue is bounded: past the limit the oldest go, counted, and a reload sees the same queue", async () => {
  const storage = new MemoryStorage();
  const queue = await WebhookQueue.load(storage);
  for (let i = 0; i < WEBHOOK_QUEUE_MAX + 5; i++) queue.push(body);
  assert.equal(queue.size, WEBHOOK_QUEUE_MAX);
  assert.equal(queue.meta.dropped, 5);
  const head = await queue.head();
  assert.equal(head?.seq, 6, "events 1-5 were dropped");
  const again = await WebhookQueue.load(storage);
  assert.equal(again.size, WEBHOOK_QUEUE_MAX);
  assert.equal(again.meta.dropped, 5);
  assert.equal((await again.head())?.body, JSON.stringify(body(6)));
  assert.equal([...storage.data.keys()].filter((k) => k.startsWith("wh:e:")).length, WEBHOOK_QUEUE_MAX, "dropped events leave storage");
});

test("delivery through the core: in order, one at a time; a failure holds the rest until its retry", async () => {
  const h = await room();
  const sent: string[] = [];
  let failing = true;
  const post: Post = async (_url, headers, raw) => {
    sent.push(`${headers["webhook-id"]}:${(JSON.parse(raw) as WebhookBody).type}`);
    return failing ? { status: 503 } : { status: 204 };
  };
  const hooks = await Webhooks.attach(h.core, { url: "http://127.0.0.1:9/hook", signer: webhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), post });
  await h.join("ada-key-000000000000000000");
  assert.ok(h.core.jobs.dueAt(WEBHOOK_JOB) !== undefined, "delivery is left to the alarm, not done on the message's path");
  assert.equal(sent.length, 0);

  await h.core.alarm();
  assert.equal(sent.length, 1, "the first failure stops the run");
  const retryAt = hooks.status().nextAttemptAt!;
  assert.ok(retryAt > h.clock.now());
  assert.equal(h.core.jobs.dueAt(WEBHOOK_JOB), retryAt);

  failing = false;
  await h.clock.advance(retryAt - h.clock.now() + 1);
  await h.core.alarm();
  const ids = sent.map((s) => s.split(":")[0]);
  assert.equal(ids[0], ids[1], "the retry carries the same event id");
  assert.deepEqual(sent.slice(1).map((s) => s.split(":")[1]), ["room.started", "user.joined"]);
  assert.equal(hooks.status().queued, 0);
  assert.equal(hooks.status().delivered, 2);
  assert.equal(hooks.status().failedAttempts, 1);
  assert.deepEqual(hooks.status().log.map((l) => l.status), [503, 204, 204]);
  // The welcome loaded the document, whose awareness runs an interval: stop it so this file's process can end.
  h.core.doc?.sync.destroy();
});
