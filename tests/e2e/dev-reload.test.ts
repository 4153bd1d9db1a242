/**
 * Issue 13, bug 3, under the dev server (`npm run dev` is Vite in front of
 * `partykit dev`): the rooms and the dev server go down while someone is
 * editing; when they come back, Vite reloads the page by itself. That reload
 * must not raise the "Leave site?" prompt (nothing is lost: the edit is in
 * the offline copy and reaches the room after the reload). Also the dev
 * server's answer to a room link with a broken %-escape: the app's page, not
 * a blank one.
 *
 * Vite runs in its own process group on a free port, proxying /parties to a
 * `partykit dev` started here (as scripts/dev.mjs does); both are stopped by
 * process group.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { type DevServer, freePort, killGroup, ROOT, startServer, uniqueRoom } from "../helpers/server";
import { withTimeout } from "../helpers/wait";
import { launchBrowser, newPerson, openRoom, screenshot, typeAtEnd, waitConnected, waitForDocText } from "./helpers/browser";

/** Vite's first start may optimise dependencies. */
const VITE_START_MS = 60_000;

let rooms: DevServer;
let vitePort: number;
let vite: ChildProcess | null = null;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** Starts Vite's dev server on vitePort and resolves once it serves the app. */
async function startVite(): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "--port", String(vitePort), "--strictPort", "--host", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: "ignore",
    env: { ...process.env, PARTYKIT_PORT: String(rooms.port) },
  });
  vite = child;
  await withTimeout(
    (async () => {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`vite exited with ${child.exitCode}`);
        const up = await fetch(`http://127.0.0.1:${vitePort}/`).then((r) => r.ok, () => false);
        if (up) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    })(),
    VITE_START_MS,
    "vite to serve the app",
  );
}

async function stopVite(): Promise<void> {
  const child = vite;
  if (!child) return;
  vite = null;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
  killGroup(child, "SIGTERM");
  await withTimeout(exited, 10_000, "vite to stop").catch(() => killGroup(child, "SIGKILL"));
}

before(async () => {
  [rooms, vitePort] = await Promise.all([startServer(), freePort()]);
  await startVite();
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stopVite();
  await rooms?.stop();
});

test("bug 3: the dev server's own reload after a restart asks nothing, and the edit made meanwhile arrives", async (t) => {
  const { context, tracked: ada } = await newPerson(browser);
  contexts.push(context);
  const room = uniqueRoom("e2e-dev");
  const dialogs: string[] = [];
  ada.page.on("dialog", (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await openRoom(ada.page, `http://127.0.0.1:${vitePort}/r/${room}?name=Ada`);
  await typeAtEnd(ada.page, "Before the restart.");

  // Everything goes down; Ada keeps writing.
  await rooms.kill9();
  await stopVite();
  await ada.page.getByRole("status", { name: "Connection" }).filter({ hasNotText: /^Connected/ }).waitFor();
  await typeAtEnd(ada.page, " Written while down.");
  assert.ok(await ada.page.evaluate(() => document.querySelector(".cm-content")?.textContent?.includes("Written while down.")));

  // Both come back; Vite notices and reloads the page on its own.
  const reloaded = ada.page.waitForEvent("load", { timeout: 30_000 });
  await rooms.restart();
  await startVite();
  await reloaded;
  await waitConnected(ada.page, 30_000);
  await waitForDocText(ada.page, "Before the restart. Written while down.");
  const stored = await fetch(`${rooms.http}/parties/main/${room}/doc`).then((r) => r.text());
  t.diagnostic(`dialogs: ${JSON.stringify(dialogs)}; the room's document: ${JSON.stringify(stored)}`);
  assert.deepEqual(dialogs, [], "no Leave site? prompt for the dev server's own reload");
  assert.equal(stored, "Before the restart. Written while down.");
});

test("smaller: a room link with a broken %-escape gets the app's page in dev, saying why", async () => {
  const { context, tracked } = await newPerson(browser);
  contexts.push(context);
  const res = await tracked.page.goto(`http://127.0.0.1:${vitePort}/r/%E0%A4%A`);
  assert.equal(res?.status(), 404);
  await tracked.page.getByRole("heading", { name: "Nothing here" }).waitFor();
  await tracked.page.getByText(/broken %-escape/).waitFor();
  await screenshot(tracked.page, "not-found-broken-escape-dev");
});
