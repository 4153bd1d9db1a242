/**
 * Offline in a real browser (Chromium, the production bundle): Ada loses the
 * network, keeps typing in the document and the chat, is warned before the
 * reload, reloads while still offline, finds her edits (IndexedDB) and her
 * queued messages (localStorage) still there, and when the network returns
 * (`online`) she reconnects at once, not at the end of a long backoff wait.
 * Afterwards both people and the server hold the same document, and every
 * message exactly once, Ada's with their original ids.
 *
 * "Offline" for the room socket is a Playwright WebSocket route that refuses
 * connections (the page's HTTP stays up so it can reload); `setOffline`
 * toggles make the browser fire its real `offline`/`online` events.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { buildApp } from "../e2e/helpers/build";
import { chatLines, documentBox, launchBrowser, newPerson, openRoom, screenshot, type TrackedPage, waitConnected, waitCount, waitForDocText } from "../e2e/helpers/browser";
import { assertCleanLog, serverDoc, serverMessages } from "../helpers/room";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function person(): Promise<TrackedPage & { context: BrowserContext }> {
  const { context, tracked } = await newPerson(browser);
  contexts.push(context);
  return { ...tracked, context };
}

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await documentBox(page).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
}

test("offline edits and messages survive a reload, are sent once on reconnect, and the page warns before losing them", async (t) => {
  const room = uniqueRoom("fault-offline");
  const url = `${server.http}/r/${room}`;
  const ada = await person();
  const grace = await person();

  // Ada's room sockets pass through while `online`; otherwise each new one is refused.
  let online = true;
  const routes = new Set<WebSocketRoute>();
  await ada.context.routeWebSocket(/\/parties\//, (ws) => {
    if (!online) {
      ws.close({ code: 1011, reason: "offline (test)" });
      return;
    }
    routes.add(ws);
    ws.connectToServer();
  });
  // The room's HTTP is unreachable too (only blocking sockets would be a blocked-upgrade network,
  // where the client rightly falls back to SSE; that is tests/e2e/fallback.test.ts).
  await ada.context.route(/\/parties\//, (route) => (online ? route.continue() : route.abort("internetdisconnected")));

  await openRoom(ada.page, `${url}?name=Ada`);
  await openRoom(grace.page, `${url}?name=Grace`);
  await typeAtEnd(ada.page, "Shared start.");
  await waitForDocText(grace.page, "Shared start.");

  // The network goes away.
  online = false;
  await ada.context.setOffline(true);
  for (const ws of routes) await ws.close({ code: 1011, reason: "network lost (test)" });
  routes.clear();
  await ada.page.getByRole("status", { name: "Connection" }).filter({ hasNotText: /^Connected/ }).waitFor();

  await typeAtEnd(ada.page, " [ada offline]");
  await say(ada.page, "ada queued 1");
  await say(ada.page, "ada queued 2");
  await typeAtEnd(grace.page, " [grace online]");
  await say(grace.page, "grace meanwhile");
  await ada.page.getByRole("status", { name: "Unsaved work" }).filter({ hasText: "document edits and 2 messages" }).waitFor();
  await screenshot(ada.page, "fault-offline-unsaved");
  const queued = await ada.page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("partyroom:pending:"))!;
    return (JSON.parse(localStorage.getItem(key)!) as { items: { id: string; text: string }[] }).items;
  });
  assert.deepEqual(queued.map((i) => i.text), ["ada queued 1", "ada queued 2"]);

  // Reload while the room is unreachable (the page itself still loads): the browser asks first.
  await ada.context.setOffline(false);
  const dialogs: string[] = [];
  ada.page.on("dialog", (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await ada.page.reload({ waitUntil: "domcontentloaded" });
  assert.deepEqual(dialogs, ["beforeunload"], "a beforeunload warning with unsynced work");
  await waitForDocText(ada.page, "Shared start. [ada offline]", 15_000);
  await waitCount(chatLines(ada.page, "ada queued 1").and(ada.page.locator(".chat-line-pending")), 1);
  await waitCount(chatLines(ada.page, "ada queued 2").and(ada.page.locator(".chat-line-pending")), 1);

  // Let the backoff grow to a wait of seconds, then bring the network back: `online` retries at once.
  const status = ada.page.getByRole("status", { name: "Connection" });
  await status.filter({ hasText: /next try in ([3-9]|1\d) s/ }).waitFor({ timeout: 30_000 });
  const waitingText = await status.textContent();
  online = true;
  await ada.context.setOffline(true);
  const backAt = Date.now();
  await ada.context.setOffline(false);
  await waitConnected(ada.page, 3_000);
  t.diagnostic(`reconnected ${Date.now() - backAt} ms after "online" (status was "${waitingText}")`);

  // Everything converges: documents, chat, server.
  const expectedDoc = await (async () => {
    for (const p of [ada.page, grace.page]) await waitForDocText(p, "[grace online]");
    for (const p of [ada.page, grace.page]) await waitForDocText(p, "[ada offline]");
    return serverDoc(server.http, room);
  })();
  for (const token of ["Shared start.", " [ada offline]", " [grace online]"]) assert.equal(expectedDoc.split(token).length - 1, 1, `${token} once in "${expectedDoc}"`);
  for (const p of [ada.page, grace.page]) assert.equal(await waitForDocText(p, expectedDoc), expectedDoc, "the page shows the server's document");
  for (const text of ["ada queued 1", "ada queued 2", "grace meanwhile"]) {
    await waitCount(chatLines(ada.page, text).and(ada.page.locator('[data-seq]')), 1);
    await waitCount(chatLines(grace.page, text), 1);
  }
  await ada.page.getByRole("status", { name: "Unsaved work" }).waitFor({ state: "hidden" });
  const stored = await serverMessages(server.http, room);
  assertCleanLog(stored, "server", 1);
  assert.deepEqual(stored.map((m) => m.text).sort(), ["ada queued 1", "ada queued 2", "grace meanwhile"]);
  for (const item of queued) assert.ok(stored.some((m) => m.id === item.id && m.text === item.text), `"${item.text}" stored under its original id ${item.id}`);

  // With everything saved, leaving is silent.
  await ada.page.waitForFunction(() => Object.keys(localStorage).every((k) => !k.startsWith("partyroom:pending:")));
  await ada.page.reload({ waitUntil: "domcontentloaded" });
  await waitConnected(ada.page);
  assert.deepEqual(dialogs, ["beforeunload"], "no warning once everything is on the server");
  const unexpected = [...ada.errors, ...grace.errors].filter((e) => !/WebSocket|offline|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e));
  assert.deepEqual(unexpected, [], "no other console errors");
});
