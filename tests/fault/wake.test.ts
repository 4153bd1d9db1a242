/**
 * Coming back: while the client waits out a long backoff, the browser's
 * `online` event or the tab becoming visible must start a retry at once, not
 * when the timer fires. Node has no window, so this file gives the client a
 * minimal one (an EventTarget) and fires the same events a browser would;
 * tests/fault/offline-reload.test.ts does it in real Chromium.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { TcpProxy } from "../helpers/proxy";
import { Clients, connected } from "../helpers/room";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

/** Every retry waits this long unless something wakes the client. */
const LONG_WAIT_MS = 5_000;

const win = new EventTarget();
const doc = Object.assign(new EventTarget(), { visibilityState: "hidden" as "hidden" | "visible" });
let shared: Awaited<ReturnType<typeof sharedServer>>;
let proxy: TcpProxy;
const clients = new Clients();

before(async () => {
  // Before any client exists: wake.ts looks for window/document when a client is created.
  Object.assign(globalThis, { window: win, document: doc });
  shared = await sharedServer();
  proxy = await TcpProxy.start(Number(new URL(shared.http).port));
});

after(async () => {
  clients.destroyAll();
  await proxy?.close();
  await shared?.stop();
  for (const key of ["window", "document"]) delete (globalThis as Record<string, unknown>)[key];
});

for (const signal of ["online", "visible"] as const) {
  test(`"${signal}" cuts a ${LONG_WAIT_MS / 1000} s backoff wait short`, async (t) => {
    const c = clients.join(proxy.host, uniqueRoom("fault-wake"), "Wren", { backoff: { baseMs: LONG_WAIT_MS, capMs: LONG_WAIT_MS, floorMs: LONG_WAIT_MS } });
    await connected(c, "Wren");
    proxy.refuse();
    const waiting = await until(() => {
      const s = c.getSnapshot().connection;
      return s.state === "reconnecting" ? s : null;
    }, "a retry to be scheduled");
    assert.ok(waiting.nextRetryAt - Date.now() > LONG_WAIT_MS - 1_000, "the next retry is seconds away");
    proxy.forward();
    const wokeAt = Date.now();
    if (signal === "online") win.dispatchEvent(new Event("online"));
    else {
      doc.visibilityState = "visible";
      doc.dispatchEvent(new Event("visibilitychange"));
      doc.visibilityState = "hidden";
    }
    await connected(c, "Wren after waking", 2_000);
    const tookMs = Date.now() - wokeAt;
    t.diagnostic(`reconnected ${tookMs} ms after "${signal}" (the timer would have waited ${waiting.nextRetryAt - wokeAt} ms more)`);
    assert.ok(tookMs < 1_000, `reconnected in ${tookMs} ms`);
    clients.leave(c);
  });
}

test('"offline" shows as offline while disconnected', async () => {
  const c = clients.join(proxy.host, uniqueRoom("fault-wake"), "Wren", { backoff: { baseMs: LONG_WAIT_MS, capMs: LONG_WAIT_MS, floorMs: LONG_WAIT_MS } });
  await connected(c, "Wren");
  win.dispatchEvent(new Event("offline"));
  assert.equal(c.getSnapshot().connection.state, "connected", "a working socket is not declared offline by the event alone");
  proxy.refuse();
  await until(() => c.getSnapshot().connection.state === "reconnecting", "the drop to be noticed");
  win.dispatchEvent(new Event("offline"));
  assert.equal(c.getSnapshot().connection.state, "offline");
  proxy.forward();
  win.dispatchEvent(new Event("online"));
  await connected(c, "Wren back online", 2_000);
  clients.leave(c);
});
