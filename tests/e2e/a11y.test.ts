/**
 * Accessibility: axe-core (the npm package, injected into Debian's Chromium)
 * on the home, room, embed and "Nothing here" pages, light and dark, at
 * 1280 x 800 and 390 x 844, with a conversation and a document in the room.
 * No serious or critical violation is allowed (colour contrast included).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { axe, explain } from "./helpers/axe";
import { buildApp } from "./helpers/build";
import { chatLines, launchBrowser, newPerson, openRoom, say, screenshot, type TrackedPage, typeAtEnd, waitCount, waitTransport } from "./helpers/browser";

const SIZES = { wide: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-a11y");

async function person(viewport: { width: number; height: number }): Promise<TrackedPage> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return tracked;
}

/** Checks `page` in both colour schemes, saving a screenshot of each. */
async function check(page: Page, name: string): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Colours settle after the scheme switch (transitions) before axe reads them.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const violations = await axe(page);
    await screenshot(page, `a11y-${name}-${scheme}`);
    assert.deepEqual(violations, [], `${name} (${scheme}):\n${explain(violations)}`);
  }
}

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  // A room with something in it: a document with Markdown, a conversation with a link and a mention.
  const host = await person(SIZES.wide);
  await openRoom(host.page, `${server.http}/r/${room}?name=Host`);
  await typeAtEnd(host.page, "# Agenda\n\nSome **bold** words and a [link](https://example.com).\n\n- first\n");
  await say(host.page, "Welcome! Notes at https://example.com");
  await waitCount(chatLines(host.page, "Welcome! Notes at https://example.com").and(host.page.locator("[data-seq]")), 1);
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`home page, ${size}`, async () => {
    const { page, errors } = await person(viewport);
    await page.goto(`${server.http}/`);
    await page.getByRole("button", { name: "Create a room" }).waitFor();
    await check(page, `home-${size}`);
    assert.deepEqual(errors, []);
  });

  test(`room page, ${size}`, async () => {
    const { page, errors } = await person(viewport);
    await openRoom(page, `${server.http}/r/${room}?name=${encodeURIComponent("Reader @Host")}`);
    if (size === "phone") await page.getByRole("tab", { name: /^Chat/ }).click();
    await say(page, `Hi @Host, reading along on a ${size} screen`);
    await waitCount(chatLines(page, `Hi @Host, reading along on a ${size} screen`).and(page.locator("[data-seq]")), 1);
    if (size === "phone") {
      for (const tab of ["Document", "Chat", "People"]) {
        await page.getByRole("tab", { name: new RegExp(`^${tab}`) }).click();
        await check(page, `room-${size}-${tab.toLowerCase()}`);
      }
    } else await check(page, `room-${size}`);
    assert.deepEqual(errors, []);
  });

  test(`embed page, ${size}`, async () => {
    const { page, errors } = await person(viewport);
    await page.goto(`${server.http}/embed/${room}?name=Embedded`);
    await waitTransport(page, /WebSocket/);
    await check(page, `embed-${size}`);
    assert.deepEqual(errors, []);
  });
}

test("Nothing here page", async () => {
  const { page } = await person(SIZES.wide);
  await page.goto(`${server.http}/r/not%20a%20room`);
  await page.getByRole("heading", { name: "Nothing here" }).waitFor();
  await check(page, "not-found");
});
