/**
 * The SSE stream (host/http-transport.ts) on the room core in Node: what a
 * stream that fell behind gets, and that it resumes where its client left off.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SSE_WRITE_TIMEOUT_MS, sseResponse } from "../../party/host/http-transport";
import { PROTOCOL_VERSION } from "../../party/protocol";
import { disposeRooms, OPEN, room, settle } from "../helpers/core";
import { withTimeout } from "../helpers/wait";

after(disposeRooms);

const decoder = new TextDecoder();
/** The ids of the events in one chunk of the stream. */
const idsIn = (chunk: string) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

async function sseSession() {
  const h = await room();
  const opened = await h.core.http.openSession(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: "sse-reader", name: "Reader", color: "#112233" }), "sse", OPEN, "");
  assert.ok("id" in opened);
  const handle = h.core.http.handle(opened.id, OPEN)!;
  const chat = async (id: string) => {
    await handle.deliver(JSON.stringify({ type: "chat", id, text: `text of ${id}` }));
    await settle();
  };
  return { h, handle, chat };
}

test("a stream that fell behind gets everything held in one chunk, then each new event as it comes", async () => {
  const { handle, chat } = await sseSession();
  for (const id of ["m1", "m2", "m3", "m4", "m5"]) await chat(id);
  const held = handle.outbox.read(0).events.map((e) => e.id);
  assert.ok(held.length >= 11, `welcome, five acks and five chats are held (${held.length})`);

  const reader = sseResponse(handle, 0, {}).body!.getReader();
  const next = async () => decoder.decode((await withTimeout(reader.read(), 5_000, "a chunk of the stream")).value);
  assert.match(await next(), /^retry: 1000\n/);
  const backlog = await next();
  assert.deepEqual(idsIn(backlog), held, "one chunk with every held event, in order");
  assert.equal((backlog.match(/"type":"chat"/g) ?? []).length, 5);

  // Once caught up, events go out as the room pushes them (the chat and its ack, in one chunk or two).
  await chat("m6");
  const fresh = handle.outbox.read(held.at(-1)!).events.map((e) => e.id);
  assert.equal(fresh.length, 2);
  let live = "";
  while (idsIn(live).length < fresh.length) live += await next();
  assert.deepEqual(idsIn(live), fresh);
  assert.match(live, /text of m6/);
  await reader.cancel();
});

test("a stream opened with Last-Event-ID starts after it", async () => {
  const { handle, chat } = await sseSession();
  for (const id of ["a1", "a2", "a3"]) await chat(id);
  const held = handle.outbox.read(0).events.map((e) => e.id);
  const from = held[3]!;
  const reader = sseResponse(handle, from, {}).body!.getReader();
  await withTimeout(reader.read(), 5_000, "the stream's preamble");
  const rest = decoder.decode((await withTimeout(reader.read(), 5_000, "the held events")).value);
  assert.deepEqual(idsIn(rest), held.filter((id) => id > from));
  await reader.cancel();
});

test("a stream whose client stops reading ends once a write has been stuck past the write timeout, and lets go of its session", async (t) => {
  const { h, handle } = await sseSession();
  // Only setTimeout is faked: settle() runs on setImmediate, and nothing here reads the clock.
  t.mock.timers.enable({ apis: ["setTimeout"] });
  // Nobody reads the body: the stream's first write never drains.
  sseResponse(handle, 0, {});
  assert.equal(h.core.http.open.sse, 1);
  t.mock.timers.tick(SSE_WRITE_TIMEOUT_MS - 1);
  await settle();
  assert.equal(h.core.http.open.sse, 1, "open until the write has been stuck for the whole timeout");
  t.mock.timers.tick(1);
  await settle();
  assert.equal(h.core.http.open.sse, 0, "the stream ended and released its session");
});

test("a write that gets stuck while the watchdog is armed for an earlier one ends the stream within two timeouts", async (t) => {
  const { h, handle } = await sseSession();
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const reader = sseResponse(handle, 0, {}).body!.getReader();
  // The first write (retry:) drains; the backlog's write after it is never read. The watchdog armed for the first.
  assert.match(decoder.decode((await reader.read()).value), /^retry: 1000\n/);
  await settle();
  t.mock.timers.tick(SSE_WRITE_TIMEOUT_MS);
  await settle();
  assert.equal(h.core.http.open.sse, 1, "the watchdog found a newer write pending and armed itself for it");
  t.mock.timers.tick(SSE_WRITE_TIMEOUT_MS);
  await settle();
  assert.equal(h.core.http.open.sse, 0, "that write was still pending a whole timeout later: the stream ended");
});
