/**
 * Issue 18: readers that stop reading cannot sink a room. 40 raw sockets join,
 * keep sending heartbeats and pause their TCP socket, while writers chat
 * within every limit for 45 s; the same traffic runs without them on a fresh
 * server for comparison. The room must close the stalled ones (1013) instead
 * of queueing for them, keep a well-behaved reader as fast as without them,
 * and lose nothing: a stalled reader that reads again ends up with every
 * acknowledged message.
 *
 * Traffic: the 4 writers x 12 messages/s of 2,000 CJK characters
 * (about 6 KB each), as 8 writers x 6/s: one person may post 10 a second
 * (USER_LIMITS.chatPerSecond), so the same bytes come from more people.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CloseCode, HEARTBEAT_INTERVAL_MS } from "../../party/protocol";
import { measureDelivery, resumeAll, StalledReader, Writer } from "../helpers/chat-load";
import { getJson, TestClient } from "../helpers/client";
import { MemoryWatch, MiB, mib } from "../helpers/memory";
import { startServer, uniqueRoom } from "../helpers/server";
import { summary, withinTwice } from "../helpers/stats";
import { until } from "../helpers/wait";

const WRITERS = 8;
const PER_SECOND = 6;
const SECONDS = 45;
const STALLED = 40;
/** Stalled readers that start reading again and must end up with every message (all 40 would re-download 500 MB). */
const RESUMED = 4;
/** What 40 stalled readers may add to the room's memory over the same traffic without them (issue 18). */
const EXTRA_MEMORY_BUDGET = 32 * MiB;

type Run = { growth: number; delivery: ReturnType<typeof summary>; acked: number; stalledClosed: number; resumedComplete: number };

async function run(stalledCount: number): Promise<Run> {
  const server = await startServer();
  const clients: TestClient[] = [];
  const stalled: StalledReader[] = [];
  try {
    const room = uniqueRoom("slow");
    const { client: reader } = await TestClient.join(server.ws, room, { name: "Reader" });
    clients.push(reader);
    const delivery = measureDelivery(reader);
    const writers: Writer[] = [];
    for (let i = 0; i < WRITERS; i++) writers.push(await Writer.join(server.ws, room, `w${i}`));
    clients.push(...writers.map((w) => w.client));
    for (let i = 0; i < stalledCount; i++) {
      const { client } = await TestClient.join(server.ws, room, { name: `Stalled ${i}` });
      clients.push(client);
      stalled.push(new StalledReader(client, HEARTBEAT_INTERVAL_MS));
    }
    const memory = new MemoryWatch(server.pid);
    for (const w of writers) w.start(PER_SECOND);
    // The traffic's duration: the 45 s (the kernel buffers of a stalled socket fill within seconds).
    await sleep(SECONDS * 1000);
    await Promise.all(writers.map((w) => w.stop()));
    const growth = memory.stop();
    for (const w of writers) assert.deepEqual(w.refused, [], `${w.tag} stayed within every limit`);
    const acked = writers.reduce((n, w) => n + w.acked.size, 0);
    assert.ok(acked >= WRITERS * PER_SECOND * SECONDS * 0.9, `writers got ${acked} acks`);
    await until(() => reader.chats().length >= acked, "the reader to get every message", 30_000);
    assert.equal(reader.closeCode, null, "the reading client keeps its connection");
    const { body } = await getJson(server.http, `/parties/main/${room}/state`);
    assert.equal(body.internals.appSockets, 1 + WRITERS, "the room closed every stalled socket and no other");

    let stalledClosed = 0;
    let resumedComplete = 0;
    for (const [i, s] of stalled.entries()) {
      if (i >= RESUMED) {
        s.stop();
        continue;
      }
      s.resume();
      // It reads what the kernel held, then the room's `close` (1013), or it is still open and reads on.
      await until(() => s.client.closeCode !== null || s.client.chats().length >= acked, `stalled reader ${i} to catch up or see its close`, 30_000);
      s.stop();
      if (s.client.closeCode !== null) {
        assert.equal(s.client.closeCode, CloseCode.SlowReader.code, `stalled reader ${i} closed ${s.client.closeCode} ${s.client.closeReason}`);
        stalledClosed++;
      }
      const seqs = await resumeAll(server.ws, room, s.client.chats());
      const missing = writers.flatMap((w) => [...w.acked.values()]).filter((seq) => !seqs.has(seq));
      assert.deepEqual(missing.slice(0, 10), [], `stalled reader ${i} ends up with every acked message (${missing.length} missing)`);
      resumedComplete++;
    }
    return { growth, delivery: summary(delivery), acked, stalledClosed, resumedComplete };
  } finally {
    for (const s of stalled) s.stop();
    for (const c of clients) c.terminate();
    await server.stop();
  }
}

test(`${STALLED} stalled readers cost the room at most ${mib(EXTRA_MEMORY_BUDGET)} more than the same traffic without them, slow nobody down, and lose nothing`, { timeout: 400_000 }, async () => {
  const control = await run(0);
  const withStalled = await run(STALLED);
  console.log(`# control: workerd +${mib(control.growth)}, reader delivery ${JSON.stringify(control.delivery)}, ${control.acked} acked`);
  console.log(
    `# ${STALLED} stalled: workerd +${mib(withStalled.growth)}, reader delivery ${JSON.stringify(withStalled.delivery)}, ${withStalled.acked} acked; ` +
      `${withStalled.stalledClosed}/${RESUMED} resumed readers had been closed 1013, ${withStalled.resumedComplete}/${RESUMED} complete`,
  );
  assert.ok(
    withStalled.growth - control.growth <= EXTRA_MEMORY_BUDGET,
    `stalled readers added ${mib(withStalled.growth - control.growth)} (control +${mib(control.growth)}, with them +${mib(withStalled.growth)})`,
  );
  assert.ok(withinTwice(withStalled.delivery.p99, control.delivery.p99), `reader p99 ${withStalled.delivery.p99} ms with stalled readers vs ${control.delivery.p99} ms without`);
  assert.equal(withStalled.resumedComplete, RESUMED);
});
