/**
 * `npm run bench:heap`: what grows in the room core's heap under the brief's
 * stability traffic (issue 18). workerd's inspector answers no command under
 * `partykit dev`, so the core (party/core, the code that runs in workerd) is
 * driven here in Node, on fake time: 100 app sessions saying hello, beating a
 * heartbeat with a read report every 10 s, reporting reads every
 * FLOW.reportEveryBytes as the bench's clients do, each sending a ~200-byte
 * chat message a minute and changing its status every 5 minutes. A second
 * variant adds churn: sessions leaving and new ones joining with an awareness
 * state (a page reload: a new Yjs client id each time).
 *
 * Only the core is measured: links keep counts, not frames; storage lives in
 * a worker thread (lib/off-heap-storage.ts), outside this heap, as workerd's
 * does. After warm-up and at the end the heap is collected and snapshotted,
 * and the snapshots are compared by constructor; heap used after GC is taken
 * every simulated minute. The report goes to docs/bench/heap-core.md.
 *
 *   npm run bench:heap                                  40 + 40 simulated minutes
 *   npm run bench:heap -- --minutes 60 --warmup 10 --churn 30 --report PATH
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import * as encoding from "lib0/encoding";
import { DEFAULT_CONFIG } from "../../party/core/config";
import { DirectoryReporter } from "../../party/core/directory-report";
import type { Link } from "../../party/core/ports";
import { RoomCore } from "../../party/core/room";
import { FLOW, YjsFrame } from "../../party/protocol";
import { FakeClock, OPEN } from "../helpers/core";
import { ROOT } from "../helpers/server";
import { type Bucket, growth, summariseSnapshot } from "./lib/heap-snapshot";
import { describeMachine } from "./lib/machine";
import { OffHeapStorage } from "./lib/off-heap-storage";
import { slope } from "./lib/stats";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const reportIdx = argv.indexOf("--report");
const REPORT = reportIdx >= 0 ? resolve(argv[reportIdx + 1]!) : join(ROOT, "docs", "bench", "heap-core.md");
const SESSIONS = opt("sessions", 100);
const MINUTES = opt("minutes", 40);
const WARMUP = opt("warmup", 10);
const CHURN = opt("churn", 30);
const command = `npm run bench:heap${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
const STEP_MS = 100;
const STEPS_PER_MIN = 60_000 / STEP_MS;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:heap does)");

/** A client as the core sees it: counts what it receives, and owes a read report every FLOW.reportEveryBytes. */
class CountingLink implements Link {
  received = 0;
  reported = 0;
  acks = 0;
  closed: string | null = null;

  send(data: string | Uint8Array): void {
    this.received += typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
    if (typeof data === "string" && data.startsWith('{"type":"ack"')) this.acks++;
    if (typeof data === "string" && data.startsWith('{"type":"close"')) this.closed ??= data;
  }

  close(code: number, reason: string): void {
    this.closed ??= `${code} ${reason}`;
  }

  /** conn.setState keeps the record in the runtime, outside the isolate's heap: nothing to keep here. */
  save(): void {}

  get owesReport(): boolean {
    return this.received - this.reported >= FLOW.reportEveryBytes;
  }
}

type Variant = { label: string; churnPerMin: number };
type Sizes = Record<string, number>;
type Result = {
  variant: Variant;
  heap: { minute: number; mib: number }[];
  slopeKiBPerMin: number;
  slopeSecondHalfKiBPerMin: number;
  top: ReturnType<typeof growth>;
  sizes: { warm: Sizes; end: Sizes };
  chat: number;
  acks: number;
  closes: number;
  storageKeys: number;
};

async function run(variant: Variant): Promise<Result> {
  const storage = new OffHeapStorage();
  const clock = new FakeClock();
  const core = await RoomCore.open({ roomId: `heap-${variant.label}`, storage, clock, config: DEFAULT_CONFIG, verifyToken: null, outputGate: true });
  // The host attaches the directory reporter to every room (host/ops.ts); webhooks only with a URL, off here as in the soak.
  await DirectoryReporter.attach(core, () => true);
  const slots: CountingLink[] = [];
  let generation = 0;
  let chats = 0;
  let acks = 0;
  let closes = 0;
  const enter = async (slot: number) => {
    const link = new CountingLink();
    slots[slot] = link;
    const gen = generation++;
    const refused = core.admit("127.0.0.1", "");
    if (refused) throw new Error(`join refused: ${refused.reason}`);
    core.connect(link, { transport: "websocket", grant: OPEN, address: "127.0.0.1" });
    await core.frame(link, JSON.stringify({ type: "hello", v: 1, clientId: `heap${gen.toString(36)}x${slot}`, name: `Guest ${gen}`, color: "#336699" }));
    if (variant.churnPerMin > 0) await core.frame(link, awarenessFrame(0x10000 + gen * 7919, gen));
  };
  const leave = (slot: number) => {
    const link = slots[slot]!;
    acks += link.acks;
    core.disconnect(link);
  };
  for (let i = 0; i < SESSIONS; i++) await enter(i);

  const heap: { minute: number; mib: number }[] = [];
  const snapshots: string[] = [];
  let warm: Sizes = {};
  const churnEvery = variant.churnPerMin > 0 ? Math.floor(STEPS_PER_MIN / variant.churnPerMin) : 0;
  let churned = 0;
  const text = "x".repeat(180);
  for (let step = 0; step <= MINUTES * STEPS_PER_MIN; step++) {
    if (step % STEPS_PER_MIN === 0) {
      const minute = step / STEPS_PER_MIN;
      heap.push({ minute, mib: collectedHeapMiB() });
      if (minute === WARMUP || minute === MINUTES) {
        snapshots.push(writeHeapSnapshot(join(tmpdir(), `heap-core-${variant.label}-${minute}-${process.pid}.heapsnapshot`)));
        if (minute === WARMUP) warm = await sizesOf(core, storage);
      }
      if (minute === MINUTES) break;
    }
    const beat = step % (STEPS_PER_MIN / 6);
    if (beat < SESSIONS) await core.frame(slots[beat]!, `{"type":"heartbeat","read":${slots[beat]!.received}}`);
    if (step % 6 === 0 && (step % STEPS_PER_MIN) / 6 < SESSIONS) {
      const i = (step % STEPS_PER_MIN) / 6;
      chats++;
      await core.frame(slots[i]!, JSON.stringify({ type: "chat", id: `m${chats.toString(36)}s${i}`, text: `${chats} ${text}` }));
    }
    if (step % 30 === 0 && (step % (5 * STEPS_PER_MIN)) / 30 < SESSIONS) {
      const i = (step % (5 * STEPS_PER_MIN)) / 30;
      await core.frame(slots[i]!, JSON.stringify({ type: "presence", status: Math.floor(step / (5 * STEPS_PER_MIN)) % 2 ? "active" : "idle" }));
    }
    if (churnEvery && step % churnEvery === 0 && step > 0) {
      const slot = churned++ % SESSIONS;
      leave(slot);
      await enter(slot);
    }
    for (const link of slots) if (link.owesReport) await core.frame(link, `{"type":"read","bytes":${(link.reported = link.received)}}`);
    await clock.advance(STEP_MS);
    if (storage.alarm !== null && storage.alarm <= clock.t) {
      storage.alarm = null;
      await core.alarm();
    }
  }
  const end = await sizesOf(core, storage);
  for (const link of slots) {
    acks += link.acks;
    if (link.closed) closes++;
  }
  const storageKeys = await storage.size();
  core.dispose();
  await storage.close();
  const [before, after] = snapshots.map((p) => {
    const s: Map<string, Bucket> = summariseSnapshot(p);
    rmSync(p);
    return s;
  });
  const measured = heap.filter((h) => h.minute >= WARMUP);
  const half = measured.filter((h) => h.minute >= (WARMUP + MINUTES) / 2);
  const kib = (pts: typeof heap) => slope(pts.map((h) => ({ x: h.minute, y: h.mib * 1024 }))).slope;
  return { variant, heap, slopeKiBPerMin: kib(measured), slopeSecondHalfKiBPerMin: kib(half), top: growth(before!, after!, 15), sizes: { warm, end }, chat: chats, acks, closes, storageKeys };
}

/** Heap used after two full collections, in MiB. */
function collectedHeapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** An awareness update announcing one new client's state, as a freshly loaded page's provider sends it. */
function awarenessFrame(id: number, gen: number): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, id);
  encoding.writeVarUint(update, 1);
  encoding.writeVarString(update, JSON.stringify({ user: { name: `Guest ${gen}`, color: "#336699" }, cursor: null }));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, YjsFrame.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
  return encoding.toUint8Array(e);
}

/** Entry counts of the core's structures that could grow with time, messages or connections. */
async function sizesOf(core: RoomCore, storage: OffHeapStorage): Promise<Sizes> {
  const field = <T>(o: object, name: string) => Reflect.get(o, name) as T;
  const sessions = [...core.sessions.values()];
  const awareness = core.doc?.sync.awareness;
  return {
    "sessions": core.sessions.size,
    "presence entries": core.presence.size,
    "chat messages in memory": core.chat.inMemory,
    "chat idempotency cache": core.chat.idsInMemory,
    "awareness states": awareness?.states.size ?? 0,
    "awareness meta": awareness?.meta.size ?? 0,
    "awareness owners": field<Map<number, unknown>>(core.yjs, "owners").size,
    "recent refusals + closes": core.counters.recentRefusals.length + core.counters.recentCloses.length,
    "chat buckets (user + address)": core.limits.sizes.chatBuckets,
    "jobs scheduled": field<Map<string, number>>(core.jobs, "due").size,
    "held awareness ids (all sessions)": sessions.reduce((n, s) => n + s.heldAwareness.size, 0),
    "storage keys (off heap)": await storage.size(),
  };
}

function render(results: Result[]): string {
  const m = describeMachine(null, null);
  const sections = results.map((r) => {
    const every = r.heap.filter((h) => h.minute % 5 === 0 || h.minute === WARMUP);
    const sizeRows = Object.keys(r.sizes.end).map((k) => `| ${k} | ${r.sizes.warm[k]} | ${r.sizes.end[k]} |`).join("\n");
    const topRows = r.top.map((t) => `| \`${t.kind}\` | ${t.count >= 0 ? "+" : ""}${t.count} | ${(t.bytes / 1024).toFixed(1)} | ${t.countAfter} | ${(t.bytesAfter / 1024).toFixed(1)} |`).join("\n");
    return `## ${r.variant.label}: ${SESSIONS} sessions${r.variant.churnPerMin ? `, ${r.variant.churnPerMin} leaving and ${r.variant.churnPerMin} joining (new awareness id) a minute` : ", no churn (the soak's traffic)"}

${r.chat} chat messages, ${r.acks} acks, ${r.closes} sessions closed by the room, ${r.storageKeys} storage keys at the end.

- heap used after GC, minute ${WARMUP} → ${MINUTES}: **${r.heap.find((h) => h.minute === WARMUP)!.mib.toFixed(2)} → ${r.heap.at(-1)!.mib.toFixed(2)} MiB**
- slope from minute ${WARMUP}: **${r.slopeKiBPerMin.toFixed(1)} KiB per simulated minute**; second half: ${r.slopeSecondHalfKiBPerMin.toFixed(1)} KiB/min

| minute | ${every.map((h) => h.minute).join(" | ")} |
| --- | ${every.map(() => "---").join(" | ")} |
| heap MiB | ${every.map((h) => h.mib.toFixed(2)).join(" | ")} |

Structures (entries) at minute ${WARMUP} and ${MINUTES}:

| structure | minute ${WARMUP} | minute ${MINUTES} |
| --- | --- | --- |
${sizeRows}

What grew between the two heap snapshots (self size, by constructor; strings, code and numbers in one bucket each):

| kind | count Δ | KiB Δ | count after | KiB after |
| --- | --- | --- | --- | --- |
${topRows}
`;
  });
  return `# What grows in the room core's heap

Generated by \`${command}\` (tests/bench/heap.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
Node ${m.node}, on ${m.cpus} × ${m.cpuModel}.

The room core ran in Node on fake time (${MINUTES} simulated minutes, measured from minute ${WARMUP}): links that count instead
of recording, storage in a worker thread (outside the measured heap, as workerd's storage is outside the isolate's),
the directory reporter attached as the host does, no webhooks. Each session beats a heartbeat with its read count every
10 s, reports reads every ${FLOW.reportEveryBytes / 1024} KiB, sends a chat message of ~200 bytes a minute and changes its status
every 5 minutes.

${sections.join("\n")}`;
}

const variants: Variant[] = [
  { label: "soak", churnPerMin: 0 },
  { label: "churn", churnPerMin: CHURN },
];
const results: Result[] = [];
for (const v of variants) {
  const t0 = performance.now();
  const r = await run(v);
  results.push(r);
  console.log(`${v.label}: heap ${r.heap.find((h) => h.minute === WARMUP)!.mib.toFixed(2)} → ${r.heap.at(-1)!.mib.toFixed(2)} MiB, ${r.slopeKiBPerMin.toFixed(1)} KiB/min (second half ${r.slopeSecondHalfKiBPerMin.toFixed(1)}), ${r.closes} closed, ${Math.round((performance.now() - t0) / 1000)} s`);
}
mkdirSync(dirname(REPORT), { recursive: true });
writeFileSync(REPORT, render(results));
console.log(`wrote ${REPORT}`);
