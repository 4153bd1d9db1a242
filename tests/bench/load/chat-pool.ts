/**
 * The JSON side of a load worker: many WebSocket clients (partyroom `app`
 * clients or `raw` sockets for the null room / plain ws), open-loop probe
 * senders, and a check of every probe for loss, duplication and order.
 *
 * A probe is a chat text `B|run|sender|n|scheduledAt|xxxx…`. Latency is
 * measured from the scheduled send time, so a late sender is counted against
 * the system, not hidden (open loop). App clients also check the room's order
 * (`seq` never goes back) and time each `ack`.
 *
 * A `stall` client is a stalled reader: it joins, keeps sending heartbeats,
 * and stops reading (its TCP socket is paused), like a frozen tab or a phone
 * in a tunnel. It is left out of the delivery checks.
 */
import { connect as netConnect, type NetConnectOpts, type Socket } from "node:net";
import WebSocket from "ws";
import { reportReads } from "./read-reports";
import { HEARTBEAT_INTERVAL_MS } from "../../../party/protocol";
import { withTimeout } from "../../helpers/wait";
import { nowMs } from "../lib/stats";
import type { AckReport, ChatSpec, OpenResult, PresenceReport, ProbeReport, SenderSpec } from "./protocol";

export type Client = {
  spec: ChatSpec;
  ws: WebSocket;
  socket: Socket | null;
  welcomed: boolean;
  heartbeat?: NodeJS.Timeout;
  presenceFrames: number;
  lastSeq: number;
  seen: Map<string, { last: number; unique: Set<number> }>;
  join?: Record<string, number>;
  leave?: Record<string, number>;
  onPong?: () => void;
  /** Bytes received and reported to the room as read (read-reports.ts); app clients only. */
  read: () => number;
};

type RunStats = { deliveries: number; duplicates: number; reordered: number; latencies: number[]; slowest: Map<string, number> };

export class ChatPool {
  readonly clients: Client[] = [];
  private readonly byId = new Map<string, Client>();
  /** Reading clients closed by the server (stalled readers are counted apart). */
  unexpectedCloses = 0;
  pongs = 0;
  readonly closeCodes: Record<string, number> = {};
  stalledCloses = 0;
  private readonly runs = new Map<string, RunStats>();
  /** Chat ids sent and not yet acked -> send time; ack latencies. */
  private readonly unacked = new Map<string, number>();
  private readonly ackMs: number[] = [];
  private chatErrors = 0;
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
      let socket: Socket | null = null;
      // Our own TCP socket (ws's public createConnection hook), so a stalled reader can pause it.
      // Like ws's default: `path` is the HTTP path here, and would make net.connect dial a unix socket.
      const tcp = (o: NetConnectOpts & { socketPath?: string }) => (socket = netConnect({ ...o, path: o.socketPath } as NetConnectOpts));
      const ws = new WebSocket(spec.url, { perMessageDeflate: false, createConnection: tcp as typeof netConnect });
      // A raw socket that beats is connected after one round trip (heartbeat -> pong), as an app client is after hello ->
      // welcome: a floor that opened its next socket at the open event alone would open twice as fast as partyroom,
      // and `partykit dev` logs every request through its Node process, which then falls behind and leaves workerd one
      // descriptor per request not yet logged (near 10,000 sockets: "accept: Too many open files").
      const welcomed = spec.kind === "raw" && !spec.heartbeat;
      const client: Client = { spec, ws, socket: null, welcomed, presenceFrames: 0, lastSeq: 0, seen: new Map(), read: () => 0 };
      // Only partyroom's app protocol has read reports (the null room would echo them to everyone).
      if (spec.kind === "app") client.read = reportReads(ws);
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
        client.socket = socket;
        this.clients.push(client);
        this.byId.set(spec.clientId, client);
        if (spec.stall) socket?.pause();
        resolve();
      };
      ws.on("error", (err) => fail(err));
      ws.on("open", () => {
        if (spec.kind === "raw") {
          if (!spec.heartbeat) return done();
          // A raw socket has no welcome to learn the interval from: it beats at the room's, so a floor measured with raw
          // heartbeats carries the same frames per second as partyroom's clients.
          client.onPong = () => {
            client.onPong = undefined;
            client.welcomed = true;
            this.beat(client, spec.heartbeatMs ?? HEARTBEAT_INTERVAL_MS);
            done();
          };
          return ws.send('{"type":"heartbeat"}');
        }
        ws.send(JSON.stringify({ type: "hello", v: 1, clientId: spec.clientId, name: "bench", color: "#336699" }));
      });
      ws.on("close", (code) => {
        clearInterval(client.heartbeat);
        if (!settled) return fail(new Error(`closed ${code} before welcome`));
        if (this.closing) return;
        if (spec.stall) this.stalledCloses++;
        else {
          this.unexpectedCloses++;
          this.closeCodes[code] = (this.closeCodes[code] ?? 0) + 1;
        }
      });
      ws.on("message", (data, isBinary) => {
        if (isBinary) return; // partyroom's Yjs sync frames: not part of these scenarios.
        const text = String(data);
        if (!client.welcomed && text.startsWith('{"type":"welcome"')) {
          client.welcomed = true;
          const welcome = JSON.parse(text) as { heartbeatMs: number; seq: number };
          client.lastSeq = welcome.seq;
          if (spec.heartbeat) this.beat(client, welcome.heartbeatMs);
          return done();
        }
        this.onText(client, text);
      });
    });
  }

  /** Heartbeats every `everyMs`, from a random phase so 10,000 clients do not beat in lockstep. */
  private beat(client: Client, everyMs: number): void {
    const ws = client.ws;
    const beat = () => ws.readyState === WebSocket.OPEN && ws.send(client.spec.kind === "app" ? `{"type":"heartbeat","read":${client.read()}}` : '{"type":"heartbeat"}');
    client.heartbeat = setTimeout(() => {
      beat();
      client.heartbeat = setInterval(beat, everyMs);
    }, Math.random() * everyMs);
  }

  private onText(client: Client, text: string): void {
    const at = nowMs();
    const msg = JSON.parse(text) as { type: string; id?: string; ref?: string; text?: string; message?: { text: string; seq: number }; join?: { clientId: string }[]; leave?: string[] };
    if (msg.type === "chat") {
      const body = msg.message?.text ?? msg.text;
      if (body?.startsWith("B|")) this.onProbe(client, body, msg.message?.seq, at);
    } else if (msg.type === "ack" && msg.id) {
      const sentAt = this.unacked.get(msg.id);
      if (sentAt !== undefined) this.ackMs.push(at - sentAt);
      this.unacked.delete(msg.id);
    } else if (msg.type === "error" && msg.ref) {
      this.chatErrors++;
    } else if (msg.type === "presence") {
      client.presenceFrames++;
      if (client.join) for (const p of msg.join ?? []) client.join[p.clientId] ??= at;
      if (client.leave) for (const id of msg.leave ?? []) client.leave[id] ??= at;
    } else if (msg.type === "pong") {
      this.pongs++;
      client.onPong?.();
    }
  }

  private onProbe(client: Client, body: string, seq: number | undefined, at: number): void {
    const [, run, sender, nStr, schedStr] = body.split("|", 5);
    const n = Number(nStr);
    const stats = this.runStats(run!);
    stats.deliveries++;
    let track = client.seen.get(`${run}|${sender}`);
    if (!track) client.seen.set(`${run}|${sender}`, (track = { last: -1, unique: new Set() }));
    if (track.unique.has(n)) {
      stats.duplicates++;
      return;
    }
    // Out of order: behind this sender's last message, or behind the room's last seq seen here.
    if (n < track.last || (seq !== undefined && seq < client.lastSeq)) stats.reordered++;
    if (seq !== undefined) client.lastSeq = Math.max(client.lastSeq, seq);
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
          if (client.ws.readyState !== WebSocket.OPEN) continue;
          const id = `${s.run}-${client.spec.clientId}-${n}`;
          client.ws.send(JSON.stringify({ type: "chat", id, text: head.padEnd(s.bytes, "x") }));
          if (client.spec.kind === "app") this.unacked.set(id, nowMs());
          sent[client.spec.room] = (sent[client.spec.room] ?? 0) + 1;
        }
      }),
    );
    return sent;
  }

  /** Deliveries of `run` to reading clients (stalled readers are not expected to receive). */
  probeReport(run: string): ProbeReport {
    const s = this.runStats(run);
    const perRoom: ProbeReport["perRoom"] = {};
    for (const c of this.clients) {
      if (c.spec.stall) continue;
      const r = (perRoom[c.spec.room] ??= { unique: 0, clients: 0 });
      r.clients++;
      for (const [k, t] of c.seen) if (k.startsWith(`${run}|`)) r.unique += t.unique.size;
    }
    return { deliveries: s.deliveries, duplicates: s.duplicates, reordered: s.reordered, latencies: s.latencies, slowest: Object.fromEntries(s.slowest), perRoom };
  }

  /** Acks: how many came, how slowly, and how many are missing after `timeoutMs` (or came later than that). */
  ackReport(timeoutMs: number): AckReport {
    const now = nowMs();
    const late = this.ackMs.filter((ms) => ms > timeoutMs).length;
    const missing = [...this.unacked.values()].filter((t) => now - t > timeoutMs).length;
    return { acked: this.ackMs.length, ackMs: this.ackMs, timeouts: late + missing, pending: this.unacked.size, errors: this.chatErrors, stalledCloses: this.stalledCloses };
  }

  presenceReport(): PresenceReport {
    return { observers: this.clients.filter((c) => c.join).map((c) => ({ room: c.spec.room, frames: c.presenceFrames, join: c.join!, leave: c.leave! })) };
  }

  /** Heartbeat -> pong round trips of one app client, one at a time. */
  async rtt(clientId: string, count: number): Promise<number[]> {
    const client = this.byId.get(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      // A socket that is gone, or a pong that never comes, is no round trip: NaN, never the timeout as if measured.
      if (client.ws.readyState !== WebSocket.OPEN) {
        out.push(NaN);
        continue;
      }
      const t0 = nowMs();
      const ponged = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        client.onPong = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.ws.send('{"type":"heartbeat"}');
      });
      out.push(ponged ? nowMs() - t0 : NaN);
      await sleep(70); // stay under the 15 frames/s rate limit
    }
    client.onPong = undefined;
    return out;
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    const closed = this.clients.map((c) => (c.ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => c.ws.once("close", r))));
    for (const c of this.clients) {
      clearInterval(c.heartbeat);
      c.ws.terminate();
    }
    // terminate() emits "close" on a later tick: those are ours, not the server's.
    await withTimeout(Promise.all(closed), 10_000, "terminated sockets to close");
    this.clients.length = 0;
    this.byId.clear();
    this.runs.clear();
    this.unacked.clear();
    this.ackMs.length = 0;
    this.chatErrors = 0;
    this.stalledCloses = 0;
    this.unexpectedCloses = 0;
    this.pongs = 0;
    for (const code of Object.keys(this.closeCodes)) delete this.closeCodes[code];
    this.closing = false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
