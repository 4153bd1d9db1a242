/**
 * Issue 18: a reader that is slow but reading. Behind a TCP proxy that lets
 * the room's bytes through at 64 KB/s, an app reader keeps its connection
 * while the room's traffic is under that rate (its read reports keep its
 * unread bytes low), and is closed 1013 once the traffic is over it for
 * longer than its budget absorbs; it then resumes and has every message.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CloseCode, FLOW } from "../../party/protocol";
import { resumeAll, Writer } from "../helpers/chat-load";
import { TestClient } from "../helpers/client";
import { TcpProxy } from "../helpers/proxy";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

/** The slow link, in bytes per second. */
const LINK_RATE = 64 * 1024;
/** One chat message of 2,000 CJK characters is about this many bytes on the wire. */
const MESSAGE_BYTES = 6_100;

let server: Awaited<ReturnType<typeof sharedServer>>;
let proxy: TcpProxy;
before(async () => {
  server = await sharedServer();
  proxy = await TcpProxy.start(Number(new URL(server.http).port));
  proxy.throttle(LINK_RATE);
});
after(async () => {
  await proxy.close();
  await server.stop();
});

/** Every seq the writers had acked. */
const ackedSeqs = (writers: Writer[]) => writers.flatMap((w) => [...w.acked.values()]);

test("a reader on a 64 KB/s link keeps its connection while the room sends less than that, and gets everything", async () => {
  const room = uniqueRoom("slowlink");
  const { client: reader } = await TestClient.join(`ws://${proxy.host}`, room, { name: "Slow link" });
  const writer = await Writer.join(server.ws, room, "under");
  // Three quarters of the link's rate: 8 messages of ~6 KB a second.
  writer.start(Math.floor((0.75 * LINK_RATE) / MESSAGE_BYTES));
  // Long enough for more than a budget's worth of bytes to pass: the reader keeps its link only by reporting what it read.
  await sleep(25_000);
  await writer.stop();
  assert.ok(writer.acked.size * MESSAGE_BYTES > FLOW.budgetBytes, `${writer.acked.size} messages sent`);
  await until(() => reader.chats().length >= writer.acked.size || reader.closeCode !== null, "the slow reader to catch up", 30_000);
  assert.equal(reader.closeCode, null, `the slow reader was closed ${reader.closeCode} ${reader.closeReason}`);
  const have = new Set(reader.chats().map((m) => m.seq));
  assert.deepEqual(ackedSeqs([writer]).filter((s) => !have.has(s)), []);
  console.log(`# under the rate: ${writer.acked.size} messages (${(reader.received / 1024).toFixed(0)} KiB) through the 64 KB/s link, still connected`);
  reader.terminate();
  writer.client.terminate();
});

test("over its rate the reader is closed 1013 and resumes without losing anything", async () => {
  const room = uniqueRoom("slowlink");
  const { client: reader } = await TestClient.join(`ws://${proxy.host}`, room, { name: "Slow link" });
  const writers: Writer[] = [];
  // About twice the link's rate, within every per-user limit.
  for (let i = 0; i < 4; i++) writers.push(await Writer.join(server.ws, room, `over${i}`));
  const started = Date.now();
  for (const w of writers) w.start(Math.ceil((2 * LINK_RATE) / MESSAGE_BYTES / writers.length));
  // Unread grows at about the link's rate: the budget is reached in FLOW.budgetBytes / LINK_RATE = 16 s; the
  // reader then drains what was in flight before the room's `close` reaches it.
  await until(() => reader.closeCode !== null, "the slow reader to be closed", 90_000, 200);
  const closedAfter = Date.now() - started;
  await Promise.all(writers.map((w) => w.stop()));
  assert.equal(reader.closeCode, CloseCode.SlowReader.code, `closed ${reader.closeCode} ${reader.closeReason}`);
  for (const w of writers) assert.equal(w.client.closeCode, null, `${w.tag} kept its connection`);
  // It reconnects (here on a fast link: the backlog is minutes of this one) and resumes from its last seq.
  proxy.throttle(null);
  const seqs = await resumeAll(`ws://${proxy.host}`, room, reader.chats());
  const missing = ackedSeqs(writers).filter((s) => !seqs.has(s));
  assert.deepEqual(missing, [], "every acked message after the resume");
  console.log(`# over the rate: the reader saw its 1013 after ${(closedAfter / 1000).toFixed(1)} s with ${reader.chats().length} messages; ${ackedSeqs(writers).length} acked, all held after the resume`);
  proxy.throttle(LINK_RATE);
  for (const w of writers) w.client.terminate();
});
