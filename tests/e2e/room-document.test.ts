/**
 * The document people expect (issue 13), two people in real Chromium:
 * Markdown highlighted in the editor and rendered, sanitised, in a preview
 * (side by side when wide, a switch when narrow); a room title everyone sees;
 * a .md download; the avatar stack with jump to and follow; cursor labels
 * that fade when their person is still. The text stays the one Y.Text that
 * `GET …/doc` and stock Yjs clients read.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import { documentBox, launchBrowser, newPerson, openRoom, screenshot, type TrackedPage, UI_TIMEOUT_MS, waitForDocText } from "./helpers/browser";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-doc");
let ada: TrackedPage;
let grace: TrackedPage;

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return tracked;
}

/** Puts `text` at the end of the document in one edit. */
async function insertAtEnd(page: Page, text: string): Promise<void> {
  await documentBox(page).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(text);
}

const XSS = [
  '<img src="x" onerror="window.pwned=1">',
  "<script>window.pwned=2</script>",
  "[click me](javascript:window.pwned=3)",
  '<a href="https://example.com/safe">a safe link</a>',
  "- [x] done task",
].join("\n\n");

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  ada = await person();
  grace = await person();
  await openRoom(ada.page, `${server.http}/r/${room}?name=Ada`);
  await openRoom(grace.page, `${server.http}/r/${room}?name=Grace`);
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

test("Markdown is highlighted in the editor and rendered beside it on a wide screen", async () => {
  await insertAtEnd(ada.page, "# Quarterly plan\n\nSome **bold** words.\n\n");
  await waitForDocText(grace.page, "Some **bold** words.");
  const heading = grace.page.locator(".cm-line", { hasText: "# Quarterly plan" }).locator("span", { hasText: "Quarterly plan" });
  assert.equal(await heading.first().evaluate((el) => getComputedStyle(el).fontWeight), "700", "the heading is bold in the editor");
  const preview = grace.page.getByRole("region", { name: "Preview" });
  await preview.getByRole("heading", { name: "Quarterly plan", level: 1 }).waitFor();
  assert.equal(await preview.locator("strong").innerText(), "bold");
  const [editor, rendered] = await Promise.all([documentBox(grace.page).boundingBox(), preview.boundingBox()]);
  assert.ok(editor && rendered && rendered.x >= editor.x + editor.width - 1, "side by side at 1280 px");
  const stored = await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text());
  assert.match(stored, /^# Quarterly plan\n\nSome \*\*bold\*\* words\./, "GET …/doc still returns the Markdown text");
});

test("the preview is sanitised: no scripts, handlers or javascript: links run or survive", async () => {
  await insertAtEnd(ada.page, XSS);
  const preview = grace.page.getByRole("region", { name: "Preview" });
  await preview.getByRole("link", { name: "a safe link" }).waitFor();
  assert.equal(await preview.locator("script").count(), 0);
  assert.equal(await preview.locator("[onerror], [onclick]").count(), 0);
  assert.equal(await preview.locator('a[href^="javascript"]').count(), 0);
  assert.equal(await preview.getByRole("link", { name: "a safe link" }).getAttribute("rel"), "noopener noreferrer nofollow");
  await preview.getByRole("checkbox", { name: "Done" }).waitFor();
  await grace.page.waitForTimeout(300); // give a broken image's onerror its chance to fire
  assert.equal(await grace.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  await screenshot(grace.page, "document-preview");
});

test("on a narrow screen the preview is a switch", async () => {
  const narrow = await person({ width: 900, height: 800 });
  await openRoom(narrow.page, `${server.http}/r/${room}?name=Narrow`);
  const preview = narrow.page.getByRole("region", { name: "Preview" });
  assert.equal(await preview.isVisible(), false, "writing first");
  await narrow.page.getByRole("button", { name: "Preview" }).click();
  await preview.getByRole("heading", { name: "Quarterly plan" }).waitFor();
  assert.equal(await documentBox(narrow.page).isVisible(), false);
  await narrow.page.getByRole("button", { name: "Write" }).click();
  await documentBox(narrow.page).waitFor();
  assert.deepEqual(narrow.errors, []);
});

test("a room title everyone sees, and the page title follows it", async () => {
  await ada.page.getByRole("button", { name: "Rename the room" }).click();
  const box = ada.page.getByRole("textbox", { name: "Room title" });
  await box.fill("Q3 planning");
  await box.press("Enter");
  await grace.page.getByRole("heading", { name: "Q3 planning", level: 1 }).waitFor();
  await grace.page.waitForFunction(() => document.title === "Q3 planning · partyroom");
});

test("Download .md saves the document, named after the title", async () => {
  const [download] = await Promise.all([grace.page.waitForEvent("download"), grace.page.getByRole("button", { name: "Download .md" }).click()]);
  assert.equal(download.suggestedFilename(), "Q3-planning.md");
  const saved = readFileSync(await download.path(), "utf8");
  const stored = await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text());
  assert.equal(saved, stored);
});

test("the avatar stack jumps to a collaborator's cursor and follows it", async () => {
  // A long document with Ada writing at its end, Grace reading its top.
  await insertAtEnd(ada.page, `\n${Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join("\n")}\nAda is down here.`);
  // (The editor only draws the lines in view; the preview shows all of them.)
  await grace.page.getByRole("region", { name: "Preview" }).getByText("Ada is down here.").waitFor();
  const scroller = grace.page.locator(".editor .cm-scroller");
  await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
  // Out of view, CodeMirror does not draw the caret at all.
  const inView = () =>
    grace.page.evaluate(() => {
      const c = document.querySelector(".cm-remote-caret")?.getBoundingClientRect();
      const s = document.querySelector(".editor .cm-scroller")?.getBoundingClientRect();
      return Boolean(c && s && c.top >= s.top && c.bottom <= s.bottom);
    });
  assert.equal(await inView(), false, "Ada's cursor starts out of view");
  await grace.page.getByRole("button", { name: "Ada: jump to or follow" }).click();
  await grace.page.getByRole("button", { name: "Jump to Ada's cursor" }).click();
  await grace.page.waitForFunction(() => {
    const c = document.querySelector(".cm-remote-caret")?.getBoundingClientRect();
    const s = document.querySelector(".editor .cm-scroller")?.getBoundingClientRect();
    return c && s && c.top >= s.top && c.bottom <= s.bottom;
  });
  // Follow: Ada goes to the top and types; Grace's view goes with her.
  await grace.page.getByRole("button", { name: "Ada: jump to or follow" }).click();
  await grace.page.getByRole("button", { name: "Follow Ada" }).click();
  await grace.page.getByRole("status").filter({ hasText: "Following Ada" }).waitFor();
  await ada.page.keyboard.press("Control+Home");
  await ada.page.keyboard.type("Top! ");
  await grace.page.waitForFunction(() => (document.querySelector(".editor .cm-scroller")?.scrollTop ?? 1) < 50, undefined, { timeout: UI_TIMEOUT_MS });
  await screenshot(grace.page, "document-following");
  await grace.page.getByRole("button", { name: "Stop" }).click();
  await grace.page.getByRole("status").filter({ hasText: "Following Ada" }).waitFor({ state: "detached" });
});

test("cursor labels fade when their person is still, and come back when they move", async () => {
  const caret = grace.page.locator(".cm-remote-caret").first();
  await ada.page.keyboard.type("x");
  await grace.page.waitForFunction(() => !document.querySelector(".cm-remote-caret")?.classList.contains("cm-remote-caret-idle"));
  assert.equal(await caret.locator(".cm-remote-caret-label").evaluate((el) => getComputedStyle(el).opacity), "1");
  await grace.page.waitForFunction(() => document.querySelector(".cm-remote-caret")?.classList.contains("cm-remote-caret-idle"), undefined, { timeout: 6_000 });
  await grace.page.waitForFunction(() => getComputedStyle(document.querySelector(".cm-remote-caret-label")!).opacity === "0");
  await ada.page.keyboard.type("y");
  await grace.page.waitForFunction(() => !document.querySelector(".cm-remote-caret")?.classList.contains("cm-remote-caret-idle"));
});

test("no console errors", () => {
  assert.deepEqual(ada.errors, []);
  assert.deepEqual(grace.errors, []);
});
