/**
 * Offline check of the production bundle: `vite build`, then the real
 * `partykit dev` serving dist/ per partykit.json (`serve`; app routes by party/pages.ts) in
 * workerd, as `partykit deploy` would ship it. Deploy itself needs a login
 * and cannot be checked here.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { type DevServer, startServer } from "../helpers/server";
import { buildApp } from "./helpers/build";

let server: DevServer;

before(async () => {
  buildApp();
  server = await startServer({ vars: { PARTYROOM_FRAME_ANCESTORS: "'self' http://127.0.0.1:*" } });
});

after(async () => {
  await server?.stop();
});

/**
 * GET `path` as a browser's top-level navigation (`Sec-Fetch-Mode: navigate`),
 * which is what the SPA fallback answers. node:http, not fetch: Node's fetch
 * overwrites Sec-Fetch-Mode with "cors".
 */
function navigate(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.http}${path}`, { headers: { "Sec-Fetch-Mode": "navigate", Accept: "text/html" }, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

async function appHtml(path: string): Promise<string> {
  const res = await navigate(path);
  assert.equal(res.status, 200, `GET ${path}`);
  assert.match(res.type, /text\/html/);
  const html = res.body;
  assert.match(html, /<div id="root"><\/div>/, `GET ${path} returns the app shell`);
  return html;
}

test("GET / serves the built app", async () => {
  const html = await appHtml("/");
  assert.match(html, /<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
});

test("deep links to rooms fall back to the app (SPA)", async () => {
  await appHtml("/r/some-room");
  await appHtml("/r/calm-river-42?name=Ada");
});

test("the bundle's assets are served with the right types", async () => {
  const html = await appHtml("/");
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith(".js")), "a JS entry");
  assert.ok(assets.some((a) => a.endsWith(".css")), "a stylesheet");
  for (const asset of assets) {
    const res = await fetch(`${server.http}${asset}`);
    assert.equal(res.status, 200, asset);
    assert.match(res.headers.get("content-type") ?? "", asset.endsWith(".js") ? /javascript/ : /text\/css/, asset);
    await res.arrayBuffer();
  }
});

test("app pages may only be framed by the app; embed pages by the configured frame-ancestors", async () => {
  // `/` too (issue 11): the front page is an app page like any other.
  for (const path of ["/", "/r/framing-check"]) {
    const app = await fetch(`${server.http}${path}`);
    assert.equal(app.headers.get("content-security-policy"), "frame-ancestors 'self'", path);
    assert.equal(app.headers.get("x-frame-options"), "SAMEORIGIN", path);
    await app.arrayBuffer();
  }
  const embed = await fetch(`${server.http}/embed/framing-check?view=chat`);
  assert.equal(embed.status, 200);
  assert.equal(embed.headers.get("content-security-policy"), "frame-ancestors 'self' http://127.0.0.1:*");
  assert.equal(embed.headers.get("referrer-policy"), "no-referrer");
  assert.equal(embed.headers.get("x-frame-options"), null);
  assert.match(await embed.text(), /<div id="root"><\/div>/);
});

test("an unknown page gets the app (its Nothing here page) with a 404, not plain text", async () => {
  const res = await navigate("/no/such/page");
  assert.equal(res.status, 404);
  assert.match(res.type, /text\/html/);
  assert.match(res.body, /<div id="root"><\/div>/);
});

test("a non-navigation request for an unknown path is still a 404", async () => {
  const res = await fetch(`${server.http}/r/some-room/missing.js`);
  assert.equal(res.status, 404);
  await res.arrayBuffer();
});

test("rooms still answer next to the static app", async () => {
  const res = await fetch(`${server.http}/parties/main/bundle-check/messages`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { messages?: unknown };
  assert.ok(Array.isArray(body.messages), "a page of messages");
});
