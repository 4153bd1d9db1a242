/**
 * Scenario 6, the transport comparison the system was designed from, redone:
 * 10 subscribers, bursts of 3 messages 50 ms apart, 200 repetitions, 50 ms
 * one-way delay injected by a calibrated userspace TCP proxy, for WebSocket,
 * SSE and long polling; success / fail counts and latency from the scheduled
 * send time to each subscriber. Then resident memory and CPU per connection
 * at 100 and 1,000 idle connections per transport (heartbeats running).
 */
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../../../party/protocol";
import { PollClient, SseClient } from "../../helpers/http-session";
import { until, withTimeout } from "../../helpers/wait";
import { DelayProxy } from "../lib/delay-proxy";
import { median, percentile, round } from "../lib/stats";
import { type Peer, startPeer } from "../peers";
import type { BenchContext, GoalCheck, Row, Scenario, ScenarioResult } from "./types";

type Kind = "websocket" | "sse" | "poll";
const KINDS: Kind[] = ["websocket", "sse", "poll"];
const DELAY_MS = 50;
const SUBSCRIBERS = 10;
const BURST = 3;
const GAP_MS = 50;
const BURST_EVERY_MS = 300;
const HEARTBEAT_MS = 10_000;

type Sub = { received: Map<number, number>; dups: number; outOfOrder: number; close(): Promise<void> };
type Latency = { latencies: number[]; expected: number; received: number; dups: number; outOfOrder: number };

const room = (p: string) => `bench-${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const hello = (clientId: string) => JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId, name: clientId, color: "#336699" });

/** A subscriber on `kind`, recording when each message id (the `n` in its text) arrives. */
async function subscribe(kind: Kind, base: { ws: string; http: string }, r: string, id: string): Promise<Sub> {
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
    const ws = new WebSocket(`${base.ws}/parties/main/${r}`);
    await withTimeout(new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej))), 10_000, "a subscriber socket");
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
    const beat = setInterval(() => ws.send('{"type":"heartbeat"}'), HEARTBEAT_MS);
    sub.close = async () => {
      clearInterval(beat);
      ws.terminate();
    };
    return sub;
  }
  const client = kind === "sse" ? await SseClient.open(base.http, r, { clientId: id }) : await PollClient.open(base.http, r, { clientId: id }, 20);
  client.listeners.add((e) => e.message && take(e.message as never));
  const beat = setInterval(() => void client.send({ type: "heartbeat" }).catch(() => undefined), HEARTBEAT_MS);
  sub.close = async () => {
    clearInterval(beat);
    await fetch(`${base.http}${client.opened.send}`, { method: "DELETE" }).catch(() => undefined);
    if (client instanceof SseClient) client.close();
    else await client.stop();
  };
  return sub;
}

/** One transport's run: open-loop bursts from a publisher on the same transport's send path. */
async function latencyRun(kind: Kind, base: { ws: string; http: string }, reps: number): Promise<Latency> {
  const r = room(kind);
  const subs = await Promise.all(Array.from({ length: SUBSCRIBERS }, (_, i) => subscribe(kind, base, r, `sub${i}`)));
  let publish: (n: number, text: string) => void;
  let closePublisher = () => undefined as unknown;
  if (kind === "websocket") {
    const ws = new WebSocket(`${base.ws}/parties/main/${r}`);
    await withTimeout(new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej))), 10_000, "the publisher socket");
    ws.send(hello("publisher"));
    publish = (n, text) => ws.send(JSON.stringify({ type: "chat", id: `p${n}`, text }));
    const beat = setInterval(() => ws.send('{"type":"heartbeat"}'), HEARTBEAT_MS);
    closePublisher = () => {
      clearInterval(beat);
      ws.terminate();
    };
  } else {
    // SSE and polling clients send by POST, so the publisher does too.
    publish = (n, text) =>
      void fetch(`${base.http}/parties/main/${r}/messages`, {
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
async function calibrate(wsBase: string): Promise<number> {
  const ws = new WebSocket(`${wsBase}/parties/main/${room("cal")}`);
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

/** Memory and CPU of `n` idle connections of one kind, each sending one heartbeat in the window. */
async function footprint(kind: Kind, peer: Peer, n: number): Promise<{ rssPerConnKiB: number; cpuPctOfCore: number }> {
  const base = { ws: peer.url("x").replace(/\/parties\/main\/x$/, ""), http: peer.http };
  const r = room(`${kind}-mem`);
  const before = peer.usage();
  const subs: Sub[] = [];
  for (let i = 0; i < n; i += 50) subs.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => subscribe(kind, base, r, `m${i + j}`)))));
  await new Promise((res) => setTimeout(res, 2_000));
  const idle0 = peer.usage();
  const windowMs = 10_000;
  await new Promise((res) => setTimeout(res, windowMs));
  const idle1 = peer.usage();
  await Promise.all(subs.map((s) => s.close()));
  return { rssPerConnKiB: round((idle1.rss - before.rss) / n / 1024, 1), cpuPctOfCore: round(((idle1.cpuSec - idle0.cpuSec) / (windowMs / 1000)) * 100, 2) };
}

export const transports: Scenario = {
  id: "transports",
  title: "6. Transports",
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const reps = ctx.quick ? 20 : 200;
    const sizes = ctx.quick ? [100] : [100, 1_000];
    const peer = await startPeer("partyroom", { serverCpu: ctx.serverCpu });
    const port = Number(new URL(peer.http).port);
    const proxy = await DelayProxy.start(port, DELAY_MS);
    const viaProxy = { ws: `ws://127.0.0.1:${proxy.port}`, http: `http://127.0.0.1:${proxy.port}` };
    const rows: Row[] = [];
    const goals: GoalCheck[] = [];
    const data: Record<string, unknown> = {};
    try {
      const direct = await calibrate(peer.url("x").replace(/\/parties\/main\/x$/, ""));
      const delayed = await calibrate(viaProxy.ws);
      ctx.log(`calibration: round trip ${round(direct, 2)} ms direct, ${round(delayed, 1)} ms through the proxy (2 x ${DELAY_MS} ms injected)`);
      const stats: Record<Kind, Latency> = {} as never;
      for (const kind of KINDS) {
        stats[kind] = await latencyRun(kind, viaProxy, reps);
        const l = stats[kind].latencies;
        ctx.log(`${kind}: ${stats[kind].received}/${stats[kind].expected} delivered, p50 ${round(percentile(l, 50), 1)} p99 ${round(percentile(l, 99), 1)} ms`);
      }
      const metric = (name: string, f: (s: Latency) => number | string) => rows.push({ metric: name, values: Object.fromEntries(KINDS.map((k) => [k, f(stats[k])])) });
      metric("delivered (of expected)", (s) => `${s.received}/${s.expected}`);
      metric("lost", (s) => s.expected - s.received);
      metric("duplicated", (s) => s.dups);
      metric("out of order", (s) => s.outOfOrder);
      for (const p of [50, 95, 99]) metric(`p${p} ms`, (s) => round(percentile(s.latencies, p), 1));
      metric("max ms", (s) => round(Math.max(...s.latencies), 1));
      data.latencyMs = Object.fromEntries(KINDS.map((k) => [k, stats[k].latencies]));
      const p = (k: Kind, q: number) => percentile(stats[k].latencies, q);
      for (const k of ["websocket", "sse"] as const) {
        goals.push({ goal: `${k} p50 <= 105 ms`, measured: `${round(p(k, 50), 1)} ms`, pass: p(k, 50) <= 105 });
        goals.push({ goal: `${k} p99 <= 120 ms`, measured: `${round(p(k, 99), 1)} ms`, pass: p(k, 99) <= 120 });
      }
      goals.push({ goal: "long polling p99 <= 215 ms", measured: `${round(p("poll", 99), 1)} ms`, pass: p("poll", 99) <= 215 });
      const lost = KINDS.reduce((a, k) => a + stats[k].expected - stats[k].received, 0);
      goals.push({ goal: "zero lost", measured: `${lost} lost`, pass: lost === 0 });

      for (const n of sizes)
        for (const kind of KINDS) {
          const f = await footprint(kind, peer, n);
          ctx.log(`${kind} x ${n}: ${f.rssPerConnKiB} KiB/conn, ${f.cpuPctOfCore}% of a core idle`);
          rows.push({ metric: `${kind} @ ${n} conns: KiB/conn, % core`, values: { [kind]: `${f.rssPerConnKiB} KiB, ${f.cpuPctOfCore}%` } });
        }
      return {
        id: "transports",
        title: transports.title,
        status: "ok",
        params: { subscribers: SUBSCRIBERS, burst: BURST, gapMs: GAP_MS, burstEveryMs: BURST_EVERY_MS, repetitions: reps, injectedOneWayDelayMs: DELAY_MS, calibratedRttMs: round(delayed, 1), directRttMs: round(direct, 2) },
        rows,
        goals,
        notes: [
          "Reference (the original comparison): WS 346/375/381 ms p50/p95/p99, SSE 355/377/380, long polling 356/32,735/32,741 ms with 2 lost.",
          "Publishers use each transport's own send path: a WebSocket frame, or an HTTP POST for SSE and long polling. The floor is one round trip through the proxy (2 x 50 ms).",
        ],
        data,
      };
    } finally {
      await proxy.stop();
      await peer.stop();
    }
  },
};
