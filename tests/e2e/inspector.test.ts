/**
 * Issue 15 in Chromium: an operator opens `/inspect`, gets only a sign-in
 * form, is refused a wrong secret, signs in, sees the directory list a busy
 * room with its count, follows the link to the room's inspector, and watches
 * it update by itself as a connection arrives and a chat message is posted.
 * Screenshots under test-results/. Then a server without an admin secret
 * does not serve the inspector at all.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { TestClient } from "../helpers/client";
import { type DevServer, startServer, TEST_ADMIN_SECRET, uniqueRoom } from "../helpers/server";
import { buildApp } from "./helpers/build";
import { launchBrowser, newPerson, screenshot, UI_TIMEOUT_MS } from "./helpers/browser";

let server: DevServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const clients: TestClient[] = [];

before(async () => {
  buildApp();
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  for (const c of clients) await c.close();
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

test("an admin signs in, finds the room in the directory and watches it live", async () => {
  const room = uniqueRoom("e2e-inspect");
  for (const name of ["Ada", "Ben"]) clients.push((await TestClient.join(server.ws, room, { name })).client);
  await clients[0]!.chat("m1", "hello from Ada");

  const { context, tracked } = await newPerson(browser);
  contexts.push(context);
  const { page } = tracked;

  const first = await page.goto(`${server.http}/inspect/${room}`);
  assert.equal(first?.status(), 401, "without signing in, only the form");
  assert.equal(await page.getByRole("table").count(), 0);
  await page.getByLabel("Admin secret").fill("wrong secret");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not the admin secret" }).waitFor();

  await page.getByLabel("Admin secret").fill(TEST_ADMIN_SECRET);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.http}/inspect/${room}`);
  await page.getByRole("heading", { name: `Room ${room}` }).waitFor();
  const connections = page.getByRole("table", { name: "Connections" });
  await connections.getByRole("row").nth(2).waitFor();
  assert.equal(await connections.getByRole("row").count(), 3, "a header row and two connections");
  await page.getByRole("list", { name: "Latest messages" }).getByText("hello from Ada").waitFor();
  await page.getByRole("list", { name: "Presence" }).getByText("Ben").waitFor();

  // It updates by itself: a third person and a new message show without a reload.
  clients.push((await TestClient.join(server.ws, room, { name: "Cy" })).client);
  await clients[2]!.chat("m2", "Cy was here");
  await page.getByRole("list", { name: "Latest messages" }).getByText("Cy was here").waitFor({ timeout: UI_TIMEOUT_MS });
  await connections.getByRole("row").nth(3).waitFor();
  await page.getByRole("list", { name: "Presence" }).getByText("Cy").waitFor();
  await screenshot(page, "inspector-room");

  // The directory lists the room with its count and links back to it.
  await page.getByRole("link", { name: "Inspector" }).click();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: room }) });
  await row.getByRole("cell", { name: "3", exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
  await screenshot(page, "inspector-directory");
  await row.getByRole("link", { name: room }).click();
  await page.getByRole("heading", { name: `Room ${room}` }).waitFor();

  // The two sign-in pages are answered 401 on purpose; Chromium logs each as a failed load.
  const unexpected = tracked.errors.filter((e) => !e.includes("status of 401"));
  assert.deepEqual(unexpected, [], "no other console errors");
});

test("without an admin secret the inspector does not exist", async () => {
  const bare = await startServer({ vars: { PARTYROOM_ADMIN_SECRET: "" } });
  try {
    for (const path of ["/inspect", "/inspect/some-room"]) {
      const res = await fetch(`${bare.http}${path}`, { headers: { accept: "text/html" } });
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /<div id="root">/, `${path} is not the app`);
    }
    const login = await fetch(`${bare.http}/inspect/login`, { method: "POST", body: "secret=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(login.status, 404);
    for (const path of ["/parties/main/r1/inspect", "/parties/main/r1/metrics", "/parties/directory/rooms/list"]) {
      const res = await fetch(`${bare.http}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_SECRET}` } });
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const state = (await (await fetch(`${bare.http}/parties/main/r1`, { headers: { authorization: `Bearer ${TEST_ADMIN_SECRET}` } })).json()) as Record<string, unknown>;
    assert.equal(state.internals, undefined, "nobody is an admin here");
  } finally {
    await bare.stop();
  }
});
