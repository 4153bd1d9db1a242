/**
 * The history panel in real Chromium (issue 14): Ada names a version, edits
 * on, then browses the history with the keyboard, compares the named version
 * with the current document (its differences marked both ways), and restores
 * it; Grace, who never opens the panel, sees the restored text live. axe-core
 * finds no serious or critical violation with the panel open, light or dark.
 * Screenshots: test-results/history-compare.png, history-restored.png.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import { documentBox, launchBrowser, newPerson, openRoom, screenshot, type TrackedPage, waitForDocText } from "./helpers/browser";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-history");
let ada: TrackedPage;
let grace: TrackedPage;

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  for (const name of ["Ada", "Grace"]) {
    const { context, tracked } = await newPerson(browser);
    contexts.push(context);
    await openRoom(tracked.page, `${server.http}/r/${room}?name=${name}`);
    if (name === "Ada") ada = tracked;
    else grace = tracked;
  }
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** Serious and critical axe violations on the page as it is. */
async function axe(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(ctx: unknown, o: object): Promise<{ violations: Violation[] }> } }).axe.run(document, { resultTypes: ["violations"] });
    return result.violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

const panel = (page: Page) => page.getByRole("region", { name: "Version history" });
const options = (page: Page) => panel(page).getByRole("listbox", { name: "Versions, newest first" }).getByRole("option");

test("name a version, edit on, browse and compare with the keyboard, restore: everyone sees it live", async () => {
  const { page } = ada;
  await documentBox(page).click();
  await page.keyboard.insertText("# Plan\n\nFirst draft line.\n");
  await waitForDocText(grace.page, "First draft line.");

  await page.getByRole("button", { name: "History" }).click();
  await panel(page).getByText("No versions yet.").waitFor();
  await page.getByRole("textbox", { name: "Name for the current version" }).fill("Before the review");
  await page.getByRole("button", { name: "Save version" }).click();
  await options(page).filter({ hasText: "Before the review" }).waitFor();
  await page.getByRole("status").filter({ hasText: "Saved “Before the review”." }).waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Close history" }).click();
  assert.equal(await page.getByRole("button", { name: "History" }).evaluate((el) => el === document.activeElement), true, "focus returns to History");

  // Edit on: the end of the first line becomes something else, and a line is added.
  await documentBox(page).click();
  await page.keyboard.press("Control+End");
  for (let i = 0; i < "line.\n".length; i++) await page.keyboard.press("Backspace");
  await page.keyboard.insertText("text, reviewed.\nAdded after the review.");
  await waitForDocText(grace.page, "Added after the review.");

  // Browse with the keyboard: the panel takes focus, Tab reaches the list, arrows pick.
  await page.getByRole("button", { name: "History" }).press("Enter");
  const named = options(page).filter({ hasText: "Before the review" });
  await named.waitFor();
  await options(page).first().focus();
  await page.keyboard.press("End");
  assert.equal(await named.getAttribute("aria-selected"), "true", "End picks the oldest (the named one)");
  const text = panel(page).getByRole("region", { name: /^Text of Before the review/ });
  await text.waitFor();
  assert.deepEqual(await text.locator("ins").allTextContents(), ["[only in this version: line]"], "what a restore brings back (the full stop is in both)");
  const removed = (await text.locator("del").allTextContents()).join("");
  assert.match(removed, /text, reviewed/);
  assert.match(removed, /Added after the review\./, "what a restore takes away");
  await panel(page).getByText(/^Compared with now: \d+ characters only in this version/).waitFor();

  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const violations = await axe(page);
    assert.deepEqual(violations, [], `${scheme}: ${violations.map((v) => `${v.impact} ${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n")}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await screenshot(page, "history-compare");

  await panel(page).getByRole("button", { name: "Restore this version…" }).click();
  const confirm = panel(page).getByRole("button", { name: "Restore", exact: true });
  assert.equal(await confirm.evaluate((el) => el === document.activeElement), true, "the confirmation takes focus");
  await confirm.press("Enter");
  await page.getByRole("status").filter({ hasText: "Restored Before the review." }).waitFor({ state: "attached" });
  // Grace never opened the panel: the restore reaches her editor as a live change.
  const restored = "# Plan\n\nFirst draft line.\n";
  assert.equal(await waitForDocText(grace.page, "First draft line."), restored);
  assert.equal(await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text()), restored);
  await options(page).filter({ hasText: "Restored “Before the review”" }).waitFor();
  const titles = await options(page).locator(".version-option-title").allTextContents();
  assert.deepEqual(titles, ["Restored “Before the review”", "Automatic save", "Before the review"], "newest first: the restore, the state before it, the named one");
  assert.equal(await panel(page).getByRole("region", { name: /^Text of Restored “Before the review”/ }).locator("ins, del").count(), 0, "the restore version is the document now");
  await screenshot(page, "history-restored");
  await page.keyboard.press("Escape");
  await panel(page).waitFor({ state: "detached" });
  await waitForDocText(page, "First draft line.");
  assert.deepEqual([...ada.errors, ...grace.errors], []);
});
