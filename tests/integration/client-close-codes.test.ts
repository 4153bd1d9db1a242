/**
 * How the room client treats close codes it will meet from servers and
 * proxies: 1013 ("try again later", which the room uses to shed slow readers)
 * and the other non-terminal codes are retried on the normal jittered
 * schedule; the terminal codes (close-codes.ts) stop it. A bare `ws` server
 * that closes every socket with the code under test stands in for the room.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WebSocketServer } from "ws";
import type { ConnectionState } from "../../app/src/room/types";
import { Clients, recordStates } from "../helpers/room";
import { until, withTimeout } from "../helpers/wait";

let server: WebSocketServer;
let port = 0;
/** The code the server closes each new socket with. */
let closeWith = { code: 1013, reason: "try again later" };
const accepted: number[] = [];
const clients = new Clients();

before(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await withTimeout(new Promise<void>((r) => server.once("listening", () => r())), 5_000, "the ws server to listen");
  port = (server.address() as { port: number }).port;
  server.on("connection", (ws) => {
    accepted.push(Date.now());
    ws.close(closeWith.code, closeWith.reason);
  });
});

after(async () => {
  clients.destroyAll();
  for (const ws of server.clients) ws.terminate();
  await withTimeout(new Promise<void>((r) => server.close(() => r())), 5_000, "the ws server to close");
});

type Retry = Extract<ConnectionState, { state: "reconnecting" }>;

test("1013 (try again later) is retried with growing, jittered delays, never shown as closed", async () => {
  closeWith = { code: 1013, reason: "try again later" };
  const from = accepted.length;
  const c = clients.join(`127.0.0.1:${port}`, "slow-reader", "Sam", { backoff: { baseMs: 50, capMs: 200, floorMs: 10 } });
  const states = recordStates(c);
  await until(() => accepted.length - from >= 6, "six attempts", 10_000);
  const retries = states.filter((s): s is Retry & { at: number } => s.state === "reconnecting");
  assert.ok(retries.length >= 4, `retries scheduled: ${JSON.stringify(states)}`);
  assert.ok(states.every((s) => s.state !== "closed"), "never closed");
  assert.ok(retries.every((s) => s.lastClose?.code === 1013), "each retry says why: 1013");
  assert.ok(retries.some((s) => s.attempt >= 3), "attempts grow");
  const delays = retries.filter((s) => s.attempt >= 3).map((s) => s.nextRetryAt - s.at);
  assert.ok(delays.every((d) => d >= 10 && d <= 200), `delays within [floor, cap]: ${delays.join(", ")}`);
  assert.ok(new Set(delays).size > 1, `delays at the cap are jittered: ${delays.join(", ")}`);
  clients.leave(c);
});

test("a terminal code (4426) stops the client after one attempt", async () => {
  closeWith = { code: 4426, reason: "unsupported protocol version 9; this room speaks 1" };
  const from = accepted.length;
  const c = clients.join(`127.0.0.1:${port}`, "old-client", "Old");
  const closed = await until(() => {
    const s = c.getSnapshot().connection;
    return s.state === "closed" ? s : null;
  }, "the client to stop");
  assert.equal(closed.code, 4426);
  // Absence of retries cannot be awaited: a few backoff windows of FAST_BACKOFF pass, and no new socket came.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(accepted.length - from, 1, "one attempt only");
  clients.leave(c);
});
