/**
 * `npm run dev` as a developer meets it (scripts/dev.mjs: Vite in front of
 * `partykit dev`): it forwards PARTYROOM_* variables from the shell and says
 * whether rooms are open; CORS preflights reach the room (Vite must not
 * answer them itself, or a page on another origin cannot POST JSON); and a
 * client's own close is answered, not left to time out as 1006.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { CloseCode } from "../../party/protocol";
import { freePort, killGroup, ROOT, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

let dev: ChildProcess;
let output = "";
let port = 0;

before(async () => {
  port = await freePort();
  dev = spawn(process.execPath, ["scripts/dev.mjs"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(port), PARTYROOM_TOKEN_SECRET: "dev-server-test-secret", NO_COLOR: "1" },
  });
  dev.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  dev.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  await until(() => /partyroom: http:\/\/127\.0\.0\.1:\d+/.test(output), "npm run dev to print its URL", 90_000, 200).catch((err: Error) => {
    throw new Error(`${err.message}\n${output}`);
  });
  // Vite answers once it listens; the rooms behind it once partykit dev does (it started first).
  await until(async () => (await fetch(`http://127.0.0.1:${port}/parties/main/ready-check`, { signal: AbortSignal.timeout(5_000) }).catch(() => null))?.status === 401, "the rooms to answer through Vite", 60_000, 200).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    },
  );
});

/** Runs a test body; a failure carries what `npm run dev` printed (CI shows nothing else of it). */
const withOutput = (body: () => Promise<void>) => async () => {
  try {
    await body();
  } catch (err) {
    if (err instanceof Error) err.message += `\n--- npm run dev printed ---\n${output.slice(-6000)}`;
    throw err;
  }
};

after(async () => {
  killGroup(dev, "SIGTERM");
  await withTimeout(new Promise((r) => (dev.exitCode !== null ? r(null) : dev.once("exit", r))), 15_000, "npm run dev to stop").catch(() => killGroup(dev, "SIGKILL"));
});

test("npm run dev forwards the token secret from the shell and says rooms need tokens", withOutput(async () => {
  assert.match(output, /rooms need a token/);
  assert.match(output, /variables passed to the rooms: .*PARTYROOM_TOKEN_SECRET/);
  assert.doesNotMatch(output, /dev-server-test-secret/, "the secret itself is never printed");
  const ws = new WebSocket(`ws://127.0.0.1:${port}/parties/main/${uniqueRoom()}`);
  const closed = await withTimeout(new Promise<number>((r) => ws.on("close", (code) => r(code))), 10_000, "the refused socket to close");
  assert.equal(closed, CloseCode.Unauthorized.code);
}));

test("a CORS preflight through the dev server gets the room's own answer", withOutput(async () => {
  const res = await fetch(`http://127.0.0.1:${port}/parties/main/${uniqueRoom()}/messages`, {
    method: "OPTIONS",
    signal: AbortSignal.timeout(10_000),
    headers: { origin: "http://elsewhere.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(res.headers.get("access-control-max-age"), "600");
  assert.match(res.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.doesNotMatch(res.headers.get("access-control-allow-headers") ?? "", /authorization/);
}));
