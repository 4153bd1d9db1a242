/**
 * The chat people expect (issue 13), two people in real Chromium: safe
 * clickable links, multi-line messages, grouping and day separators, a typing
 * indicator over awareness, @mentions with suggestions and highlight, unread
 * counts in the page title while hidden, own message states only when they
 * matter, and long names that keep the time on one line.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, WebSocketRoute } from "playwright-core";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import { chatLines, launchBrowser, newPerson, openRoom, say, screenshot, type TrackedPage, waitCount } from "./helpers/browser";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-chat");
let ada: TrackedPage & { context: BrowserContext };
let grace: TrackedPage & { context: BrowserContext };

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage & { context: BrowserContext }> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return { ...tracked, context };
}

/** Lets a test hide and show the page as a background tab would (headless pages are always visible). */
const VISIBILITY_SWITCH = `
  window.__visibility = "visible";
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => window.__visibility });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => window.__visibility === "hidden" });
`;

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
  ada = await person();
  grace = await person();
  await grace.page.addInitScript(VISIBILITY_SWITCH);
  await openRoom(ada.page, `${server.http}/r/${room}?name=Ada`);
  await openRoom(grace.page, `${server.http}/r/${room}?name=Grace`);
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

test("links are clickable and safe; markup in a message is only text", async () => {
  const text = "see https://example.com/a?b=1 or javascript:window.pwned=1 <img src=x onerror=window.pwned=2>";
  await say(ada.page, text);
  const line = chatLines(grace.page, text);
  await waitCount(line, 1);
  const links = await line.locator("a").evaluateAll((as) => as.map((a) => ({ href: a.getAttribute("href"), target: a.getAttribute("target"), rel: a.getAttribute("rel") })));
  assert.deepEqual(links, [{ href: "https://example.com/a?b=1", target: "_blank", rel: "noopener noreferrer nofollow" }]);
  assert.equal(await line.locator("img").count(), 0);
  assert.equal(await grace.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
});

test("Shift+Enter writes a multi-line message; Enter sends it", async () => {
  const box = grace.page.getByRole("textbox", { name: "Message" });
  await box.fill("first line");
  await box.press("Shift+Enter");
  await box.pressSequentially("second line");
  await box.press("Enter");
  const line = ada.page.locator(".chat-line", { has: ada.page.locator(".chat-text", { hasText: "first line" }) });
  await waitCount(line, 1);
  assert.equal(await line.locator(".chat-text").innerText(), "first line\nsecond line");
  assert.equal(await box.inputValue(), "", "the box is empty after sending");
});

test("consecutive messages from one person are grouped under one name; days are separated", async () => {
  await say(grace.page, "a second message from Grace");
  await say(grace.page, "and a third");
  const third = chatLines(ada.page, "and a third");
  await waitCount(third, 1);
  assert.ok(await third.evaluate((el) => el.classList.contains("chat-line-grouped")), "the third is grouped with the one before");
  assert.equal(await third.locator(".chat-name").count(), 0, "no repeated name");
  assert.equal(await ada.page.locator(".chat-day").first().innerText(), "Today");
  await screenshot(ada.page, "chat-grouped");
});

test("the others see who is typing (over awareness), and stop seeing it when the draft is sent or cleared", async () => {
  const box = ada.page.getByRole("textbox", { name: "Message" });
  await box.pressSequentially("thinking");
  await grace.page.getByText("Ada is typing…").waitFor();
  await box.fill("");
  await grace.page.getByText("Ada is typing…").waitFor({ state: "detached" });
  await box.pressSequentially("almost");
  await grace.page.getByText("Ada is typing…").waitFor();
  await box.press("Enter");
  await grace.page.getByText("Ada is typing…").waitFor({ state: "detached" });
});

test("@ suggests the people here; a mention is highlighted, most of all for the person mentioned", async () => {
  const box = ada.page.getByRole("textbox", { name: "Message" });
  await box.pressSequentially("thanks @Gr");
  const option = ada.page.getByRole("option", { name: "@Grace" });
  await option.waitFor();
  await screenshot(ada.page, "chat-mention-suggestions");
  await box.press("Enter");
  assert.equal(await box.inputValue(), "thanks @Grace ");
  await box.pressSequentially("for the notes");
  await box.press("Enter");
  const line = chatLines(grace.page, "thanks @Grace for the notes");
  await waitCount(line, 1);
  assert.ok(await line.evaluate((el) => el.classList.contains("chat-line-mention")), "the mentioned person's line stands out");
  assert.equal(await line.locator("mark.mention-self").innerText(), "@Grace");
  assert.equal(await chatLines(ada.page, "thanks @Grace for the notes").locator("mark.mention").innerText(), "@Grace");
});

test("while the page is hidden, new messages count as unread in the title; seeing the page clears it", async () => {
  const base = await grace.page.title();
  assert.doesNotMatch(base, /^\(\d+\)/);
  await grace.page.evaluate(() => {
    (window as unknown as { __visibility: string }).__visibility = "hidden";
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await say(ada.page, "are you there?");
  await say(ada.page, "hello?");
  await grace.page.waitForFunction(() => document.title.startsWith("(2) "));
  await grace.page.getByRole("heading", { name: /Chat 2 new/ }).waitFor();
  await grace.page.evaluate(() => {
    (window as unknown as { __visibility: string }).__visibility = "visible";
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await grace.page.waitForFunction((t) => document.title === t, base);
});

test("own messages: no tag once delivered, 'sending…' only when it takes a while, 'Not sent' with Retry when refused", async () => {
  const delivered = chatLines(ada.page, "hello?");
  assert.equal(await delivered.locator(".chat-state").count(), 0, "a delivered message carries no state");
  // The socket goes quiet: a new message stays pending and says so after a moment.
  const routes: WebSocketRoute[] = [];
  let hold = true;
  await ada.context.routeWebSocket(/\/parties\//, (ws) => {
    routes.push(ws);
    const upstream = ws.connectToServer();
    ws.onMessage((m) => {
      if (!hold) upstream.send(m);
    });
  });
  await ada.page.reload();
  await ada.page.getByRole("textbox", { name: "Message" }).waitFor();
  await say(ada.page, "held back");
  const pending = chatLines(ada.page, "held back");
  await pending.getByText("sending…").waitFor();
  hold = false;
  await ada.context.unrouteAll({ behavior: "wait" });
  await ada.page.reload();
  await waitCount(chatLines(grace.page, "held back"), 1);
  // Too long for the room: refused at once, with the reason and a Retry.
  const box = ada.page.getByRole("textbox", { name: "Message" });
  await box.evaluate((el) => {
    const area = el as HTMLTextAreaElement;
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(area, "x".repeat(2_001));
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await box.press("Enter");
  const failed = ada.page.locator(".chat-line-pending[data-state='failed']");
  await failed.getByText(/Not sent: messages are limited to 2000 characters/).waitFor();
  await failed.getByRole("button", { name: "Retry" }).waitFor();
  await screenshot(ada.page, "chat-not-sent");
});

test("a long name never pushes the time onto a second line, wide or narrow", async () => {
  const long = "Bartholomew Fitzgerald-Montgomery III";
  const phone = await person({ width: 390, height: 844 });
  await openRoom(phone.page, `${server.http}/r/${room}?name=${encodeURIComponent(long)}`);
  await phone.page.getByRole("tab", { name: /Chat/ }).click();
  await say(phone.page, "a message from someone with a long name");
  for (const page of [phone.page, grace.page]) {
    const line = chatLines(page, "a message from someone with a long name");
    await waitCount(line, 1);
    const [name, time] = await Promise.all([line.locator(".chat-name").boundingBox(), line.locator(".chat-meta time").boundingBox()]);
    assert.ok(name && time, "name and time are shown");
    assert.ok(Math.abs(name.y + name.height / 2 - (time.y + time.height / 2)) < 4, `name and time on one line (${JSON.stringify({ name, time })})`);
    assert.ok(time.height < 20, `the time is one line high (${time.height})`);
  }
  await screenshot(phone.page, "chat-long-name-phone");
  assert.deepEqual(phone.errors, []);
});

test("no console errors", () => {
  assert.deepEqual(grace.errors, []);
  assert.deepEqual(ada.errors.filter((e) => !/WebSocket/.test(e)), []);
});
