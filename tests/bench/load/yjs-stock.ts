/**
 * The Yjs side of a load worker: stock `y-websocket` providers (the library
 * apps use, awareness and all), so the servers are measured against the
 * client they must serve. One writer appends marks `\u0002n:scheduledAt\u0003`
 * at the end of the text, open loop; every receiver records when each mark
 * first arrives in an update it applies.
 *
 * Marks are read from the update bytes (strings are stored verbatim in Yjs
 * updates), not from Y.Text deltas, which walk the text. Appending keeps each
 * mark whole: an earlier version inserted at random positions, splitting old
 * marks, so a resync re-encoded their fragments and binary bytes could pass
 * for a mark's start, counting "marks" nobody sent (a negative `missing`).
 * Here a mark nobody sent is counted as `unexpected`, and must stay 0.
 */
import { createHash } from "node:crypto";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { nowMs } from "../lib/stats";
import type { LoadTime, OpenResult, YDocSpec, YFanReport } from "./protocol";

const MARK = /\u0002(\d+):([\d.]+)\u0003/g;

type Receiver = { provider: WebsocketProvider; doc: Y.Doc; seen: Map<number, number> };

/** Opens a stock provider and resolves at its first completed sync, with when (nowMs) its socket opened. */
function connect(spec: YDocSpec, timeoutMs: number): Promise<{ provider: WebsocketProvider; doc: Y.Doc; openedAt: number }> {
  const doc = new Y.Doc();
  // disableBc: providers in one process would otherwise pass updates to each other, around the server.
  const provider = new WebsocketProvider(spec.serverUrl, spec.room, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
  let openedAt = NaN;
  const onStatus = ({ status }: { status: string }) => {
    if (status === "connected" && Number.isNaN(openedAt)) openedAt = nowMs();
  };
  provider.on("status", onStatus);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      dispose(provider);
      reject(new Error(`stock provider not synced after ${timeoutMs} ms`));
    }, timeoutMs);
    const onSync = (synced: boolean) => {
      if (!synced) return;
      clearTimeout(timer);
      provider.off("sync", onSync);
      provider.off("status", onStatus);
      resolve({ provider, doc, openedAt });
    };
    provider.on("sync", onSync);
  });
}

/** Destroys a provider and drops its socket at once (dev does not answer a client's close frame). */
function dispose(provider: WebsocketProvider): void {
  const socket = provider.ws as WebSocket | null;
  provider.destroy();
  socket?.terminate();
  provider.doc.destroy();
}

/** Text hash and state vector: equal for identical replicas. */
function digest(doc: Y.Doc): string {
  return createHash("sha1").update(doc.getText(DOC_TEXT_NAME).toString()).update(Y.encodeStateVector(doc)).digest("base64");
}

export class StockYjs {
  private readonly receivers: Receiver[] = [];
  private writer: { provider: WebsocketProvider; doc: Y.Doc } | null = null;
  /** Seeders stay connected, so their rooms stay warm until closeAll. */
  private readonly seeders: WebsocketProvider[] = [];

  get open(): number {
    return this.receivers.length + this.seeders.length + (this.writer ? 1 : 0);
  }

  /** Opens receivers, at most `concurrency` handshakes at a time. */
  async receive(specs: YDocSpec[], concurrency: number, timeoutMs: number): Promise<OpenResult> {
    const result: OpenResult = { opened: 0, failed: 0, errors: [], connectMs: [] };
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < specs.length; i = next++) {
        const t0 = nowMs();
        try {
          const { provider, doc } = await connect(specs[i]!, timeoutMs);
          // Receivers publish no presence. With it, every provider renews its state 15 s after it was made, and 200
          // receivers made within seconds of each other renew together: 200 x 200 awareness deliveries land on the load
          // core mid-trial, and every server's per-delivery p99 became the load generator's backlog (~500 ms for all).
          provider.awareness.setLocalState(null);
          const r: Receiver = { provider, doc, seen: new Map() };
          doc.on("update", (update: Uint8Array, origin: unknown) => origin === provider && this.onUpdate(r, update, nowMs()));
          this.receivers.push(r);
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

  private onUpdate(r: Receiver, update: Uint8Array, at: number): void {
    const text = Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString("latin1");
    if (!text.includes("\u0002")) return;
    for (const m of text.matchAll(MARK)) {
      const n = Number(m[1]);
      if (r.seen.has(n)) continue;
      r.seen.set(n, at - Number(m[2]));
    }
  }

  /** Connects the writer and appends `count` marks, one every `intervalMs` from `startAt`. Returns marks written. */
  async write(spec: YDocSpec, startAt: number, count: number, intervalMs: number, timeoutMs: number): Promise<number> {
    this.writer = await connect(spec, timeoutMs);
    const text = this.writer.doc.getText(DOC_TEXT_NAME);
    let sent = 0;
    for (let n = 0; n < count; n++) {
      const sched = startAt + n * intervalMs;
      const wait = sched - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      text.insert(text.length, `\u0002${n}:${sched.toFixed(3)}\u0003`);
      sent++;
    }
    return sent;
  }

  /**
   * What the receivers got of marks 0..sent-1: per-delivery latencies, the
   * slowest receiver per mark, marks lost, and each replica's digest
   * (the writer's first, when this worker holds it).
   */
  report(sent: number): YFanReport {
    const latencies: number[] = [];
    const slowest: number[] = new Array(sent).fill(-Infinity);
    let lost = 0;
    let unexpected = 0;
    for (const r of this.receivers) {
      for (const [n, latency] of r.seen) {
        if (n >= sent) {
          unexpected++;
          continue;
        }
        latencies.push(latency);
        if (latency > slowest[n]!) slowest[n] = latency;
      }
      lost += sent - [...r.seen.keys()].filter((n) => n < sent).length;
    }
    return { latencies, slowest, lost, unexpected, receiverCount: this.receivers.length, ...this.digests() };
  }

  /** Each receiver's digest, and the writer's when this worker holds it. */
  digests(): { writer: string | null; receivers: string[] } {
    return { writer: this.writer ? digest(this.writer.doc) : null, receivers: this.receivers.map((r) => digest(r.doc)) };
  }

  /**
   * Time (ms) for a fresh stock provider to sync and hold the whole text (`expectedLength` characters), and the part
   * of it before its socket opened (the upgrade: the server's connect handler, and its wake when cold).
   */
  async load(spec: YDocSpec, expectedLength: number, timeoutMs: number): Promise<LoadTime> {
    const t0 = nowMs();
    const { provider, doc, openedAt } = await connect(spec, timeoutMs);
    const ms = nowMs() - t0;
    const length = doc.getText(DOC_TEXT_NAME).length;
    dispose(provider);
    if (length !== expectedLength) throw new Error(`synced with ${length} characters, expected ${expectedLength}`);
    return { ms, openMs: openedAt - t0 };
  }

  /** Writes `edits` appends of `bytesPerEdit` characters as separate updates; the seeder stays connected (the room stays warm). */
  async seed(spec: YDocSpec, edits: number, bytesPerEdit: number, timeoutMs: number): Promise<number> {
    const seeder = await connect(spec, timeoutMs);
    this.seeders.push(seeder.provider);
    const text = seeder.doc.getText(DOC_TEXT_NAME);
    for (let i = 0; i < edits; i++) text.insert(text.length, filler(i, bytesPerEdit));
    // The server holds every edit once a fresh client syncs the whole text.
    const deadline = nowMs() + timeoutMs;
    for (;;) {
      const { provider, doc } = await connect(spec, timeoutMs);
      const held = doc.getText(DOC_TEXT_NAME).length;
      dispose(provider);
      if (held === text.length) return held;
      if (nowMs() > deadline) throw new Error(`the server holds ${held} of ${text.length} seeded characters after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  closeAll(): void {
    for (const r of this.receivers) dispose(r.provider);
    this.receivers.length = 0;
    if (this.writer) dispose(this.writer.provider);
    this.writer = null;
    for (const s of this.seeders) dispose(s);
    this.seeders.length = 0;
  }
}

/** Deterministic printable text of `bytes` characters for edit `i`. */
export function filler(i: number, bytes: number): string {
  const word = `edit${i} lorem ipsum dolor sit amet `;
  return word.repeat(Math.ceil(bytes / word.length)).slice(0, bytes);
}
