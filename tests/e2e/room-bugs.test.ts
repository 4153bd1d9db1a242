/**
 * Issue 13's bugs, each in real Chromium against the production bundle, each
 * written to fail on the code before its fix:
 * 1. a pasted link with capitals joins that room, not a lowercased one;
 * 2. no false empty states ("Start typing", "No messages yet", "People here 0")
 *    and no blank page on a slow first visit, but skeletons;
 * 4. one embed's `name` does not rename the person in another embed;
 * and the smaller ones: unknown paths get the app's page, "Nothing here"
 * reads the id and says why, the unsaved-work notice moves nothing,
 * `?theme=dark` works on room pages. (Bug 3, the dev server's reload
 * prompt, needs the dev server: tests/e2e/dev-reload.test.ts.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, WebSocketRoute } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import {
  chatLines,
  connectionStatus,
  launchBrowser,
  newPerson,
  openRoom,
  say,
  screenshot,
  type TrackedPage,
  typeAtEnd,
  waitConnected,
  waitCount,
  waitDocumentLoaded,
  waitForDocText,
} from "./helpers/browser";
import { HostSite } from "./helpers/host-page";

/** The first-visit latency of the report. */
const LATENCY_MS = 1_200;

let server: DevServer;
let host: HostSite;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage & { context: BrowserContext }> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return { ...tracked, context };
}

before(async () => {
  buildApp();
  [server, host] = await Promise.all([startServer(), HostSite.start()]);
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await host?.stop();
  await server?.stop();
});

test("bug 1: a pasted link with capitals joins that room, with its content", async () => {
  const room = `TeamStandup-${uniqueRoom("x")}`;
  const ada = await person();
  await openRoom(ada.page, `${server.http}/r/${room}?name=Ada`);
  await typeAtEnd(ada.page, "Standup notes");
  const bo = await person();
  await bo.page.goto(`${server.http}/`);
  await bo.page.getByRole("textbox", { name: "Join a room by name or link" }).fill(`${server.http}/r/${room}`);
  await bo.page.getByRole("button", { name: "Join", exact: true }).click();
  await waitConnected(bo.page);
  assert.equal(new URL(bo.page.url()).pathname, `/r/${room}`, "the room as linked, capitals kept");
  await waitForDocText(bo.page, "Standup notes");
  assert.deepEqual([...ada.errors, ...bo.errors], []);
});

test("bug 2: a slow first visit shows skeletons, never false empty states", async () => {
  const room = uniqueRoom("e2e-slow");
  const ada = await person();
  await openRoom(ada.page, `${server.http}/r/${room}?name=Ada`);
  await typeAtEnd(ada.page, "Content that is already here");
  await say(ada.page, "A message that is already here");
  await waitCount(chatLines(ada.page, "A message that is already here").and(ada.page.locator("[data-seq]")), 1);

  const bo = await person();
  // Latency on the room's code and on everything the room sends (the socket's frames come late).
  await bo.context.route(/\/assets\/(?!index-).*\.js$/, async (route) => {
    await new Promise((r) => setTimeout(r, LATENCY_MS));
    await route.continue();
  });
  await bo.context.routeWebSocket(/\/parties\//, (ws: WebSocketRoute) => {
    const upstream = ws.connectToServer();
    upstream.onMessage((message) => void setTimeout(() => ws.send(message), LATENCY_MS));
    ws.onMessage((message) => upstream.send(message));
  });
  // Everything the page ever shows is checked, from its first frame on.
  // (A string, not a function: the test's TypeScript compiler would add helpers the page does not have.)
  await bo.page.addInitScript(`
    const seen = (window.falseEmpty = []);
    const check = () => {
      if (document.querySelector(".cm-placeholder")) seen.push("document placeholder");
      if (document.querySelector(".chat-empty")) seen.push("no messages yet");
      const count = document.querySelector("#presence-heading .count");
      if (count && count.textContent === "0") seen.push("People here 0");
      // Once the app has rendered anything, something must be there to see: content or a skeleton.
      const root = document.getElementById("root");
      if (root && root.childElementCount > 0 && !root.querySelector(".skeleton, .cm-editor, h1")) seen.push("blank page");
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
    setInterval(check, 50);
  `);
  await bo.page.goto(`${server.http}/r/${room}?name=Bo`, { waitUntil: "domcontentloaded" });
  await bo.page.getByRole("status", { name: "Loading the room" }).waitFor();
  await screenshot(bo.page, "bug2-slow-first-visit-skeleton");
  await waitConnected(bo.page, 20_000);
  await waitForDocText(bo.page, "Content that is already here");
  await waitCount(chatLines(bo.page, "A message that is already here"), 1);
  const seen = await bo.page.evaluate(() => (window as unknown as { falseEmpty: string[] }).falseEmpty);
  assert.deepEqual([...new Set(seen)], [], "nothing claimed the room was empty while it loaded");
  assert.deepEqual(bo.errors, []);
});

test("bug 4: one embed's name does not rename the person in another embed on the page", async () => {
  const room = uniqueRoom("e2e-embed-names");
  const watcher = await person();
  await openRoom(watcher.page, `${server.http}/r/${room}?name=Watcher`);
  const url = host.page(
    `/two-embeds-${room}`,
    `<script src="${server.http}/embed.js"></script>
<party-room id="named" room="${room}" view="chat" name="Embedder"></party-room>
<div id="later"></div>`,
  );
  const visitor = await person({ width: 1000, height: 1400 });
  await visitor.page.goto(url, { waitUntil: "domcontentloaded" });
  const named = visitor.page.frameLocator("#named iframe");
  await connectionStatus(named).filter({ hasText: /^Connected/ }).waitFor();
  // The second frame comes after the named one is in: it must not inherit that name.
  await visitor.page.evaluate((r) => {
    const el = document.createElement("party-room");
    el.id = "plain";
    el.setAttribute("room", r);
    el.setAttribute("view", "chat");
    document.getElementById("later")!.append(el);
  }, room);
  const plain = visitor.page.frameLocator("#plain iframe");
  await connectionStatus(plain).filter({ hasText: /^Connected/ }).waitFor();
  await say(plain, "from the unnamed frame");
  await say(named, "from the named frame");
  const fromPlain = chatLines(watcher.page, "from the unnamed frame");
  const fromNamed = chatLines(watcher.page, "from the named frame");
  await waitCount(fromPlain, 1);
  await waitCount(fromNamed, 1);
  assert.equal(await fromNamed.locator(".chat-name").textContent(), "Embedder");
  assert.notEqual(await fromPlain.locator(".chat-name").textContent(), "Embedder", "the unnamed frame posts as this browser's own person");
  await watcher.page.getByRole("list", { name: "People here" }).getByText("Embedder").waitFor();
  await screenshot(visitor.page, "bug4-two-embeds");
  assert.deepEqual([...watcher.errors, ...visitor.errors], []);
});

test("smaller: an unknown path gets the app's Nothing here page (404), a broken room link says why, readable", async () => {
  const page = (await person()).page;
  const res = await page.goto(`${server.http}/no/such/page`);
  assert.equal(res?.status(), 404);
  await page.getByRole("heading", { name: "Nothing here" }).waitFor();
  await page.goto(`${server.http}/r/h%C3%A9llo%20world`);
  await page.getByRole("heading", { name: "Nothing here" }).waitFor();
  await page.getByText("/r/héllo world", { exact: true }).waitFor();
  await page.getByText(/Room names use only letters A-Z, digits, - and _; this one has “é”, a space\./).waitFor();
  await screenshot(page, "not-found-explained");
});

test("smaller: the connection banner floats; going offline moves nothing on the page", async () => {
  const room = uniqueRoom("e2e-banner");
  const ada = await person();
  let online = true;
  const live = new Set<WebSocketRoute>();
  await ada.context.routeWebSocket(/\/parties\//, (ws) => {
    if (!online) return void ws.close({ code: 1011, reason: "offline (test)" });
    live.add(ws);
    ws.connectToServer();
  });
  await ada.context.route(/\/parties\//, (route) => (online ? route.continue() : route.abort("internetdisconnected")));
  await openRoom(ada.page, `${server.http}/r/${room}?name=Ada`);
  await waitDocumentLoaded(ada.page);
  const layout = () => ada.page.evaluate(() => [".room-main", ".cm-content", ".chat-lines"].map((s) => document.querySelector(s)!.getBoundingClientRect().top));
  const before = await layout();
  online = false;
  await ada.context.setOffline(true);
  for (const ws of live) await ws.close({ code: 1011, reason: "network lost (test)" });
  await typeAtEnd(ada.page, "typed offline");
  await ada.page.getByText("You're offline. Your changes are kept on this device and will be sent when the connection is back.").waitFor();
  await ada.page.getByRole("status", { name: "Unsaved work" }).filter({ hasText: "document edits" }).waitFor();
  assert.deepEqual(await layout(), before, "nothing moved when the banner appeared");
  // Nobody else's status is claimed while we cannot know it; no transport is named while nothing is connected.
  assert.doesNotMatch((await connectionStatus(ada.page).textContent()) ?? "", /WebSocket|SSE|polling/);
  await screenshot(ada.page, "offline-banner");
  online = true;
  await ada.context.setOffline(false);
  await waitConnected(ada.page);
  await ada.page.getByRole("status", { name: "Unsaved work" }).waitFor({ state: "hidden" });
  assert.deepEqual(ada.errors.filter((e) => !/WebSocket|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
});

test("smaller: ?theme=dark works on a room page (and is not remembered); the theme switch is", async () => {
  const room = uniqueRoom("e2e-theme");
  const ada = await person();
  await openRoom(ada.page, `${server.http}/r/${room}?theme=dark`);
  assert.equal(await ada.page.evaluate(() => document.documentElement.dataset.theme), "dark");
  const bg = await ada.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(17, 17, 22)", "the dark palette applies");
  await ada.page.goto(`${server.http}/r/${room}`);
  await waitConnected(ada.page);
  assert.equal(await ada.page.evaluate(() => document.documentElement.dataset.theme), undefined, "a link's theme is for that page only");
  await ada.page.getByRole("combobox", { name: "Theme" }).selectOption("dark");
  await ada.page.reload();
  await waitConnected(ada.page);
  assert.equal(await ada.page.evaluate(() => document.documentElement.dataset.theme), "dark", "the switch is remembered");
  assert.equal(await ada.page.getByRole("combobox", { name: "Theme" }).inputValue(), "dark");
  await ada.page.getByRole("combobox", { name: "Theme" }).selectOption("system");
  assert.equal(await ada.page.evaluate(() => document.documentElement.dataset.theme), undefined);
  assert.deepEqual(ada.errors, []);
});
