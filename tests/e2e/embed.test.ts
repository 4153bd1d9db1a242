/**
 * Issue 6 in the browser: an embedder's page on another origin (HostSite)
 * puts a room on itself with the script loader and with <party-room>; the
 * embedded chat works both ways with the app's room page, the frame follows
 * its content's height, and the frame never hands the host its token. Then,
 * against a server with a signing secret: a view token embeds read-only, a
 * forged one is refused once with a reason, and the room page keeps its
 * token across a reload without showing it in the address bar.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, FrameLocator, Page } from "playwright-core";
import { mintToken } from "../../party/host/auth";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import {
  chatLines,
  connectionStatus,
  documentBox,
  launchBrowser,
  newPerson,
  openRoom,
  say,
  screenshot,
  type TrackedPage,
  typeAtEnd,
  UI_TIMEOUT_MS,
  waitCount,
  waitForDocText,
  waitTransport,
} from "./helpers/browser";
import { HostSite } from "./helpers/host-page";

const SECRET = "e2e-embed-secret-0123456789";

let open: DevServer;
let secured: DevServer;
let host: HostSite;
let browser: Browser;
const contexts: BrowserContext[] = [];
const room = uniqueRoom("e2e-embed");

async function person(viewport?: { width: number; height: number }): Promise<TrackedPage> {
  const { context, tracked } = await newPerson(browser, viewport);
  contexts.push(context);
  return tracked;
}

/** What frames posted to the host page. */
async function hostMessages(page: Page): Promise<{ origin: string; data: string }[]> {
  return page.evaluate(() => (window as unknown as { hostMessages: { origin: string; data: string }[] }).hostMessages);
}

/** The iframe's height on the host page, in CSS pixels. */
function frameHeight(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((el) => el.getBoundingClientRect().height);
}

before(async () => {
  buildApp();
  [open, secured, host] = await Promise.all([startServer(), startServer({ vars: { PARTYROOM_TOKEN_SECRET: SECRET } }), HostSite.start()]);
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await host?.stop();
  await Promise.all([open?.stop(), secured?.stop()]);
});

// ------------------------------------------------------------ an open room on another site

let embedder: TrackedPage;
let app: TrackedPage;
let chatFrame: FrameLocator;
let bothFrame: FrameLocator;
const CHAT_IFRAME = "#loader-slot iframe";
const ELEMENT_IFRAME = "party-room iframe";

test("a page on another origin embeds the room with the script loader and with <party-room>", async () => {
  assert.notEqual(new URL(host.origin).origin, new URL(open.http).origin);
  const url = host.page(
    "/embeds",
    `<h1>Our team page</h1>
<div class="slot" id="loader-slot" style="width:420px"><script src="${open.http}/embed.js" data-room="${room}" data-view="chat" data-name="Embedded"></script></div>
<div class="slot" style="width:860px"><party-room room="${room}" view="both" name="Element"></party-room></div>`,
  );
  embedder = await person({ width: 1280, height: 1400 });
  await embedder.page.goto(url, { waitUntil: "domcontentloaded" });
  chatFrame = embedder.page.frameLocator(CHAT_IFRAME);
  bothFrame = embedder.page.frameLocator(ELEMENT_IFRAME);
  await waitTransport(chatFrame, /WebSocket/);
  await waitTransport(bothFrame, /WebSocket/);
  await bothFrame.getByRole("textbox", { name: "Document" }).waitFor();
  assert.equal(await chatFrame.getByRole("textbox", { name: "Document" }).count(), 0, "view=chat shows no document");
  await chatFrame.getByRole("link", { name: /Open in partyroom/ }).waitFor();
});

test("chat typed in an embedded frame reaches the app's room page, and back", async () => {
  app = await person();
  await openRoom(app.page, `${open.http}/r/${room}?name=App`);
  await say(chatFrame, "Hello from the embed");
  await waitCount(chatLines(app.page, "Hello from the embed"), 1);
  await bothFrame.locator(".chat-text", { hasText: /^Hello from the embed$/ }).waitFor();
  await say(app.page, "Hello from the app");
  await chatFrame.locator(".chat-text", { hasText: /^Hello from the app$/ }).waitFor();
  await bothFrame.locator(".chat-text", { hasText: /^Hello from the app$/ }).waitFor();
  // The document in the element's frame is the room's document.
  await typeAtEnd(app.page, "Written in the app.");
  await bothFrame.locator(".cm-content", { hasText: "Written in the app." }).waitFor();
  await bothFrame.getByRole("textbox", { name: "Document" }).click();
  await embedder.page.keyboard.press("Control+End");
  await embedder.page.keyboard.type(" And in the embed.");
  await waitForDocText(app.page, "Written in the app. And in the embed.");
});

test("the loader's frame follows its content's height", async () => {
  const page = embedder.page;
  // The loader starts frames at 420 px; the embed reports what it needs as soon as it is up.
  await page.waitForFunction((sel) => document.querySelector(sel)?.getBoundingClientRect().height !== 420, CHAT_IFRAME, { timeout: UI_TIMEOUT_MS });
  const before = await frameHeight(page, CHAT_IFRAME);
  for (let i = 1; i <= 10; i++) await say(app.page, `line ${i} of a longer conversation`);
  await chatFrame.locator(".chat-text", { hasText: /^line 10 of a longer conversation$/ }).waitFor();
  await page.waitForFunction(([sel, h]) => (document.querySelector(sel as string)?.getBoundingClientRect().height ?? 0) > (h as number) + 100, [CHAT_IFRAME, before] as const, {
    timeout: UI_TIMEOUT_MS,
  });
  const grown = await frameHeight(page, CHAT_IFRAME);
  // The log follows the conversation: its newest line is in view, not cut off below.
  const gap = await chatFrame.getByRole("log", { name: "Chat messages" }).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  assert.ok(gap <= 1, `the chat log is scrolled to its end (${gap} px short)`);
  // Long conversations scroll inside the frame rather than growing it without end.
  assert.ok(grown < 800, `the frame stops growing at a sensible height (${before} -> ${grown} px)`);
  const inner = await chatFrame.locator(".embed").evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(Math.abs(inner - grown) <= 1, `the embed fills its frame (${inner} in ${grown})`);
});

test("the host can read neither the frame's address nor its storage, and gets nothing but heights", async () => {
  const page = embedder.page;
  const access = await page.locator(CHAT_IFRAME).evaluate((el) => {
    const frame = el as HTMLIFrameElement;
    let href: string;
    try {
      href = frame.contentWindow!.location.href;
    } catch (err) {
      href = `refused: ${(err as Error).name}`;
    }
    return { href, doc: frame.contentDocument === null };
  });
  assert.deepEqual(access, { href: "refused: SecurityError", doc: true });
  const messages = await hostMessages(page);
  assert.ok(messages.length > 0, "the frames posted their heights");
  for (const m of messages) {
    assert.equal(m.origin, open.http);
    const data = JSON.parse(m.data) as Record<string, unknown>;
    assert.deepEqual(Object.keys(data).sort(), ["height", "type"]);
    assert.equal(data.type, "partyroom:height");
    assert.equal(typeof data.height, "number");
  }
});

test("screenshots of the embeds, light and dark", async () => {
  const page = embedder.page;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `embed-host-${scheme}`);
  }
  // The embed page on its own, with the theme forced by the link.
  const solo = await person({ width: 720, height: 460 });
  for (const theme of ["light", "dark"] as const) {
    await solo.page.goto(`${open.http}/embed/${room}?theme=${theme}&name=Solo`, { waitUntil: "domcontentloaded" });
    await waitTransport(solo.page, /WebSocket/);
    await waitForDocText(solo.page, "And in the embed.");
    await screenshot(solo.page, `embed-${theme}`);
  }
  const narrow = await person({ width: 360, height: 640 });
  await narrow.page.emulateMedia({ colorScheme: "dark" });
  await narrow.page.goto(`${open.http}/embed/${room}?name=Narrow`, { waitUntil: "domcontentloaded" });
  await waitTransport(narrow.page, /WebSocket/);
  await screenshot(narrow.page, "embed-dark-narrow");
  const width = await narrow.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling at 360 px (${width})`);
  assert.deepEqual([...solo.errors, ...narrow.errors], []);
});

test("no console errors in the embedder's page, its frames or the app", () => {
  assert.deepEqual(embedder.errors, []);
  assert.deepEqual(app.errors, []);
});

// ------------------------------------------------------------ a private room

const privateRoom = uniqueRoom("e2e-private");
const token = (role: "view" | "chat" | "edit", userId: string, name: string) => mintToken(SECRET, { room: privateRoom, role, userId, name, ttlSeconds: 600 });

test("the room page takes its token from the link, hides it from the address bar, and keeps it across a reload", async () => {
  const editor = await person();
  const editToken = await token("edit", "editor-1", "Editor");
  await openRoom(editor.page, `${secured.http}/r/${privateRoom}?token=${editToken}`);
  assert.equal(new URL(editor.page.url()).search, "", "?token= is removed from the address bar");
  await typeAtEnd(editor.page, "Private notes.");
  await say(editor.page, "Only for people with a link");
  await editor.page.reload({ waitUntil: "domcontentloaded" });
  await waitTransport(editor.page, /WebSocket/);
  await waitForDocText(editor.page, "Private notes.");
  // Full access: no badge, and the Embed dialog's snippet carries the token and says so.
  assert.equal(await editor.page.locator(".role-badge").count(), 0);
  await editor.page.getByRole("button", { name: "Embed" }).click();
  const dialog = editor.page.getByRole("dialog", { name: "Embed" });
  const snippet = await dialog.getByRole("textbox", { name: /^Script tag/ }).inputValue();
  assert.equal(snippet, `<script src="${secured.http}/embed.js" data-room="${privateRoom}" data-token="${editToken}"></script>`);
  await dialog.getByText(/carry the access token .* edit the document and chat/).waitFor();
  await editor.page.keyboard.press("Escape");
  assert.deepEqual(editor.errors, []);
});

test("a view token embeds the room read-only: badge, read-only document, chat shown but closed", async () => {
  const viewToken = await token("view", "viewer-1", "Viewer");
  const url = host.page("/private-view", `<h1>Read-only room</h1><script src="${secured.http}/embed.js" async></script>
<div class="slot" style="width:860px"><party-room room="${privateRoom}" view="both" token="${viewToken}"></party-room></div>`);
  const viewer = await person();
  await viewer.page.goto(url, { waitUntil: "domcontentloaded" });
  const frame = viewer.page.frameLocator(ELEMENT_IFRAME);
  await waitTransport(frame, /WebSocket/);
  await frame.getByText("View only", { exact: true }).waitFor();
  await frame.locator(".cm-content", { hasText: "Private notes." }).waitFor();
  const doc = frame.getByRole("textbox", { name: "Document" });
  assert.equal(await doc.getAttribute("aria-readonly"), "true");
  assert.equal(await doc.getAttribute("contenteditable"), "false");
  const message = frame.getByRole("textbox", { name: "Message" });
  assert.equal(await message.isDisabled(), true);
  await frame.getByText(/^View only: you can read the chat but not write$/).waitFor();
  await frame.locator(".chat-text", { hasText: /^Only for people with a link$/ }).waitFor();
  // The token stays inside the frame: out of its address once read, and never posted to the host.
  const inner = viewer.page.frames().find((f) => f.url().includes(`/embed/${privateRoom}`));
  assert.ok(inner, "the embed frame is there");
  assert.ok(!inner.url().includes("token"), `the frame's address no longer has the token (${inner.url()})`);
  const posted = await hostMessages(viewer.page);
  assert.ok(posted.length > 0);
  assert.ok(posted.every((m) => !m.data.includes(viewToken) && JSON.parse(m.data).type === "partyroom:height"), "only heights, never the token");
  await viewer.page.emulateMedia({ colorScheme: "dark" });
  await screenshot(viewer.page, "embed-view-role-dark");
  assert.deepEqual(viewer.errors, []);
});

test("a chat token may chat but not edit", async () => {
  const chatter = await person({ width: 900, height: 520 });
  const chatToken = await token("chat", "chatter-1", "Chatter");
  await chatter.page.goto(`${secured.http}/embed/${privateRoom}?token=${chatToken}`, { waitUntil: "domcontentloaded" });
  await waitTransport(chatter.page, /WebSocket/);
  assert.equal(new URL(chatter.page.url()).searchParams.get("token"), null, "the token is out of the address bar");
  await chatter.page.getByText("Chat only", { exact: true }).waitFor();
  await waitForDocText(chatter.page, "Private notes.");
  assert.equal(await documentBox(chatter.page).getAttribute("aria-readonly"), "true");
  await say(chatter.page, "Chatting, not editing");
  await chatLines(chatter.page, "Chatting, not editing").and(chatter.page.locator('[data-state="sent"]')).waitFor();
  assert.deepEqual(chatter.errors, []);
});

test("a forged token is refused once, with the reason, and not retried", async () => {
  const forged = await mintToken("not-the-secret", { room: privateRoom, role: "edit", userId: "mallory", ttlSeconds: 600 });
  const url = host.page("/forged", `<script src="${secured.http}/embed.js" async></script><div class="slot" style="width:520px"><party-room room="${privateRoom}" view="chat" token="${forged}"></party-room></div>`);
  const mallory = await person();
  const sockets: string[] = [];
  mallory.page.on("websocket", (ws) => sockets.push(ws.url()));
  await mallory.page.goto(url, { waitUntil: "domcontentloaded" });
  const frame = mallory.page.frameLocator(ELEMENT_IFRAME);
  await frame.getByRole("alert").filter({ hasText: "This link's access key is not valid" }).waitFor();
  await connectionStatus(frame).filter({ hasText: /^Closed: invalid token signature or format$/ }).waitFor();
  assert.equal(await frame.getByRole("textbox", { name: "Message" }).isVisible(), false, "nothing to use but the notice");
  assert.equal(sockets.length, 1, "one attempt");
  // No retry loop: no further socket within a few backoff periods.
  const another = await mallory.page.waitForEvent("websocket", { timeout: 4_000 }).then(
    (ws) => ws.url(),
    () => null,
  );
  assert.equal(another, null, "no second attempt");
  await screenshot(mallory.page, "embed-forged");
});

test("a token for another room is refused on the room page with the reason", async () => {
  const stranger = await person();
  const elsewhere = await mintToken(SECRET, { room: `${privateRoom}-other`, role: "edit", userId: "stranger", ttlSeconds: 600 });
  await stranger.page.goto(`${secured.http}/r/${privateRoom}?token=${elsewhere}`, { waitUntil: "domcontentloaded" });
  await stranger.page.getByRole("alert").filter({ hasText: "This link is not allowed in this room" }).waitFor();
  await connectionStatus(stranger.page).filter({ hasText: /^Closed: token is for another room$/ }).waitFor();
  assert.equal(await documentBox(stranger.page).isVisible(), false, "no document or chat to use in a room that refused us");
  await screenshot(stranger.page, "room-refused");
});
