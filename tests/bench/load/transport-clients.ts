/**
 * The transports scenario's clients: subscribers and a publisher on each of
 * the three transports, in a room of any party that speaks partyroom's routes
 * (partyroom's own, or the null transport room that is its floor), and the
 * round trip through the delay proxy that calibrates the injected delay.
 */
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../../../party/protocol";
import { clientFetch } from "../../helpers/http-agent";
import { PollClient, SseClient } from "../../helpers/http-session";
import { type RoomRef, roomUrl } from "../../helpers/room-url";
import { until, withTimeout } from "../../helpers/wait";
import { median } from "../lib/stats";
import { reportReads } from "./read-reports";

export type Kind = "websocket" | "sse" | "poll";
export const KINDS: Kind[] = ["websocket", "sse", "poll"];
export type Bases = { ws: string; http: string };
/** A room of one party, named in full: the floor's party is not the app's. */
export type Target = Exclude<RoomRef, string>;

const SUBSCRIBERS = 10;
const BURST = 3;
const GAP_MS = 50;
const BURST_EVERY_MS = 300;
const HEARTBEAT_MS = 10_000;
export const LATENCY_SHAPE = { subscribers: SUBSCRIBERS, burst: BURST, gapMs: GAP_MS, burstEveryMs: BURST_EVERY_MS };

export type Sub = { received: Map<number, number>; dups: number; outOfOrder: number; close(): Promise<void> };
export type Latency = { latencies: number[]; expected: number; received: number; dups: number; outOfOrder: number };

export const roomId = (p: string) => `bench-${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const hello = (clientId: string) => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId, name: clientId, color: "#336699" });

/** A subscriber on `kind`, recording when each message id (the `n` in its text) arrives. */
export async function subscribe(kind: Kind, base: Bases, target: Target, id: string, onBeatError: (err: unknown) => void = () => undefined): Promise<Sub> {
  const sub: Sub = { received: new Map(), dups: 0, outOfOrder: 0, close: async () => undefined };
  let lastSeq = 0;
  const take = (msg: { type: string; message?: { seq: number; text: string } }) => {
    if (msg.type !== "chat" || !msg.message) return;
    const n = (JSON.parse(msg.message.text) as { n: number }).n;
    if (sub.received.has(n)) sub.dups++;
    else sub.received.set(n, Date.now());
    if (msg.message.seq <= lastSeq) sub.outOfOrder++;
    lastSeq = msg.message.seq;
  };
  if (kind === "websocket") {
    const ws = new WebSocket(roomUrl(base.ws, target));
    await withTimeout(new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej))), 10_000, "a subscriber socket");
    const read = reportReads(ws);
    const welcomed = withTimeout(
      new Promise<void>((resolve) =>
        ws.on("message", (d, bin) => {
          if (bin) return;
          const msg = JSON.parse(String(d));
          if (msg.type === "welcome") resolve();
          take(msg);
        }),
      ),
      10_000,
      "a subscriber's welcome",
    );
    ws.send(hello(id));
    await welcomed;
    // Subscribers are real clients: they heartbeat, or the presence TTL would (rightly) sweep them.
    const beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(`{"type":"heartbeat","read":${read()}}`), HEARTBEAT_MS);
    sub.close = async () => {
      clearInterval(beat);
      ws.terminate();
    };
    return sub;
  }
  const client = kind === "sse" ? await SseClient.open(base.http, target, { clientId: id }) : await PollClient.open(base.http, target, { clientId: id }, 20);
  client.listeners.add((e) => e.message && take(e.message as never));
  const beat = setInterval(() => void client.send({ type: "heartbeat" }).catch(onBeatError), HEARTBEAT_MS);
  sub.close = async () => {
    clearInterval(beat);
    await clientFetch(`${base.http}${client.opened.send}`, { method: "DELETE" }).catch(() => undefined);
    if (client instanceof SseClient) client.close();
    else await client.stop();
  };
  return sub;
}

/** One transport's run in a new room of `party`: open-loop bursts from a publisher on the same transport's send path. */
export async function latencyRun(kind: Kind, base: Bases, party: string, reps: number): Promise<Latency> {
  const target = { party, room: roomId(kind) };
  const subs = await Promise.all(Array.from({ length: SUBSCRIBERS }, (_, i) => subscribe(kind, base, target, `sub${i}`)));
  let publish: (n: number, text: string) => void;
  let closePublisher = () => undefined as unknown;
  if (kind === "websocket") {
    const ws = new WebSocket(roomUrl(base.ws, target));
    await withTimeout(new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej))), 10_000, "the publisher socket");
    const read = reportReads(ws);
    ws.send(hello("publisher"));
    publish = (n, text) => ws.send(JSON.stringify({ type: "chat", id: `p${n}`, text }));
    const beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(`{"type":"heartbeat","read":${read()}}`), HEARTBEAT_MS);
    closePublisher = () => {
      clearInterval(beat);
      ws.terminate();
    };
  } else {
    // SSE and polling clients send by POST, so the publisher does too.
    publish = (n, text) =>
      void clientFetch(`${roomUrl(base.http, target)}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientId: `publisher${n % 50}`, id: `p${n}`, text }),
      });
  }
  // Every subscriber has its welcome (subscribe() awaits it), so the clock can start.
  const start = Date.now() + 100;
  const scheduled = new Map<number, number>();
  await new Promise<void>((done) => {
    let pending = reps * BURST;
    for (let b = 0; b < reps; b++)
      for (let j = 0; j < BURST; j++) {
        const n = b * BURST + j;
        const at = start + b * BURST_EVERY_MS + j * GAP_MS;
        scheduled.set(n, at);
        setTimeout(() => {
          publish(n, JSON.stringify({ n }));
          if (--pending === 0) done();
        }, at - Date.now());
      }
  });
  const expected = reps * BURST * SUBSCRIBERS;
  await until(() => subs.reduce((a, s) => a + s.received.size, 0) >= expected, "every delivery", 10_000).catch(() => undefined);
  const latencies: number[] = [];
  for (const s of subs) for (const [n, t] of s.received) latencies.push(t - scheduled.get(n)!);
  await Promise.all(subs.map((s) => s.close()));
  closePublisher();
  return { latencies, expected, received: latencies.length, dups: subs.reduce((a, s) => a + s.dups, 0), outOfOrder: subs.reduce((a, s) => a + s.outOfOrder, 0) };
}

/** Round trips through the proxy (heartbeat -> pong): calibrates the injected delay. */
export async function calibrate(wsBase: string): Promise<number> {
  const ws = new WebSocket(roomUrl(wsBase, { party: "main", room: roomId("cal") }));
  await withTimeout(new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej))), 10_000, "the calibration socket");
  const next = (type: string) =>
    withTimeout(
      new Promise<void>((res) => {
        const on = (d: WebSocket.RawData, bin: boolean) => {
          if (bin || JSON.parse(String(d)).type !== type) return;
          ws.off("message", on);
          res();
        };
        ws.on("message", on);
      }),
      5_000,
      type,
    );
  ws.send(hello("calibrator"));
  await next("welcome");
  const rtts: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const pong = next("pong");
    ws.send('{"type":"heartbeat"}');
    await pong;
    rtts.push(performance.now() - t);
  }
  ws.terminate();
  return median(rtts);
}

