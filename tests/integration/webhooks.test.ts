/**
 * Issue 15, webhooks against a real receiver on 127.0.0.1 (helpers/
 * webhook-receiver.ts): every delivery carries a valid Standard Webhooks
 * signature; the receiver goes down and comes back, answers 500 after taking
 * an event, and still ends up with every event exactly once after
 * deduplicating on the id, in `seq` order; a slow receiver never slows chat;
 * the inspector shows the delivery log and the metrics the deliveries.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { InspectData, WebhookBody } from "../../party/protocol";
import { getJson, pub, TestClient } from "../helpers/client";
import { updateFrame } from "../helpers/core";
import { sample, scrape } from "../helpers/prometheus";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";
import { WebhookReceiver } from "../helpers/webhook-receiver";

let server: DevServer;
let receiver: WebhookReceiver;

before(async () => {
  receiver = await WebhookReceiver.start();
  server = await startServer({ vars: { PARTYROOM_WEBHOOK_URL: receiver.url, PARTYROOM_WEBHOOK_SECRET: receiver.secret } });
});
after(async () => {
  await server?.stop();
  await receiver?.stop();
});

const eventsOf = (room: string) => receiver.unique().filter((e) => e.room === room);
const inspect = async (room: string) => (await getJson<InspectData>(server.http, `/parties/main/${room}/inspect`)).body;

test("signed events survive a receiver that goes down, fails and comes back: each once after dedup, in order", async () => {
  const room = uniqueRoom("hooks");
  const key = "ada-hooks-key-000000000000";
  const ada = (await TestClient.join(server.ws, room, { clientId: key, name: "Ada" })).client;
  await ada.chat("c1", "one");
  await ada.chat("c2", "two");
  await until(() => eventsOf(room).some((e) => e.type === "chat.message.created" && (e.data.message as { text: string }).text === "two"), "the first chats to arrive", 15_000);

  await receiver.down();
  await ada.chat("c3", "three");
  const ben = (await TestClient.join(server.ws, room, { name: "Ben" })).client;
  await ada.chat("c4", "four");
  ada.ws.send(updateFrame("the document"));
  await ben.close();
  await until(async () => (await inspect(room)).webhooks.failedAttempts >= 1, "a failed delivery in the log", 15_000);
  const log = (await inspect(room)).webhooks.log;
  assert.ok(log.some((a) => a.status === null && a.error), "the inspector's log shows the failed attempt with its error");

  // Back up, but the first request it takes is answered 500 after being recorded: the room must send it again.
  receiver.failNext = 1;
  await receiver.up();
  await ada.chat("c5", "five");
  await ada.close();
  await until(() => eventsOf(room).some((e) => e.type === "room.emptied"), "room.emptied to arrive", 30_000);

  const all = receiver.deliveries.filter((d) => d.body.room === room);
  assert.ok(all.every((d) => d.signatureOk), "every delivery is signed correctly");
  assert.ok(all.length > eventsOf(room).length, "at least one event came twice (at-least-once)");
  const events = eventsOf(room);
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), "after dedup, seqs run 1, 2, 3… in arrival order");
  const types = events.map((e) => e.type);
  assert.equal(types[0], "room.started");
  assert.equal(types.at(-1), "room.emptied");
  const chats = events.filter((e) => e.type === "chat.message.created").map((e) => (e.data.message as { text: string }).text);
  assert.deepEqual(chats, ["one", "two", "three", "four", "five"]);
  const joined = events.filter((e) => e.type === "user.joined").map((e) => e.data.name);
  assert.deepEqual(joined, ["Ada", "Ben"]);
  assert.equal(events.filter((e) => e.type === "user.left").length, 2);
  assert.ok(events.find((e) => e.type === "user.left" && e.data.clientId === pub(key)));
  const docEvents = events.filter((e) => e.type === "document.changed");
  assert.equal(docEvents.length, 1, "one debounced document event for the edit");
  assert.ok(Number(docEvents[0]!.data.bytes) > 2);
  // The same id always carries the same body (the room stores it once).
  for (const d of all) assert.deepEqual(d.body, events.find((e) => e.id === d.id) as WebhookBody);

  const status = (await inspect(room)).webhooks;
  assert.equal(status.queued, 0);
  assert.equal(status.delivered, events.length, "the 500 counted as a failed attempt, its retry as the one delivery");
  const metrics = await scrape(`${server.http}/parties/main/${room}/metrics`);
  assert.equal(sample(metrics, "partyroom_webhook_deliveries_total", { room, result: "delivered" }), status.delivered);
  assert.equal(sample(metrics, "partyroom_webhook_deliveries_total", { room, result: "failed" }), status.failedAttempts);
  assert.equal(sample(metrics, "partyroom_webhook_queue_events", { room }), 0);
});

test("a slow receiver never slows the room: chat acks stay fast while each delivery takes seconds", async () => {
  const room = uniqueRoom("hooks-slow");
  receiver.delayMs = 3_000;
  try {
    const ada = (await TestClient.join(server.ws, room, { name: "Ada" })).client;
    const latencies: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const t = performance.now();
      await ada.chat(`s${i}`, `slow ${i}`);
      latencies.push(performance.now() - t);
      // Spread the chats over the time deliveries are in flight.
      await new Promise((r) => setTimeout(r, 250));
    }
    await until(() => receiver.deliveries.some((d) => d.body.room === room), "a delivery to be in flight or done", 10_000);
    const worst = Math.max(...latencies);
    assert.ok(worst < 1_000, `chat acks took up to ${Math.round(worst)} ms while the receiver needs 3,000 ms a request`);
    await ada.close();
  } finally {
    receiver.delayMs = 0;
  }
});
