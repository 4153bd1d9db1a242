/**
 * The room page in real Chromium against the real server: the production
 * bundle (`vite build`) served by `partykit dev` from dist/ as partykit.json
 * says, two people (two browser contexts, so two localStorages) in one room.
 * Tests run in order and share the room: each builds on the previous state.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { LIMITS } from "../../party/protocol";
import { TestClient } from "../helpers/client";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { axe, explain } from "./helpers/axe";
import { buildApp } from "./helpers/build";
import {
  chatLines,
  documentBox,
  launchBrowser,
  newPerson,
  openRoom,
  people,
  say,
  screenshot,
  type TrackedPage,
  typeAtEnd,
  waitConnected,
  waitCount,
  waitForDocText,
} from "./helpers/browser";

/** A reconnect after a restart waits out partykit's start-up plus a backoff step or two. */
const RECOVERY_TIMEOUT_MS = 60_000;

let server: DevServer;
let browser: Browser;
const room = uniqueRoom("e2e");
const contexts: BrowserContext[] = [];
let ada: TrackedPage;
let grace: TrackedPage;

const url = (query = "") => `${server.http}/r/${room}${query}`;

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return tracked;
}

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  ada = await person();
  grace = await person();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

test("text typed by one person appears for the other, with their cursor label", async () => {
  await openRoom(ada.page, url("?name=Ada"));
  await openRoom(grace.page, url("?name=Grace"));
  assert.equal(new URL(ada.page.url()).search, "", "?name= is removed from the address bar once applied");

  await typeAtEnd(ada.page, "Hello from Ada.");
  await waitForDocText(grace.page, "Hello from Ada.");
  await grace.page.locator(".cm-remote-caret-label", { hasText: /^Ada$/ }).waitFor();

  await typeAtEnd(grace.page, "\nGrace was here.");
  await waitForDocText(ada.page, "Hello from Ada.\nGrace was here.");
  await ada.page.locator(".cm-remote-caret-label", { hasText: /^Grace$/ }).waitFor();
});

test("a chat message appears for the other person exactly once", async () => {
  const text = "Hi Grace, shall we outline the plan?";
  await say(ada.page, text);
  await waitCount(chatLines(grace.page, text), 1);
  // Once Ada's own line is acknowledged it turns from sending to sent, still once.
  await chatLines(ada.page, text).and(ada.page.locator('[data-state="sent"]')).waitFor();
  await waitCount(chatLines(ada.page, text), 1);
  await say(grace.page, "Yes! You take the intro.");
  await waitCount(chatLines(ada.page, "Yes! You take the intro."), 1);
  assert.equal(await chatLines(grace.page, text).count(), 1, "no duplicate after the ack and the reply");
});

test("the presence list shows everyone and drops a person whose page closes", async () => {
  await waitCount(people(ada.page), 2);
  await waitCount(people(grace.page), 2);
  await people(ada.page).filter({ hasText: "Ada (you)" }).waitFor();
  await people(ada.page).filter({ hasText: "Grace" }).waitFor();
  await people(grace.page).filter({ hasText: "Grace (you)" }).waitFor();

  const linus = await person();
  await openRoom(linus.page, url("?name=Linus"));
  await waitCount(people(ada.page), 3);
  await people(grace.page).filter({ hasText: "Linus" }).waitFor();
  await linus.page.close();
  await waitCount(people(ada.page), 2);
  await waitCount(people(grace.page), 2);
  assert.deepEqual(linus.errors, []);
});

test("a reload keeps the document and the chat history", async () => {
  await ada.page.reload({ waitUntil: "domcontentloaded" });
  await waitConnected(ada.page);
  await waitForDocText(ada.page, "Hello from Ada.\nGrace was here.");
  await waitCount(chatLines(ada.page, "Hi Grace, shall we outline the plan?"), 1);
  await waitCount(chatLines(ada.page, "Yes! You take the intro."), 1);
  // Same browser, same person: still Ada, still one of two.
  await people(ada.page).filter({ hasText: "Ada (you)" }).waitFor();
  await waitCount(people(ada.page), 2);
});

test("a name change shows for everyone at once", async () => {
  await ada.page.getByRole("button", { name: /^You: Ada\./ }).click();
  const nameBox = ada.page.getByRole("textbox", { name: "Your name" });
  await nameBox.fill("Ada Lovelace");
  await nameBox.press("Enter");
  await people(grace.page).filter({ hasText: "Ada Lovelace" }).waitFor();
  await people(ada.page).filter({ hasText: "Ada Lovelace (you)" }).waitFor();
  // The cursor label follows the rename (Ada's caret is published once she is in the editor).
  await typeAtEnd(ada.page, "\nSigned, Ada.");
  await grace.page.locator(".cm-remote-caret-label", { hasText: /^Ada Lovelace$/ }).waitFor();
  // Remembered by the browser.
  await ada.page.reload({ waitUntil: "domcontentloaded" });
  await waitConnected(ada.page);
  await ada.page.getByRole("button", { name: /^You: Ada Lovelace\./ }).waitFor();
});

test("share copies the room link; embed offers the snippets for this room", async () => {
  await ada.page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.http });
  await ada.page.getByRole("button", { name: "Share" }).click();
  await ada.page.getByRole("button", { name: "Link copied" }).waitFor();
  assert.equal(await ada.page.evaluate(() => navigator.clipboard.readText()), url());
  await ada.page.getByRole("button", { name: "Embed" }).click();
  const dialog = ada.page.getByRole("dialog", { name: "Embed" });
  await dialog.waitFor();
  const script = await dialog.getByRole("textbox", { name: /^Script tag/ }).inputValue();
  assert.equal(script, `<script src="${server.http}/embed.js" data-room="${room}"></script>`);
  await dialog.getByRole("combobox", { name: "Show" }).selectOption("chat");
  const element = await dialog.getByRole("textbox", { name: /^Custom element/ }).inputValue();
  assert.equal(element, `<script src="${server.http}/embed.js" async></script>\n<party-room room="${room}" view="chat"></party-room>`);
  await dialog.getByRole("button", { name: "Copy" }).first().click();
  await dialog.getByRole("button", { name: "Copied" }).waitFor();
  assert.equal(await ada.page.evaluate(() => navigator.clipboard.readText()), `<script src="${server.http}/embed.js" data-room="${room}" data-view="chat"></script>`);
  await screenshot(ada.page, "room-embed-dialog");
  await ada.page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
});

test("screenshots of the room, light and dark, wide and narrow", async () => {
  await documentBox(grace.page).click();
  await grace.page.keyboard.press("Control+End");
  for (const scheme of ["light", "dark"] as const) {
    for (const page of [ada.page, grace.page]) await page.emulateMedia({ colorScheme: scheme });
    await screenshot(ada.page, `room-${scheme}`);
    await screenshot(grace.page, `room-${scheme}-grace`);
  }
  const phone = await person({ width: 360, height: 740 });
  await openRoom(phone.page, url("?name=Phone"));
  await waitForDocText(phone.page, "Signed, Ada.");
  for (const scheme of ["light", "dark"] as const) {
    await phone.page.emulateMedia({ colorScheme: scheme });
    await screenshot(phone.page, `room-${scheme}-phone`);
  }
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling at 360 px (page is ${width} px wide)`);
  await phone.page.goto(`${server.http}/`);
  await phone.page.getByRole("button", { name: "Create a room" }).waitFor();
  await screenshot(phone.page, "home-dark-phone");
  await phone.page.close();
  assert.deepEqual(phone.errors, []);
});

test("no console errors so far", () => {
  assert.deepEqual(ada.errors, []);
  assert.deepEqual(grace.errors, []);
});

test("the app recovers after the server restarts", async () => {
  await server.kill9();
  const status = ada.page.getByRole("status", { name: "Connection" });
  await status.filter({ hasText: /^Reconnecting(, next try in \d+ s|…)$/ }).waitFor();
  // After a moment a banner says, in plain words, that nothing is lost, and offers to retry.
  await ada.page.getByText("Your changes are kept on this device and will be sent when the connection is back.").waitFor();
  await ada.page.getByRole("button", { name: "Retry now" }).waitFor();
  await screenshot(ada.page, "room-dark-reconnecting");
  await server.restart();
  for (const page of [ada.page, grace.page]) await waitConnected(page, RECOVERY_TIMEOUT_MS);
  await waitForDocText(grace.page, "Signed, Ada.");
  await typeAtEnd(grace.page, "\nAfter the restart.");
  await waitForDocText(ada.page, "After the restart.");
  await say(ada.page, "Still here?");
  await waitCount(chatLines(grace.page, "Still here?"), 1);
  await waitCount(people(ada.page), 2);
  // While the server was down, the browser logs failed WebSocket attempts and the refused
  // HTTP check the client makes before any fallback (is the room there at all?); anything else is a bug.
  const outage = /WebSocket connection to .* failed|Failed to load resource: net::ERR_CONNECTION_REFUSED/;
  const unexpected = [...ada.errors, ...grace.errors].filter((e) => !outage.test(e));
  assert.deepEqual(unexpected, []);
});

test("older chat history loads when scrolled to the top", async () => {
  const busy = uniqueRoom("e2e-history");
  // Posted over HTTP, one clientId each (the HTTP rate limit is per clientId).
  for (let i = 1; i <= 80; i++) {
    const res = await fetch(`${server.http}/parties/main/${busy}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId: `poster-${i}`, id: `m-${i}`, text: `message ${i}`, name: `Poster ${i}`, color: "#1971c2" }),
    });
    assert.ok(res.ok, `POST message ${i}: ${res.status}`);
    await res.arrayBuffer();
  }
  const reader = await person({ width: 1280, height: 600 });
  await openRoom(reader.page, `${server.http}/r/${busy}`);
  const lines = reader.page.locator(".chat-line");
  await chatLines(reader.page, "message 80").waitFor();
  const first = await lines.count();
  assert.ok(first < 80, `the welcome carries only the latest page (${first} lines)`);
  await reader.page.getByRole("button", { name: "Load older messages" }).waitFor();
  // Scroll the log to the top, as a reader would, until everything is in.
  const log = reader.page.getByRole("log", { name: "Chat messages" });
  for (let round = 0; round < 5 && (await lines.count()) < 80; round++) {
    const before = await lines.count();
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await lines.nth(before).waitFor({ state: "attached" });
  }
  await waitCount(lines, 80);
  await chatLines(reader.page, "message 1").waitFor();
  await reader.page.getByRole("button", { name: "Load older messages" }).waitFor({ state: "detached" });
  const seqs = await lines.evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: 80 }, (_, i) => i + 1), "in order, none twice");
  await reader.page.close();
  assert.deepEqual(reader.errors, []);
});

test("keyboard only: create a room from the start page and reach the editor", async () => {
  const kim = await person();
  await kim.page.goto(`${server.http}/`);
  await kim.page.getByRole("button", { name: "Create a room" }).waitFor();
  // Tab order: brand link, then "Create a room".
  await kim.page.keyboard.press("Tab");
  await kim.page.keyboard.press("Tab");
  await kim.page.keyboard.press("Enter");
  await kim.page.waitForURL(/\/r\/[a-z]+-[a-z]+-[0-9a-z]{13}$/);
  await waitConnected(kim.page);
  await documentBox(kim.page).focus();
  await kim.page.keyboard.type("typed without a mouse");
  await waitForDocText(kim.page, "typed without a mouse");
  assert.deepEqual(kim.errors, []);
});

test("a room past its list: the panel counts everyone, lists the longest present, and says how many more; @ offers unlisted writers; leaves list the next", async () => {
  const crowdRoom = uniqueRoom("crowd");
  const lee = await person();
  await openRoom(lee.page, `${server.http}/r/${crowdRoom}`);
  await waitConnected(lee.page);
  const extra = 6;
  // One of the unlisted, with a name of their own: once they write in the chat, @ can name them.
  const zoe = LIMITS.presenceListed + extra - 3;
  const crowd: TestClient[] = [];
  // Joined in order (in groups, each waiting for its welcomes): who is listed follows arrival.
  for (let i = 0; i < LIMITS.presenceListed - 1 + extra; i += 25) {
    const group = Array.from({ length: Math.min(25, LIMITS.presenceListed - 1 + extra - i) }, (_, k) => TestClient.join(server.ws, crowdRoom, { clientId: `crowd${String(i + k).padStart(4, "0")}`, name: i + k === zoe ? "Zoe" : `Crowd ${i + k}` }));
    crowd.push(...(await Promise.all(group)).map((j) => j.client));
  }
  const count = lee.page.locator("#presence-heading .count");
  const more = lee.page.locator(".people-more");
  try {
    await count.filter({ hasText: new RegExp(`^${LIMITS.presenceListed + extra}$`) }).waitFor({ timeout: 30_000 });
    await waitCount(people(lee.page), LIMITS.presenceListed);
    await more.filter({ hasText: `and ${extra} more people` }).waitFor();
    assert.equal(await people(lee.page).filter({ hasText: `Crowd ${LIMITS.presenceListed + extra - 2}` }).count(), 0, "the last to arrive is counted, not listed");
    const violations = await axe(lee.page);
    assert.deepEqual(violations, [], explain(violations));
    assert.equal(await people(lee.page).filter({ hasText: "Zoe" }).count(), 0, "Zoe is counted, not listed");
    await crowd[zoe]!.chat("zoe1", "hello from the back");
    await waitCount(chatLines(lee.page, "hello from the back"), 1);
    const box = lee.page.getByRole("textbox", { name: "Message" });
    await box.pressSequentially("thanks @Zo");
    await lee.page.getByRole("option", { name: "@Zoe" }).waitFor();
    await box.fill("");
    // Ten of the listed leave: the next six to have arrived are listed in their place, and then everyone is.
    await Promise.all(crowd.slice(0, 10).map((c) => c.close()));
    await count.filter({ hasText: new RegExp(`^${LIMITS.presenceListed + extra - 10}$`) }).waitFor({ timeout: 30_000 });
    await waitCount(people(lee.page), LIMITS.presenceListed + extra - 10);
    await people(lee.page).filter({ hasText: `Crowd ${LIMITS.presenceListed + extra - 2}` }).waitFor();
    await more.waitFor({ state: "detached" });
  } finally {
    await Promise.all(crowd.map((c) => c.close()));
  }
  assert.deepEqual(lee.errors, []);
  await lee.page.close();
});
