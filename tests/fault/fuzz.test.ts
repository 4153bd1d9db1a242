/**
 * Seeded fuzz against the room socket and HTTP API: random bytes, random and
 * near-valid JSON, huge frames, floods and half-open connections, bounded in
 * count and time. Meanwhile a control client chats and must get every ack.
 * Afterwards: the server process is alive and answering, every error the
 * fuzzers received was typed, every close code is a documented one, and the
 * stored chat log is exactly the acknowledged messages with contiguous seqs.
 *
 * The seed is printed; replay a run with PARTYROOM_FUZZ_SEED=<seed>.
 * Its own server: a crash must not take other test files down.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { seededRandom } from "../../app/src/room/backoff";
import type { ErrorCode } from "../../party/protocol";
import { PROTOCOL_VERSION } from "../../party/protocol";
import { TestClient } from "../helpers/client";
import { assertCleanLog, serverMessages } from "../helpers/room";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

const SEED = Number(process.env.PARTYROOM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_ACTIONS = Number(process.env.PARTYROOM_FUZZ_ACTIONS ?? 600);
const MAX_MS = 20_000;
const WORKERS = 6;

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "bad_json", "bad_message", "unknown_type", "too_large", "rate_limited", "hello_required", "already_hello",
  "bad_room", "not_found", "method_not_allowed", "session_gone", "unauthorized", "forbidden", "unsupported_version", "internal",
]);
/** Closes a fuzzed socket may see: ours (1000, 1005/1006 when it drops), the room's documented ones. */
const CLOSE_CODES = new Set([1000, 1005, 1006, 1009, 4400, 4401, 4403, 4408, 4426, 4429]);

let server: DevServer;
before(async () => {
  server = await startServer();
});
after(() => server?.stop());

type Acked = { clientId: string; id: string; seq: number };

test(`fuzz (seed ${SEED}): no crash, the control client is served, errors are typed, the log is exactly what was acked`, async (t) => {
  console.log(`# fuzz seed ${SEED} (replay: PARTYROOM_FUZZ_SEED=${SEED})`);
  t.diagnostic(`seed ${SEED}`);
  const room = uniqueRoom("fault-fuzz");
  const wsUrl = `${server.ws}/parties/main/${room}`;
  const httpBase = `${server.http}/parties/main/${room}`;
  const acked: Acked[] = [];
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  /** Sockets that could not be drained: a message they got stored may have lost its ack. */
  const undrained = new Set<string>();

  // ---------------------------------------------------------------- control client
  const { client: control } = await TestClient.join(server.ws, room, { clientId: "control", name: "Control" });
  let controlSent = 0;
  const controlTimer = setInterval(() => control.send({ type: "chat", id: `ctl-${++controlSent}`, text: `control ${controlSent}` }), 100);

  /**
   * Each worker draws from its own stream (seed + worker number), so a replay
   * sends the same inputs whatever the interleaving of the workers.
   */
  const makeActions = (seed: number): Array<[string, () => Promise<void>]> => {
    const rnd = seededRandom(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    // ---------------------------------------------------------------- generators
    const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
    const randomString = (n: number) => Array.from({ length: n }, () => String.fromCodePoint(pick([int(0, 0x7f), int(0x80, 0x7ff), int(0x800, 0xd7ff), int(0x10000, 0x10ffff)]))).join("");
    const weird = () => pick<unknown>([null, true, -1, 1.5, 2 ** 53, -0, "", "x".repeat(int(65, 3000)), randomString(int(1, 20)), [], {}, [1, [2, [3]]], { nested: { deep: 1 } }, "#zzzzzz", "🎈", "ß".repeat(2001)]);
    const validMessages = (): Record<string, unknown>[] => [
      { type: "chat", id: `f${int(0, 1e9)}`, text: randomString(int(1, 50)) },
      { type: "heartbeat", status: pick(["active", "idle", "away"]) },
      { type: "presence", name: randomString(int(1, 10)), color: "#aabbcc" },
      { type: "sync", after: int(0, 50), limit: int(1, 200) },
      { type: "history", before: int(0, 50), limit: int(1, 200) },
      { type: "hello", v: PROTOCOL_VERSION, clientId: `f${int(0, 1e6)}`, name: "F", color: "#123456" },
    ];
    const nearValid = (): string => {
      const msg = pick(validMessages());
      const keys = Object.keys(msg);
      switch (int(0, 6)) {
        case 0: // drop a field
          delete msg[pick(keys)];
          break;
        case 1: // a field of the wrong type or out of range
          msg[pick(keys)] = weird();
          break;
        case 2: // an unknown type
          msg.type = pick(["chatt", "", "HELLO", "__proto__", "constructor", randomString(5)]);
          break;
        case 3: // extra fields (allowed) and prototype games
          Object.assign(msg, { extra: weird(), constructor: weird() });
          return JSON.stringify(msg).replace("{", '{"__proto__":{"polluted":1},');
        case 4: // truncated JSON
          return JSON.stringify(msg).slice(0, int(1, JSON.stringify(msg).length - 1));
        case 5: // not an object
          return JSON.stringify(pick<unknown>([[msg], "chat", 42, null, [1, 2, 3]]));
        default: // valid as is: these may be stored and acked
          break;
      }
      return JSON.stringify(msg);
    };

    // ---------------------------------------------------------------- one fuzz socket
    /** Opens a socket, runs `body`, drains it (heartbeat until pong or close) so every ack is in, then drops it. */
    async function fuzzSocket(label: string, body: (ws: WebSocket, helloed: { clientId: string | null }) => Promise<void> | void): Promise<void> {
      counts[label] = (counts[label] ?? 0) + 1;
      const ws = new WebSocket(wsUrl);
      const state = { clientId: null as string | null, pong: false, closed: false };
      ws.on("error", () => undefined);
      const closed = new Promise<void>((resolve) =>
        ws.on("close", (code, reason) => {
          state.closed = true;
          if (!CLOSE_CODES.has(code)) problems.push(`${label}: close ${code} ${reason.toString()}`);
          resolve();
        }),
      );
      ws.on("message", (data, binary) => {
        if (binary) return;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(String(data)) as Record<string, unknown>;
        } catch {
          problems.push(`${label}: a text frame that is not JSON: ${String(data).slice(0, 80)}`);
          return;
        }
        if (msg.type === "error") {
          counts[`error:${String(msg.code)}`] = (counts[`error:${String(msg.code)}`] ?? 0) + 1;
          if (!ERROR_CODES.has(String(msg.code)) || typeof msg.message !== "string" || msg.message.length > 300) problems.push(`${label}: untyped error ${JSON.stringify(msg).slice(0, 200)}`);
        }
        // The clientId may come from a fuzzed hello we did not parse: acks are matched by seq and id.
        if (msg.type === "ack") acked.push({ clientId: state.clientId ?? "?", id: String(msg.id), seq: Number(msg.seq) });
        if (msg.type === "pong") state.pong = true;
      });
      const opened = await withTimeout(new Promise<boolean>((resolve) => (ws.once("open", () => resolve(true)), ws.once("close", () => resolve(false)))), 10_000, `${label} to open`);
      if (!opened) return;
      await body(ws, state as { clientId: string | null });
      // Drain: the room handles a socket's frames in order, so a pong means every earlier ack was sent.
      const deadline = Date.now() + 6_000;
      while (!state.closed && !state.pong && Date.now() < deadline) {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "heartbeat" }));
        await Promise.race([closed, new Promise((r) => setTimeout(r, 400))]);
      }
      if (!state.closed && !state.pong) undrained.add(`${label} #${counts[label]}`);
      ws.terminate();
    }

    const hello = (ws: WebSocket, who: { clientId: string | null }) => {
      who.clientId = `fz${int(0, 1e9)}`;
      ws.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId: who.clientId, name: "Fuzzer", color: "#654321" }));
    };

    // ---------------------------------------------------------------- actions
    const actions: Array<[string, () => Promise<void>]> = [
      ["ws random bytes", () => fuzzSocket("ws random bytes", (ws) => { for (let i = int(1, 25); i > 0; i--) ws.send(randomBytes(int(0, 300))); })],
      ["ws random text", () => fuzzSocket("ws random text", (ws) => { for (let i = int(1, 25); i > 0; i--) ws.send(randomString(int(0, 300))); })],
      ["ws near-valid JSON", () => fuzzSocket("ws near-valid JSON", (ws, who) => {
        if (rnd() < 0.8) hello(ws, who);
        for (let i = int(1, 25); i > 0; i--) ws.send(nearValid());
      })],
      ["ws huge frames", () => fuzzSocket("ws huge frames", (ws, who) => {
        hello(ws, who);
        if (rnd() < 0.5) ws.send("x".repeat(int(16_385, 200_000)));
        else ws.send(JSON.stringify({ type: "chat", id: "huge", text: "y".repeat(int(16_400, 100_000)) }));
        if (rnd() < 0.3) ws.send(randomBytes(1_048_577 + int(0, 1_000_000)));
      })],
      ["ws flood", () => fuzzSocket("ws flood", (ws, who) => {
        hello(ws, who);
        const n = int(50, 300);
        for (let i = 0; i < n; i++) ws.send(rnd() < 0.5 ? JSON.stringify({ type: "chat", id: `flood${i}`, text: `flood ${i}` }) : JSON.stringify({ type: "heartbeat" }));
      })],
      ["half-open", async () => {
        counts["half-open"] = (counts["half-open"] ?? 0) + 1;
        const sock = connect(server.port, "127.0.0.1");
        sock.on("error", () => undefined);
        await withTimeout(new Promise<void>((r) => sock.once("connect", () => r())), 5_000, "a half-open TCP connect");
        const request = `GET /parties/main/${room} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
        // Part of an upgrade request, or all of it and then half a frame header; then silence.
        sock.write(rnd() < 0.5 ? request.slice(0, int(1, request.length - 1)) : Buffer.concat([Buffer.from(request), Buffer.from([0x81, 0xfe])]));
        await new Promise((r) => setTimeout(r, int(200, 2_000)));
        sock.destroy();
      }],
      ["http", async () => {
        counts.http = (counts.http ?? 0) + 1;
        const method = pick(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
        const path = pick(["", "/", "/state", "/messages", "/messages", "/doc", "/doc?format=yjs", `/${encodeURIComponent(randomString(5))}`, "/messages?after=-1", "/messages?before=1&after=2", `/messages?limit=${int(-5, 500)}`, "/%00", "/messages/%ff%fe"]);
        const clientId = `hz${int(0, 1e9)}`;
        const body = method === "GET" || method === "OPTIONS" ? undefined : pick<string | Buffer>([
          JSON.stringify({ clientId, id: `h${int(0, 1e9)}`, text: randomString(int(1, 40)) }),
          nearValid(),
          randomBytes(int(0, 500)),
          "z".repeat(int(16_385, 1_000_000)),
          JSON.stringify({ clientId, id: `h${int(0, 1e9)}`, text: "t", name: weird(), color: weird() }),
        ]);
        const init: RequestInit = { method, ...(body !== undefined ? { body: typeof body === "string" ? body : new Uint8Array(body), headers: { "content-type": "application/json" } } : {}) };
        const res = await withTimeout(fetch(`${httpBase}${path}`, init), 15_000, `${method} ${path}`);
        const text = await res.text();
        if (res.status >= 500) problems.push(`http ${method} ${path}: ${res.status} ${text.slice(0, 120)}`);
        if (res.status >= 400 && (res.headers.get("content-type") ?? "").includes("json")) {
          const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          counts[`http:${code}`] = (counts[`http:${code}`] ?? 0) + 1;
          if (!code || !ERROR_CODES.has(code)) problems.push(`http ${method} ${path}: untyped error ${text.slice(0, 120)}`);
        } else if (res.status >= 400) problems.push(`http ${method} ${path}: ${res.status} without a JSON error`);
        // Any stored post counts (a query string on POST /messages is ignored by the room).
        if (method === "POST" && (res.status === 201 || res.status === 200)) {
          const { message } = JSON.parse(text) as { message?: Acked };
          if (message) acked.push({ clientId: message.clientId, id: message.id, seq: message.seq });
        }
      }],
    ];
    return actions;
  };

  // ---------------------------------------------------------------- run
  const started = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      const actions = makeActions(SEED + worker);
      const choose = seededRandom(SEED * 31 + worker);
      while (done < MAX_ACTIONS && Date.now() - started < MAX_MS) {
        done++;
        const [label, run] = actions[Math.floor(choose() * actions.length)]!;
        await run().catch((err: Error) => problems.push(`${label}: ${err.message}`));
      }
    }),
  );
  const elapsed = Date.now() - started;
  clearInterval(controlTimer);

  // ---------------------------------------------------------------- checks
  assert.ok(server.alive(), "the server process is alive");
  await until(() => control.messages.filter((m) => m.type === "ack").length === controlSent, `the control client's ${controlSent} acks`, 15_000);
  const controlErrors = control.messages.filter((m) => m.type === "error");
  assert.deepEqual(controlErrors, [], "the control client was never refused");
  assert.equal(control.closeCode, null, "the control client stayed connected");
  for (const m of control.messages) if (m.type === "ack") acked.push({ clientId: "control", id: m.id, seq: m.seq });
  t.diagnostic(`${done} actions in ${elapsed} ms: ${JSON.stringify(counts)}`);
  t.diagnostic(`control client: ${controlSent} messages, all acked; ${acked.length} acks in all; undrained fuzz sockets: ${undrained.size}`);
  assert.deepEqual(problems, [], "no untyped errors, undocumented closes or server failures");

  const stored = await serverMessages(server.http, room);
  assertCleanLog(stored, "stored log", 1);
  const key = (m: { id: string; seq: number }) => `${m.seq}:${m.id}`;
  const ackedKeys = new Set(acked.map(key));
  const storedKeys = stored.map(key);
  for (const k of ackedKeys) assert.ok(storedKeys.includes(k), `acked ${k} is stored`);
  const unacked = stored.filter((m) => !ackedKeys.has(key(m)));
  assert.ok(unacked.length === 0 || undrained.size > 0, `stored but never acked: ${unacked.map(key).join(", ")}`);
  // Storage reads back consistently: the state endpoint agrees with the log.
  const state = (await (await fetch(httpBase)).json()) as { seq: number };
  assert.equal(state.seq, stored.length);
  await control.close();
});
