/**
 * Issue 5 in the browser: a page whose network refuses WebSocket upgrades
 * (through UpgradeBlocker) falls back to SSE or long polling by itself, works
 * with a page on WebSocket (chat and the document, both ways), and goes back
 * to WebSocket once the block is lifted (the client probes every 15 s).
 * `?transport=poll` forces long polling.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { UpgradeBlocker } from "../helpers/upgrade-blocker";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import {
  chatLines,
  documentBox,
  isBlockedSocketNoise,
  launchBrowser,
  newPerson,
  openRoom,
  say,
  screenshot,
  type TrackedPage,
  typeAtEnd,
  waitConnected,
  waitCount,
  waitForDocText,
  waitTransport,
} from "./helpers/browser";

/** Two refused upgrades with backoff in between, then the SSE session. */
const FALLBACK_TIMEOUT_MS = 30_000;
/** The default probe runs every 15 s and gives up after 5 s: one full cycle plus slack. */
const UPGRADE_TIMEOUT_MS = 45_000;

let server: DevServer;
let blocker: UpgradeBlocker;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-fallback");
let open: TrackedPage;
let blocked: TrackedPage;

async function person(): Promise<TrackedPage> {
  const { context, tracked } = await newPerson(browser);
  contexts.push(context);
  return tracked;
}

before(async () => {
  buildApp();
  server = await startServer();
  blocker = await UpgradeBlocker.start(server.port);
  browser = await launchBrowser();
  open = await person();
  blocked = await person();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await blocker?.stop();
  await server?.stop();
});

test("a page whose WebSocket upgrades are refused falls back and says how it is connected", async () => {
  await openRoom(open.page, `${server.http}/r/${room}?name=Open`);
  await waitTransport(open.page, /WebSocket/);
  await blocked.page.goto(`http://127.0.0.1:${blocker.port}/r/${room}?name=Blocked`, { waitUntil: "domcontentloaded" });
  await waitTransport(blocked.page, /(SSE|Long polling)/, FALLBACK_TIMEOUT_MS);
  assert.ok(blocker.refused >= 2, `the blocker refused the upgrades (${blocker.refused})`);
  await documentBox(blocked.page).waitFor();
  await screenshot(blocked.page, "fallback-blocked");
});

test("chat and the document work both ways between the blocked page and the WebSocket page", async () => {
  await say(blocked.page, "Sent without WebSockets");
  await waitCount(chatLines(open.page, "Sent without WebSockets"), 1);
  await chatLines(blocked.page, "Sent without WebSockets").and(blocked.page.locator('[data-state="sent"]')).waitFor();
  await say(open.page, "Received without WebSockets");
  await waitCount(chatLines(blocked.page, "Received without WebSockets"), 1);

  await typeAtEnd(blocked.page, "Typed behind the proxy.");
  await waitForDocText(open.page, "Typed behind the proxy.");
  await typeAtEnd(open.page, "\nTyped on a WebSocket.");
  await waitForDocText(blocked.page, "Typed behind the proxy.\nTyped on a WebSocket.");
});

test("once upgrades go through again, the blocked page moves back to WebSocket by itself", async () => {
  blocker.blocking = false;
  await waitTransport(blocked.page, /WebSocket/, UPGRADE_TIMEOUT_MS);
  await say(blocked.page, "Back on a WebSocket");
  await waitCount(chatLines(open.page, "Back on a WebSocket"), 1);
  await typeAtEnd(blocked.page, "\nAfter the upgrade.");
  await waitForDocText(open.page, "After the upgrade.");
  // Nothing was lost or doubled on the way.
  await waitCount(chatLines(blocked.page, "Sent without WebSockets"), 1);
  await waitCount(chatLines(blocked.page, "Received without WebSockets"), 1);
});

test("?transport=poll forces long polling, which carries chat and the document too", async () => {
  const poller = await person();
  const sockets: string[] = [];
  poller.page.on("websocket", (ws) => sockets.push(ws.url()));
  await poller.page.goto(`${server.http}/r/${room}?name=Poller&transport=poll`, { waitUntil: "domcontentloaded" });
  await waitTransport(poller.page, /Long polling/);
  await waitForDocText(poller.page, "After the upgrade.");
  await say(poller.page, "Polled in");
  await waitCount(chatLines(open.page, "Polled in"), 1);
  await say(open.page, "Polled out");
  await waitCount(chatLines(poller.page, "Polled out"), 1);
  await typeAtEnd(poller.page, "\nTyped while polling.");
  await waitForDocText(open.page, "Typed while polling.");
  await typeAtEnd(open.page, "\nSeen while polling.");
  await waitForDocText(poller.page, "Seen while polling.");
  assert.deepEqual(sockets, [], "a forced transport opens no WebSocket");
  await screenshot(poller.page, "fallback-poll");
  assert.deepEqual(poller.errors, []);
});

test("no console errors apart from the refused upgrades", async () => {
  await waitConnected(open.page);
  assert.deepEqual(open.errors, []);
  assert.deepEqual(blocked.errors.filter((e) => !isBlockedSocketNoise(e)), []);
});
