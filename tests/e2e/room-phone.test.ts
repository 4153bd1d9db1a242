/**
 * The room on a phone (390 x 844, issue 13): Document, Chat and People tabs
 * with badges, the message box always on screen, nothing below the fold, the
 * actions in a menu; while offline a plain-words banner and the others shown
 * as unknown; and a close with 1013 ("try again later") is only a calm
 * reconnect. Screenshots of every tab, light and dark.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import { chatLines, connectionStatus, launchBrowser, newPerson, openRoom, people, say, screenshot, type TrackedPage, waitConnected, waitCount } from "./helpers/browser";

const PHONE = { width: 390, height: 844 };

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-phone");
let desk: TrackedPage;
let phone: TrackedPage & { context: BrowserContext };
/** The phone's room sockets, so a test can close them as a server would. */
const sockets: WebSocketRoute[] = [];

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage & { context: BrowserContext }> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return { ...tracked, context };
}

/** The page never scrolls as a whole: every panel fits the screen and scrolls inside. */
async function fitsScreen(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: innerHeight }));
  assert.ok(scroll <= inner, `nothing below the fold (page ${scroll} px, screen ${inner} px)`);
}

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  desk = await person();
  phone = await person(PHONE);
  let online = true;
  await phone.context.routeWebSocket(/\/parties\//, (ws) => {
    if (!online) return void ws.close({ code: 1011, reason: "offline (test)" });
    sockets.push(ws);
    ws.connectToServer();
  });
  await phone.context.route(/\/parties\//, (r) => (online ? r.continue() : r.abort("internetdisconnected")));
  Object.assign(globalThis, { setPhoneOnline: (v: boolean) => (online = v) });
  await openRoom(desk.page, `${server.http}/r/${room}?name=Desk`);
  await openRoom(phone.page, `${server.http}/r/${room}?name=Phone`);
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const setOnline = (v: boolean) => (globalThis as unknown as { setPhoneOnline: (v: boolean) => void }).setPhoneOnline(v);

test("three tabs; the document first; each tab fits the screen", async () => {
  const tabs = phone.page.getByRole("tab");
  const names = await tabs.evaluateAll((els) => els.map((el) => el.firstChild?.textContent));
  assert.deepEqual(names, ["Document", "Chat", "People"]);
  await phone.page.getByRole("tab", { name: /^People/ }).getByLabel("2 here").waitFor();
  assert.equal(await phone.page.getByRole("tab", { name: /^Document/ }).getAttribute("aria-selected"), "true");
  assert.equal(await phone.page.getByRole("textbox", { name: "Message" }).isVisible(), false, "the chat is behind its tab");
  await fitsScreen(phone.page);
  await phone.page.getByRole("tab", { name: /^People/ }).click();
  await waitCount(people(phone.page), 2);
  await fitsScreen(phone.page);
  // Arrow keys move between tabs.
  await phone.page.getByRole("tab", { name: /^People/ }).press("ArrowLeft");
  assert.equal(await phone.page.getByRole("tab", { name: /^Chat/ }).getAttribute("aria-selected"), "true");
  await phone.page.getByRole("tab", { name: /^Document/ }).click();
});

test("messages arriving behind another tab show as an unread badge, cleared by opening the chat", async () => {
  await say(desk.page, "one for the phone");
  await say(desk.page, "and another");
  const chatTab = phone.page.getByRole("tab", { name: /^Chat/ });
  await chatTab.getByLabel("2 unread").waitFor();
  await screenshot(phone.page, "phone-document-unread");
  await chatTab.click();
  await waitCount(chatLines(phone.page, "and another"), 1);
  await chatTab.getByLabel(/unread/).waitFor({ state: "detached" });
});

test("the message box is always on screen, with a long conversation too", async () => {
  for (let i = 1; i <= 15; i++) await say(desk.page, `filler ${i}`);
  await waitCount(chatLines(phone.page, "filler 15"), 1);
  const box = await phone.page.getByRole("textbox", { name: "Message" }).boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `the box is within the screen (${JSON.stringify(box)})`);
  await fitsScreen(phone.page);
  await say(phone.page, "typed on the phone");
  await waitCount(chatLines(desk.page, "typed on the phone"), 1);
});

test("the actions live in a menu", async () => {
  await phone.page.getByRole("button", { name: "Menu" }).click();
  const menu = phone.page.getByRole("dialog", { name: "Room menu" });
  for (const name of ["Share", "Embed"]) await menu.getByRole("button", { name }).waitFor();
  await menu.getByRole("combobox", { name: "Theme" }).waitFor();
  await menu.getByRole("button", { name: /^You: Phone/ }).waitFor();
  await screenshot(phone.page, "phone-menu");
  await phone.page.keyboard.press("Escape");
  await menu.waitFor({ state: "hidden" });
});

test("screenshots of every tab, light and dark", async () => {
  for (const scheme of ["light", "dark"] as const) {
    await phone.page.emulateMedia({ colorScheme: scheme });
    for (const tab of ["Document", "Chat", "People"]) {
      await phone.page.getByRole("tab", { name: new RegExp(`^${tab}`) }).click();
      await fitsScreen(phone.page);
      await screenshot(phone.page, `phone-${tab.toLowerCase()}-${scheme}`);
    }
  }
  await phone.page.emulateMedia({ colorScheme: "light" });
});

test("a close with 1013 (try again later) is a calm reconnect: no alert, no refusal", async () => {
  const alerts: string[] = [];
  await phone.page.exposeFunction("noteAlert", (t: string) => alerts.push(t));
  await phone.page.evaluate(() => {
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role="alert"]')) (window as unknown as { noteAlert: (t: string) => void }).noteAlert(el.textContent ?? "");
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  for (const ws of sockets.splice(0)) await ws.close({ code: 1013, reason: "try again later" });
  await connectionStatus(phone.page).filter({ hasNotText: /^Connected/ }).waitFor();
  assert.match((await connectionStatus(phone.page).textContent()) ?? "", /^(Connecting…|Reconnecting)/);
  await waitConnected(phone.page);
  assert.deepEqual(alerts, [], "nothing alarming on screen");
  assert.equal(await phone.page.locator(".access-notice").count(), 0);
});

test("offline: a banner in plain words, and the others shown as unknown", async () => {
  setOnline(false);
  await phone.context.setOffline(true);
  for (const ws of sockets.splice(0)) await ws.close({ code: 1011, reason: "network lost (test)" });
  const banner = phone.page.getByText("You're offline. Your changes are kept on this device and will be sent when the connection is back.");
  await banner.waitFor();
  await screenshot(phone.page, "phone-offline");
  // It floats over the panel's top; Hide puts it away until the next loss.
  await phone.page.getByRole("button", { name: "Hide" }).click();
  await banner.waitFor({ state: "hidden" });
  await phone.page.getByRole("tab", { name: /^People/ }).click();
  await people(phone.page).filter({ hasText: "Desk" }).filter({ hasText: "unknown" }).waitFor();
  await phone.page.getByText("last known").waitFor();
  await fitsScreen(phone.page);
  await screenshot(phone.page, "phone-offline-people");
  setOnline(true);
  await phone.context.setOffline(false);
  await waitConnected(phone.page);
  await people(phone.page).filter({ hasText: "Desk" }).filter({ hasText: "active" }).waitFor();
});

test("no console errors", () => {
  assert.deepEqual(desk.errors, []);
  assert.deepEqual(phone.errors.filter((e) => !/WebSocket|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
});
