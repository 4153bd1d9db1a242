/**
 * Resource cleanup: 2,000 connect/disconnect cycles of every kind of socket
 * (app sockets closed cleanly or dropped, stock-Yjs sockets, sockets that
 * never say anything, sockets that go after one heartbeat) plus HTTP reads, in
 * concurrent batches, must leave the room's `internals` exactly where they
 * started: no leaked sockets, presence entries, Yjs peers, HTTP sessions,
 * streams, pending polls or outbox events. A control client stays connected
 * and keeps being answered throughout.
 *
 * Each test has its own server: abrupt drops of joined app sockets at this
 * rate have wedged all of workerd (no room answers any more), which would take
 * every later test file down with it on the shared server.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { PROTOCOL_VERSION } from "../../party/protocol";
import { pub, TestClient } from "../helpers/client";
import { internals } from "../helpers/room";
import { startServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

const CYCLES = Number(process.env.PARTYROOM_CLEANUP_CYCLES ?? 2_000);
const BATCH = 50;
/** Counters that must return to their starting value (alarmAt and chatInMemory are not resources). */
/**
 * Counters that are not leaks: when the alarm is set, what the chat cache holds, which instance this is, and
 * what the control client has not reported reading yet (bounded by flow control, it follows the traffic).
 */
const NOT_RESOURCES = new Set(["alarmAt", "chatInMemory", "unreadBytes", "wakeups", "instanceId", "instanceStartedAt"]);


/** Opens a raw socket; resolves once open. */
function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return withTimeout(
    new Promise<WebSocket>((resolve, reject) => {
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    }),
    10_000,
    "a cycle's socket to open",
  );
}

/** Resolves with the first message matching `match`. */
function nextMessage(ws: WebSocket, match: (data: WebSocket.RawData, binary: boolean) => boolean, what: string): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const on = (data: WebSocket.RawData, binary: boolean) => {
        if (!match(data, binary)) return;
        ws.off("message", on);
        ws.off("close", closed);
        resolve();
      };
      const closed = (code: number, reason: Buffer) => reject(new Error(`socket closed (${code} ${reason.toString()}) before ${what}`));
      ws.on("message", on);
      ws.once("close", closed);
    }),
    10_000,
    what,
  );
}

const isType = (type: string) => (data: WebSocket.RawData, binary: boolean) => !binary && String(data).includes(`"type":"${type}"`);

/** A client-initiated close that does not wait for dev's missing close reply (PARTYKIT-NOTES #8). */
function closeSoon(ws: WebSocket): void {
  ws.close(1000, "cycle done");
  setTimeout(() => ws.terminate(), 200).unref();
}

const hello = (i: number) => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: `cycle-${i % 97}`, name: `Cycler ${i}`, color: "#123456" });

/** One connect/disconnect cycle of `kind`. */
async function cycle(wsUrl: string, httpUrl: string, i: number, kind: number): Promise<void> {
  switch (kind) {
    case 0: {
      const ws = await open(wsUrl);
      ws.send(hello(i));
      await nextMessage(ws, isType("welcome"), "welcome");
      closeSoon(ws);
      return;
    }
    case 1: {
      const ws = await open(wsUrl);
      ws.send(hello(i));
      await nextMessage(ws, (d, b) => b, "the server's Yjs step 1"); // fully joined, Yjs peer added
      ws.terminate(); // a crashed tab
      return;
    }
    case 2: {
      const ws = await open(wsUrl);
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeSyncStep1(enc, new Y.Doc());
      ws.send(encoding.toUint8Array(enc)); // a stock Yjs provider
      await nextMessage(ws, (d, b) => b, "a Yjs reply");
      closeSoon(ws);
      return;
    }
    case 3: {
      const ws = await open(wsUrl); // says nothing, leaves
      ws.terminate();
      return;
    }
    case 4: {
      const ws = await open(wsUrl);
      ws.send(hello(i));
      await nextMessage(ws, isType("welcome"), "welcome");
      ws.send(JSON.stringify({ type: "heartbeat", status: "idle" }));
      await nextMessage(ws, isType("pong"), "pong");
      ws.terminate();
      return;
    }
    default: {
      const res = await withTimeout(fetch(httpUrl), 10_000, "GET state");
      await res.arrayBuffer();
      assert.equal(res.status, 200);
    }
  }
}

/** Runs CYCLES cycles of `kinds` (round robin) against a room with a control client, checks the internals. */
async function cycles(t: { diagnostic(msg: string): void; after(fn: () => Promise<void>): void }, kinds: number[]): Promise<void> {
  const shared = await startServer();
  t.after(() => shared.stop());
  const room = uniqueRoom("fault-cleanup");
  const wsUrl = `${shared.ws}/parties/main/${room}`;
  const httpUrl = `${shared.http}/parties/main/${room}`;
  const { client: control } = await TestClient.join(shared.ws, room, { clientId: "control", name: "Control" });
  try {
    // Let the control client's Yjs peer settle, then take the baseline.
    const baseline = await until(async () => {
      const i = await internals(shared.http, room);
      return i.yjsPeers === 1 ? i : null;
    }, "the control client to be fully joined");
    const started = Date.now();
    let beats = 0;
    for (let done = 0; done < CYCLES; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, CYCLES - done) }, (_, k) =>
        cycle(wsUrl, httpUrl, done + k, kinds[(done + k) % kinds.length]!).catch(async (err: Error) => {
          // Tell a wedged room from a wedged server: ask this room and a fresh one.
          const now = await internals(shared.http, room).catch((e: Error) => ({ fetchFailed: String(e.cause ?? e.message) }));
          const other = await internals(shared.http, uniqueRoom("fault-cleanup-other")).catch((e: Error) => ({ fetchFailed: String(e.cause ?? e.message) }));
          throw new Error(`cycle ${done + k} (kind ${kinds[(done + k) % kinds.length]}): ${err.message}; this room's internals then ${JSON.stringify(now)}; another room ${JSON.stringify(other)}`);
        }),
      );
      await Promise.all(batch);
      // The control client is served between batches: a heartbeat gets its pong.
      control.send({ type: "heartbeat" });
      await control.next("pong", () => true, 10_000).catch(async (err: Error) => {
        throw new Error(`after ${done + BATCH} cycles the control client got no pong (${err.message}); socket ${control.ws.readyState === WebSocket.OPEN ? "still open" : "closed"}; internals ${JSON.stringify(await internals(shared.http, room))}`);
      });
      beats++;
    }
    const elapsed = Date.now() - started;
    const settled = await until(async () => {
      const now = await internals(shared.http, room);
      const grown = Object.keys(baseline).filter((k) => !NOT_RESOURCES.has(k) && now[k] !== baseline[k]);
      return grown.length === 0 ? now : null;
    }, "internals to return to the baseline", 15_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nbaseline ${JSON.stringify(baseline)}\nnow      ${JSON.stringify(await internals(shared.http, room))}`);
    });
    t.diagnostic(`${CYCLES} cycles in ${elapsed} ms (${Math.round((CYCLES / elapsed) * 1000)}/s, batches of ${BATCH}, ${beats} control heartbeats answered)`);
    t.diagnostic(`baseline ${JSON.stringify(baseline)}`);
    t.diagnostic(`after    ${JSON.stringify(settled)}`);
    // Presence as the control client sees it: only itself.
    const { client: check, welcome } = await TestClient.join(shared.ws, room, { clientId: "checker" });
    assert.deepEqual(welcome.presence.map((p) => p.clientId).sort(), [pub("checker"), pub("control")].sort(), "no leftover people");
    await check.close();
  } finally {
    control.terminate();
  }
}

test(`${CYCLES} cycles of clean closes, stock Yjs sockets, silent sockets and HTTP reads leave no growth`, (t) => cycles(t, [0, 2, 3, 5]));

test(`${CYCLES} cycles of joined app sockets dropped without a close (crashed tabs) leave no growth`, (t) => cycles(t, [1, 4]));

test(`${CYCLES} cycles of every kind interleaved leave no growth`, (t) => cycles(t, [0, 1, 2, 3, 4, 5]));
