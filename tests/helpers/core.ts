/**
 * Unit-test harness for the room core (party/core/room.ts): a fake clock
 * whose timers run only when the test advances it, recording links that keep
 * every frame, close and saved record, and in-memory storage. No PartyKit, no
 * sockets: what a rule does is visible frame by frame.
 */
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { DEFAULT_CONFIG, type RoomConfig } from "../../party/core/config";
import type { Clock, Grant, Link, Refusal } from "../../party/core/ports";
import { RoomCore } from "../../party/core/room";
import type { WakeTimeline } from "../../party/core/wake-timeline";
import { parseServerMessage, type ServerMessage, YjsFrame } from "../../party/protocol";
import { MemoryStorage } from "./memory-storage";

export const OPEN: Grant = { role: "edit", userId: "", exp: Number.POSITIVE_INFINITY };

/** Time that moves only when told; timers fire in order as it passes them. */
export class FakeClock implements Clock {
  t = 1_700_000_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== timer);
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order (and settling promises between them). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets every pending promise callback run (storage here resolves on the microtask queue). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** A link that records what the core does with it. */
export class RecordingLink implements Link {
  readonly frames: (string | Uint8Array)[] = [];
  closed: { code: number; reason: string } | null = null;
  record: unknown = null;
  /** How many times the record was written. */
  saves = 0;
  /** Make sends throw, as a broken socket's do. */
  broken = false;

  send(data: string | Uint8Array): void {
    if (this.broken) throw new Error("socket broken");
    this.frames.push(data);
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }

  save(record: unknown): void {
    this.saves++;
    this.record = structuredClone(record);
  }

  /** The code it was closed with, if it was. */
  get closeCode(): number | undefined {
    return this.closed?.code;
  }

  /** Every JSON message received, parsed. */
  get messages(): ServerMessage[] {
    return this.frames.filter((f): f is string => typeof f === "string").map((f) => parseServerMessage(f)!);
  }

  /** Messages of one type. */
  of<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  /** Binary frames received. */
  get binary(): Uint8Array[] {
    return this.frames.filter((f): f is Uint8Array => typeof f !== "string");
  }

  /** Bytes received (what a client would report as read). */
  get bytes(): number {
    return this.frames.reduce((n, f) => n + (typeof f === "string" ? Buffer.byteLength(f) : f.byteLength), 0);
  }

  clear(): void {
    this.frames.length = 0;
  }
}

export type Harness = Awaited<ReturnType<typeof room>>;

const cores = new Set<RoomCore>();

/** Disposes every core made here (the document's awareness timer would keep the test process alive): call in `after`. */
export function disposeRooms(): void {
  for (const core of cores) core.dispose();
  cores.clear();
}

/** A room core on fake time and memory storage. */
export async function room(options: { config?: Partial<RoomConfig>; verifyToken?: (token: string) => Promise<Grant | Refusal>; storage?: MemoryStorage; clock?: FakeClock; presenceLogMax?: number; presenceListed?: number; wake?: WakeTimeline } = {}) {
  const storage = options.storage ?? new MemoryStorage();
  const clock = options.clock ?? new FakeClock();
  const config: RoomConfig = { ...DEFAULT_CONFIG, ...options.config };
  const logs: string[] = [];
  const core = await RoomCore.open({ roomId: "unit", storage, clock, config, verifyToken: options.verifyToken ?? null, presenceLogMax: options.presenceLogMax, presenceListed: options.presenceListed, log: (m, e) => logs.push(`${m} ${String(e)}`), wake: options.wake });
  cores.add(core);
  const h = {
    core,
    storage,
    clock,
    config,
    logs,
    /** A new socket (admitted first, as the host does). */
    connect(grant: Grant = OPEN, address = ""): RecordingLink {
      const link = new RecordingLink();
      const refused = core.admit(address, grant.userId);
      if (refused) link.close(refused.code, refused.reason);
      else core.connect(link, { transport: "websocket", grant, address });
      return link;
    },
    async send(link: RecordingLink, msg: unknown): Promise<void> {
      await core.frame(link, typeof msg === "string" ? msg : JSON.stringify(msg));
      await settle();
    },
    async binary(link: RecordingLink, frame: Uint8Array): Promise<void> {
      await core.frame(link, frame);
      await settle();
    },
    /** A socket that said hello (and got its welcome). */
    async join(clientId: string, extra: Record<string, unknown> = {}, grant: Grant = OPEN, address = ""): Promise<RecordingLink> {
      const link = h.connect(grant, address);
      await h.send(link, { type: "hello", v: 1, clientId, name: clientId, color: "#336699", ...extra });
      return link;
    },
    /** Runs the alarm if it is due by `now` (as the platform would). */
    async alarm(): Promise<void> {
      if (storage.alarm !== null && storage.alarm <= clock.t) {
        storage.alarm = null;
        await core.alarm();
        await settle();
      }
    },
    /** Advances time, firing the alarm whenever it falls due on the way. */
    async wait(ms: number): Promise<void> {
      const end = clock.t + ms;
      while (storage.alarm !== null && storage.alarm <= end) {
        await clock.advance(Math.max(0, storage.alarm - clock.t));
        await h.alarm();
      }
      await clock.advance(end - clock.t);
    },
  };
  return h;
}

/** A Yjs sync update frame carrying `text` inserted into a fresh doc (a new client's edit). */
export function updateFrame(text: string, doc = new Y.Doc()): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getText("content").insert(doc.getText("content").length, text);
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.sync);
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc, before));
  return encoding.toUint8Array(e);
}

/** A sync step 1 frame for `doc`. */
export function step1Frame(doc = new Y.Doc()): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.sync);
  syncProtocol.writeSyncStep1(e, doc);
  return encoding.toUint8Array(e);
}
