/**
 * The JSON side of a load worker: many WebSocket clients (partyroom `app`
 * clients or `raw` sockets for the null room / plain ws), open-loop probe
 * senders, and a check of every probe for loss, duplication and order.
 *
 * A probe is a chat text `B|run|sender|n|scheduledAt|xxxx…`. Latency is
 * measured from the scheduled send time, so a late sender is counted against
 * the system, not hidden (open loop).
 */
import WebSocket from "ws";
import { nowMs } from "../lib/stats";
import type { ChatSpec, OpenResult, PresenceReport, ProbeReport, SenderSpec } from "./protocol";

type Client = {
  spec: ChatSpec;
  ws: WebSocket;
  welcomed: boolean;
  heartbeat?: NodeJS.Timeout;
  presenceFrames: number;
  seen: Map<string, { last: number; unique: Set<number> }>;
  join?: Record<string, number>;
  leave?: Record<string, number>;
  onPong?: () => void;
};

type RunStats = { deliveries: number; duplicates: number; reordered: number; latencies: number[]; slowest: Map<string, number> };

export class ChatPool {
  readonly clients: Client[] = [];
  private readonly byId = new Map<string, Client>();
  unexpectedCloses = 0;
  readonly closeCodes: Record<string, number> = {};
  private readonly runs = new Map<string, RunStats>();
  private closing = false;

  /** Opens `specs`, one every `intervalMs` from `startAt`, at most `concurrency` handshakes at a time. */
  async open(specs: ChatSpec[], startAt: number, intervalMs: number, concurrency: number, timeoutMs: number): Promise<OpenResult> {
    const result: OpenResult = { opened: 0, failed: 0, errors: [], connectMs: [] };
    let next = 0;
    const lane = async () => {
      for (;;) {
        const i = next++;
        if (i >= specs.length) return;
        const due = startAt + i * intervalMs - nowMs();
        if (due > 0) await sleep(due);
        const t0 = nowMs();
        try {
          await this.connect(specs[i]!, timeoutMs);
          result.opened++;
          result.connectMs.push(nowMs() - t0);
        } catch (err) {
          result.failed++;
          if (result.errors.length < 5) result.errors.push(String((err as Error).message ?? err));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
    return result;
  }

  private connect(spec: ChatSpec, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(spec.url, { perMessageDeflate: false });
      const client: Client = { spec, ws, welcomed: spec.kind === "raw", presenceFrames: 0, seen: new Map() };
      if (spec.observe) {
        client.join = {};
        client.leave = {};
      }
      const timer = setTimeout(() => fail(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.clients.push(client);
        this.byId.set(spec.clientId, client);
        resolve();
      };
      ws.on("error", (err) => fail(err));
      ws.on("open", () => {
        if (spec.kind === "raw") return done();
        ws.send(JSON.stringify({ type: "hello", v: 1, clientId: spec.clientId, name: "bench", color: "#336699" }));
      });
      ws.on("close", (code) => {
        clearInterval(client.heartbeat);
        if (!settled) return fail(new Error(`closed ${code} before welcome`));
        if (!this.closing) {
          this.unexpectedCloses++;
          this.closeCodes[code] = (this.closeCodes[code] ?? 0) + 1;
        }
      });
      ws.on("message", (data, isBinary) => {
        if (isBinary) return; // partyroom's Yjs sync frames: not part of these scenarios.
        const text = String(data);
        if (!client.welcomed && text.startsWith('{"type":"welcome"')) {
          client.welcomed = true;
          const welcome = JSON.parse(text) as { heartbeatMs: number };
          if (spec.heartbeat) {
            // Random phase so 10,000 clients do not beat in lockstep.
            const beat = () => ws.readyState === WebSocket.OPEN && ws.send('{"type":"heartbeat"}');
            setTimeout(() => {
              beat();
              client.heartbeat = setInterval(beat, welcome.heartbeatMs);
            }, Math.random() * welcome.heartbeatMs);
          }
          return done();
        }
        this.onText(client, text);
      });
    });
  }

  private onText(client: Client, text: string): void {
    const at = nowMs();
    const msg = JSON.parse(text) as { type: string; text?: string; message?: { text: string }; join?: { clientId: string }[]; leave?: string[] };
    if (msg.type === "chat") {
      const body = msg.message?.text ?? msg.text;
      if (body?.startsWith("B|")) this.onProbe(client, body, at);
    } else if (msg.type === "presence") {
      client.presenceFrames++;
      if (client.join) for (const p of msg.join ?? []) client.join[p.clientId] ??= at;
      if (client.leave) for (const id of msg.leave ?? []) client.leave[id] ??= at;
    } else if (msg.type === "pong") {
      client.onPong?.();
    }
  }

  private onProbe(client: Client, body: string, at: number): void {
    const [, run, sender, nStr, schedStr] = body.split("|", 5);
    const n = Number(nStr);
    const stats = this.runStats(run!);
    stats.deliveries++;
    const key = `${sender}`;
    let track = client.seen.get(`${run}|${key}`);
    if (!track) client.seen.set(`${run}|${key}`, (track = { last: -1, unique: new Set() }));
    if (track.unique.has(n)) {
      stats.duplicates++;
      return;
    }
    if (n < track.last) stats.reordered++;
    track.last = Math.max(track.last, n);
    track.unique.add(n);
    const latency = at - Number(schedStr);
    stats.latencies.push(latency);
    const msgKey = `${sender}|${n}`;
    const prev = stats.slowest.get(msgKey);
    if (prev === undefined || latency > prev) stats.slowest.set(msgKey, latency);
  }

  private runStats(run: string): RunStats {
    let s = this.runs.get(run);
    if (!s) this.runs.set(run, (s = { deliveries: 0, duplicates: 0, reordered: 0, latencies: [], slowest: new Map() }));
    return s;
  }

  /** Runs open-loop senders; resolves when every probe has been sent. Returns probes sent per room. */
  async send(senders: SenderSpec[]): Promise<Record<string, number>> {
    const sent: Record<string, number> = {};
    await Promise.all(
      senders.map(async (s) => {
        const client = this.byId.get(s.clientId);
        if (!client) return;
        for (let n = 0; n < s.count; n++) {
          const sched = s.startAt + n * s.intervalMs;
          const wait = sched - nowMs();
          if (wait > 0) await sleep(wait);
          const head = `B|${s.run}|${client.spec.clientId}|${n}|${sched.toFixed(3)}|`;
          const text = head.padEnd(s.bytes, "x");
          if (client.ws.readyState !== WebSocket.OPEN) continue;
          client.ws.send(JSON.stringify({ type: "chat", id: `${s.run}-${client.spec.clientId}-${n}`, text }));
          sent[client.spec.room] = (sent[client.spec.room] ?? 0) + 1;
        }
      }),
    );
    return sent;
  }

  probeReport(run: string): ProbeReport {
    const s = this.runStats(run);
    const perRoom: ProbeReport["perRoom"] = {};
    for (const c of this.clients) {
      const r = (perRoom[c.spec.room] ??= { unique: 0, clients: 0 });
      r.clients++;
      for (const [k, t] of c.seen) if (k.startsWith(`${run}|`)) r.unique += t.unique.size;
    }
    return { deliveries: s.deliveries, duplicates: s.duplicates, reordered: s.reordered, latencies: s.latencies, slowest: Object.fromEntries(s.slowest), perRoom };
  }

  presenceReport(): PresenceReport {
    return {
      frames: this.clients.map((c) => c.presenceFrames),
      observers: this.clients.filter((c) => c.join).map((c) => ({ join: c.join!, leave: c.leave! })),
    };
  }

  /** Heartbeat -> pong round trips of one app client, one at a time. */
  async rtt(clientId: string, count: number): Promise<number[]> {
    const client = this.byId.get(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = nowMs();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        client.onPong = () => {
          clearTimeout(timer);
          resolve();
        };
        client.ws.send('{"type":"heartbeat"}');
      });
      out.push(nowMs() - t0);
      await sleep(70); // stay under the 15 frames/s rate limit
    }
    client.onPong = undefined;
    return out;
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    for (const c of this.clients) {
      clearInterval(c.heartbeat);
      c.ws.terminate();
    }
    this.clients.length = 0;
    this.byId.clear();
    this.runs.clear();
    await sleep(50);
    this.closing = false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
