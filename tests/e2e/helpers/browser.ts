/**
 * Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, plus
 * page helpers that wait on the app's accessible names with deadlines and
 * record console errors so a test can assert there were none.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type FrameLocator, type Locator, type Page } from "playwright-core";
import { ROOT } from "../../helpers/server";

/** Where screenshots go (a CI artifact). */
export const RESULTS_DIR = join(ROOT, "test-results");
/** Default deadline for UI waits. */
export const UI_TIMEOUT_MS = 15_000;

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: 30_000,
  });
}

/** A page plus every console error and uncaught exception it produced. */
export type TrackedPage = { page: Page; errors: string[] };

/** Opens a page in a fresh context (its own localStorage: a different person). */
export async function newPerson(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; tracked: TrackedPage }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  return { context, tracked: await trackedPage(context) };
}

/** A new page in `context` whose console errors are collected. */
export async function trackedPage(context: BrowserContext): Promise<TrackedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return { page, errors };
}

/** The editor's content element (a textbox named "Document"). */
export function documentBox(page: Page): Locator {
  return page.getByRole("textbox", { name: "Document" });
}

/** The presence list's items. */
export function people(page: Page): Locator {
  return page.getByRole("list", { name: "People here" }).getByRole("listitem");
}

/** Chat lines whose text is exactly `text`. */
export function chatLines(page: Page, text: string): Locator {
  return page.locator(".chat-line").filter({ has: page.locator(".chat-text", { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) });
}

/** Waits until the connection indicator says "Connected". */
export async function waitConnected(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await page.getByRole("status", { name: "Connection" }).filter({ hasText: /^Connected/ }).waitFor({ timeout });
}

/** Waits until `locator` has exactly `count` matches (Playwright's own waits, each with the deadline). */
export async function waitCount(locator: Locator, count: number, timeout = UI_TIMEOUT_MS): Promise<void> {
  if (count > 0) await locator.nth(count - 1).waitFor({ state: "attached", timeout });
  await locator.nth(count).waitFor({ state: "detached", timeout });
  const now = await locator.count();
  if (now !== count) throw new Error(`expected ${count} of ${String(locator)}, found ${now}`);
}

/** Saves a full-page screenshot under test-results/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Waits until the document (as the editor shows it, without other people's
 * caret labels or the placeholder) contains `text`; returns the full text.
 */
export async function waitForDocText(page: Page, text: string, timeout = UI_TIMEOUT_MS): Promise<string> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const content = document.querySelector(".cm-content");
      if (!content) return null;
      const lines = [...content.querySelectorAll(".cm-line")].map((line) => {
        const clone = line.cloneNode(true) as HTMLElement;
        clone.querySelectorAll(".cm-remote-caret, .cm-placeholder").forEach((n) => n.remove());
        return (clone.textContent ?? "").replace(/\u2060/g, "");
      });
      const all = lines.join("\n");
      return all.includes(wanted) ? all : null;
    },
    text,
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

/** Waits until the document has synced (its loading skeleton is gone): a page taken offline before that has nothing to edit. */
export async function waitDocumentLoaded(page: Page): Promise<void> {
  await page.locator('section.editor[aria-busy="false"]').waitFor();
}

/** Opens `path` and waits for the room to be connected. */
export async function openRoom(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await waitConnected(page);
  await documentBox(page).waitFor();
}

/** Sends a chat message from the "Message" box (in a page or a frame). */
export async function say(page: Page | FrameLocator, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

/** Clicks into the document, goes to its end and types. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
  await documentBox(page).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

/** The "Connection" indicator. */
export function connectionStatus(page: Page | FrameLocator): Locator {
  return page.getByRole("status", { name: "Connection" });
}

/** Waits until the indicator says "Connected via <transport>" (WebSocket, SSE, Long polling). */
export async function waitTransport(page: Page | FrameLocator, transport: RegExp, timeout = UI_TIMEOUT_MS): Promise<void> {
  await connectionStatus(page).filter({ hasText: new RegExp(`^Connected via ${transport.source}$`) }).waitFor({ timeout });
}

/** Console noise a browser makes when a WebSocket upgrade is refused: expected on a blocked network. */
export const isBlockedSocketNoise = (error: string): boolean => /WebSocket connection to .* failed/.test(error);
