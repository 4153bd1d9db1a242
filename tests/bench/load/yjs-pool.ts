/**
 * The Yjs side of a load worker: minimal Yjs clients speaking the y-protocols
 * sync protocol over a raw WebSocket, in one of two framings: `yws` (plain
 * y-websocket frames: partyroom and @y/websocket-server) or `hocus`
 * (Hocuspocus: every frame starts with the document name; an auth frame first).
 * The same client code drives every peer, so client cost cancels out.
 *
 * Typers insert `\u0002typer:n:scheduledAt\u0003` marks; every replica
 * records when each mark first arrives, measured from its scheduled time.
 * Marks are found by scanning the received update bytes (strings are stored
 * verbatim in Yjs v1 updates), not through Y.Text events: an event's delta
 * walks the whole text, which with 200 replicas made the load generator, not
 * the server, the bottleneck.
 */
import { createHash } from "node:crypto";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { nowMs } from "../lib/stats";
import { sleep } from "./chat-pool";
import type { OpenResult, YjsSpec, YReport } from "./protocol";

const KEEPALIVE_MS = 10_000;
const MARK = /\u0002([^:\u0002\u0003]+):(\d+):([\d.]+)\u0003/g;

type YClient = { spec: YjsSpec; ws: WebSocket; doc: Y.Doc; synced: boolean; marks: Set<string>; keepalive?: NodeJS.Timeout; onSynced?: () => void };

type RunStats = { latencies: number[]; slowest: Map<string, number>; received: number };

/** Wraps a y-protocols payload in the peer's framing. */
function frame(spec: YjsSpec, write: (e: encoding.Encoder) => void, type = 0): Uint8Array {
  const e = encoding.createEncoder();
  if (spec.framing === "hocus") encoding.writeVarString(e, spec.doc);
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
}

export class YjsPool {
  readonly clients: YClient[] = [];
  private readonly runs = new Map<string, RunStats>();
  private run = "";

  async open(specs: YjsSpec[], concurrency: number, timeoutMs: number): Promise<OpenResult> {
    const result: OpenResult = { opened: 0, failed: 0, errors: [], connectMs: [] };
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < specs.length; i = next++) {
        const t0 = nowMs();
        try {
          this.clients.push(await this.connect(specs[i]!, timeoutMs));
          result.opened++;
          result.connectMs.push(nowMs() - t0);
        } catch (err) {
          result.failed++;
          if (result.errors.length < 5) result.errors.push((err as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return result;
  }

  /** Opens one client and resolves once the server's sync step 2 has been applied. */
  connect(spec: YjsSpec, timeoutMs: number): Promise<YClient> {
    const doc = new Y.Doc();
    const ws = new WebSocket(spec.url, { perMessageDeflate: false });
    ws.binaryType = "arraybuffer";
    const client: YClient = { spec, ws, doc, synced: false, marks: new Set() };
    doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin !== ws && ws.readyState === WebSocket.OPEN) ws.send(frame(spec, (e) => syncProtocol.writeUpdate(e, update)));
    });
    ws.on("message", (data: ArrayBuffer) => this.onFrame(client, new Uint8Array(data)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`sync timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      ws.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      client.onSynced = () => {
        clearTimeout(timer);
        resolve(client);
      };
      ws.on("open", () => {
        if (spec.framing === "hocus") {
          ws.send(frame(spec, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarString(e, "")), 2));
        }
        const step1 = () => ws.readyState === WebSocket.OPEN && ws.send(frame(spec, (e) => syncProtocol.writeSyncStep1(e, doc)));
        step1();
        // Some sign of life, so idle replicas are not swept as silent (partyroom closes yjs sockets silent for 30 s).
        client.keepalive = setInterval(step1, KEEPALIVE_MS);
      });
      ws.on("close", () => clearInterval(client.keepalive));
    });
  }

  private onFrame(client: YClient, bytes: Uint8Array): void {
    const d = decoding.createDecoder(bytes);
    if (client.spec.framing === "hocus") decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    // 0 = sync (4 = Hocuspocus' sync reply); awareness, auth and status frames are not needed here.
    if (type !== 0 && type !== 4) return;
    if (client.synced) this.onMarks(client, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"), nowMs());
    const reply = encoding.createEncoder();
    if (client.spec.framing === "hocus") encoding.writeVarString(reply, client.spec.doc);
    encoding.writeVarUint(reply, 0);
    const before = encoding.length(reply);
    const kind = syncProtocol.readSyncMessage(d, reply, client.doc, client.ws);
    if (encoding.length(reply) > before) client.ws.send(encoding.toUint8Array(reply));
    if (kind === syncProtocol.messageYjsSyncStep2 && !client.synced) {
      client.synced = true;
      client.onSynced?.();
    }
  }

  private onMarks(client: YClient, text: string, at: number): void {
    if (!text.includes("\u0002")) return;
    const stats = this.stats(this.run);
    for (const m of text.matchAll(MARK)) {
      const key = `${m[1]}|${m[2]}`;
      if (client.marks.has(key)) continue;
      client.marks.add(key);
      const latency = at - Number(m[3]);
      stats.received++;
      stats.latencies.push(latency);
      if ((stats.slowest.get(key) ?? -Infinity) < latency) stats.slowest.set(key, latency);
    }
  }

  private stats(run: string): RunStats {
    let s = this.runs.get(run);
    if (!s) this.runs.set(run, (s = { latencies: [], slowest: new Map() , received: 0 }));
    return s;
  }

  /** Open-loop typing: each typer inserts a mark at a random position every `intervalMs`. */
  async type(typers: number[], run: string, startAt: number, count: number, intervalMs: number): Promise<number> {
    this.run = run;
    let sent = 0;
    await Promise.all(
      typers.map(async (index) => {
        const client = this.clients[index]!;
        const text = client.doc.getText("content");
        for (let n = 0; n < count; n++) {
          const sched = startAt + n * intervalMs;
          const wait = sched - nowMs();
          if (wait > 0) await sleep(wait);
          const typer = `${run}-${index}-${process.pid}`;
          // Some servers echo an update to its sender too: a typer never counts its own marks.
          client.marks.add(`${typer}|${n}`);
          text.insert(Math.floor(Math.random() * (text.length + 1)), `\u0002${typer}:${n}:${sched.toFixed(3)}\u0003`);
          sent++;
        }
      }),
    );
    return sent;
  }

  report(run: string): YReport {
    const s = this.stats(run);
    return { latencies: s.latencies, slowest: Object.fromEntries(s.slowest), received: s.received };
  }

  /**
   * A cheap digest of every replica, to check convergence: state vector and
   * text length. Typers only insert, so equal state vectors mean equal
   * documents; hashing 200 full texts every poll would load the generator.
   */
  digest(): string[] {
    return this.clients.map((c) => createHash("sha1").update(Y.encodeStateVector(c.doc)).update(String(c.doc.getText("content").length)).digest("base64"));
  }

  /** Time (ms) for a fresh client to connect and hold the whole document (its text `expectedLength` long). */
  async load(spec: YjsSpec, expectedLength: number, timeoutMs: number): Promise<number> {
    const t0 = nowMs();
    const client = await this.connect(spec, timeoutMs);
    const text = client.doc.getText("content");
    for (let i = 0; i < timeoutMs / 5 && text.length < expectedLength; i++) await sleep(5);
    const ms = nowMs() - t0;
    clearInterval(client.keepalive);
    client.ws.terminate();
    if (text.length !== expectedLength) throw new Error(`loaded ${text.length} chars, expected ${expectedLength}`);
    return ms;
  }

  closeAll(): void {
    for (const c of this.clients) {
      clearInterval(c.keepalive);
      c.ws.terminate();
      c.doc.destroy();
      c.marks.clear();
    }
    this.clients.length = 0;
    this.runs.clear();
  }
}
