/**
 * `npm run bench:profile-cold`: the CPU of a cold document load
 * (docs/bench/findings.md, the cold load). bench:open-read shows the first open does not wait
 * for a storage read under `partykit dev`, so what a cold load waits for
 * beyond the floor (y-partykit loading its persisted document) is work in the
 * room's isolate: its CPU, measured here, and its writes' commits (which
 * bench:open-read also measures). Here both run in Node on memory storage holding
 * the load benchmark's document as one compacted snapshot (160 appends of
 * 1 KiB, in y-partykit's layout, which both read): partyroom's room core from
 * its wake (`RoomCore.open`) through the connect to its answer to a new
 * client's sync step 1, and y-partykit's loader (`getYDoc`, as its
 * persisted server reads the document while connecting) through its answer
 * to the same step 1. Each load has storage of its own, copied beforehand.
 * Time per load (CPU: one thread, memory storage), with partyroom's split by
 * phase, and both profiled by function.
 *
 *   npm run bench:profile-cold
 *   npm run bench:profile-cold -- --loads 100 --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { YPartyKitStorage } from "y-partykit/storage";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { DEFAULT_CONFIG } from "../../party/core/config";
import { DocStore } from "../../party/core/doc-store";
import type { Link } from "../../party/core/ports";
import { RoomCore } from "../../party/core/room";
import { DOC_TEXT_NAME, YjsFrame } from "../../party/protocol";
import { FakeClock, step1Frame } from "../helpers/core";
import { MemoryStorage } from "../helpers/memory-storage";
import { scriptArgs } from "./lib/cli";
import { describeMachine } from "./lib/machine";
import { profileInNode, summarise } from "./lib/profiler";
import { spreadOf } from "./lib/rounds";
import { round } from "./lib/stats";
import { BYTES_PER_EDIT, EDITS, loadDocument } from "./scenarios/yjs-load";

const args = scriptArgs("bench:profile-cold");
const LOADS = args.num("loads", 200);
const ROOM = "cold";

const author = loadDocument();
const seed = new MemoryStorage();
await (await DocStore.open(seed, ROOM)).store(Y.encodeStateAsUpdate(author));
const copy = () => {
  const s = new MemoryStorage();
  for (const [k, v] of seed.data) s.data.set(k, v);
  return s;
};
const expected = author.getText(DOC_TEXT_NAME).toString();
const grant = { role: "edit" as const, userId: "", exp: Number.POSITIVE_INFINITY };
const step1 = step1Frame();

/** The bytes a load sent its client; a step 2 with the whole document must be among them. */
function checkAnswer(frames: Uint8Array[]): void {
  const replica = new Y.Doc();
  for (const f of frames) {
    const d = decoding.createDecoder(f);
    if (decoding.readVarUint(d) === YjsFrame.sync) syncProtocol.readSyncMessage(d, encoding.createEncoder(), replica, "room");
  }
  if (replica.getText(DOC_TEXT_NAME).toString() !== expected) throw new Error("a load's answer did not carry the whole document");
}

/** Each load's milliseconds, by phase: wall time in one thread on memory storage, which is CPU time. */
const phases = { wake: [] as number[], connect: [] as number[], firstFrame: [] as number[], total: [] as number[] };
const yLoads: number[] = [];
const partyroomStorages = Array.from({ length: LOADS }, copy);
const partyroomAnswers: Uint8Array[][] = [];
const partyroom = await profileInNode(async () => {
  for (const storage of partyroomStorages) {
    const t0 = performance.now();
    const core = await RoomCore.open({ roomId: ROOM, storage, clock: new FakeClock(), config: DEFAULT_CONFIG, verifyToken: null, outputGate: true });
    const t1 = performance.now();
    const frames: Uint8Array[] = [];
    const link: Link = { send: (d) => void (typeof d !== "string" && frames.push(d)), close: () => undefined, save: () => undefined };
    core.admit("", "");
    core.connect(link, { transport: "websocket", grant, address: "" });
    const t2 = performance.now();
    await core.frame(link, step1);
    const t3 = performance.now();
    phases.wake.push(t1 - t0);
    phases.connect.push(t2 - t1);
    phases.firstFrame.push(t3 - t2);
    phases.total.push(t3 - t0);
    partyroomAnswers.push(frames);
    core.dispose();
  }
});

const yStorages = Array.from({ length: LOADS }, copy);
const yAnswers: Uint8Array[][] = [];
const ypartykit = await profileInNode(async () => {
  for (const storage of yStorages) {
    const t0 = performance.now();
    const doc = await new YPartyKitStorage(storage as unknown as ConstructorParameters<typeof YPartyKitStorage>[0]).getYDoc(ROOM);
    // Its server's greeting (a sync step 1), then its answer to the client's step 1.
    const greeting = encoding.createEncoder();
    encoding.writeVarUint(greeting, YjsFrame.sync);
    syncProtocol.writeSyncStep1(greeting, doc);
    const answer = encoding.createEncoder();
    encoding.writeVarUint(answer, YjsFrame.sync);
    const d = decoding.createDecoder(step1);
    decoding.readVarUint(d);
    syncProtocol.readSyncMessage(d, answer, doc, null);
    yAnswers.push([encoding.toUint8Array(greeting), encoding.toUint8Array(answer)]);
    yLoads.push(performance.now() - t0);
  }
});
for (const a of [...partyroomAnswers, ...yAnswers]) checkAnswer(a);

/** Microseconds per load: median (min to max) over the loads. */
const us = (ms: number[]) => {
  const s = spreadOf(ms.map((x) => round(x * 1000, 1)));
  return { median: s.median, min: s.min, max: s.max };
};
const result = {
  command: args.command,
  machine: describeMachine(null, null),
  loads: LOADS,
  documentBytes: Y.encodeStateAsUpdate(author).byteLength,
  usPerLoad: { partyroom: us(phases.total), ypartykit: us(yLoads) },
  partyroomPhasesUs: { wake: us(phases.wake), connect: us(phases.connect), firstFrame: us(phases.firstFrame) },
  /** The process's CPU over all loads (every thread: the JIT and GC too), per load. */
  processCpuUsPerLoad: { partyroom: round((partyroom.cpuMs * 1000) / LOADS, 1), ypartykit: round((ypartykit.cpuMs * 1000) / LOADS, 1) },
  partyroomProfile: summarise([partyroom.profile], 15),
  ypartykitProfile: summarise([ypartykit.profile], 10),
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "profile-cold.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "profile-cold.md"), render());
console.log(`cold load CPU: partyroom ${result.usPerLoad.partyroom.median} µs, y-partykit ${result.usPerLoad.ypartykit.median} µs; wrote ${join(args.out, "profile-cold.md")}`);

function render(): string {
  const m = result.machine;
  const show = (s: { median: number; min: number; max: number }) => `${s.median} (${s.min} to ${s.max})`;
  const table = (lines: { fn: string; where: string; selfPct: number; selfMs: number }[]) =>
    ["| function | where | self % | self ms |", "| --- | --- | ---: | ---: |", ...lines.map((l) => `| ${l.fn || "(anonymous)"} | ${l.where} | ${l.selfPct} | ${l.selfMs} |`)].join("\n");
  return `# CPU of a cold document load, partyroom's room core against y-partykit's loader

Generated by \`${result.command}\` (tests/bench/profile-cold.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}; load average ${m.loadavgStart.join(" ")} at the start.

${LOADS} cold loads each, in Node on memory storage holding a ${result.documentBytes}-byte document (${EDITS} appends of
${BYTES_PER_EDIT} characters) as one compacted snapshot in y-partykit's layout. partyroom: the room core's wake
(\`RoomCore.open\`), a connect, and its first frame, a new client's sync step 1, through its answer (the room reads and
applies the document then). y-partykit: its loader (\`getYDoc\`), its greeting and its answer to the same step 1. Every
answer is checked to carry the whole document. Workerd's own costs (the isolate, the socket, storage) are not in these
figures: the load scenario measures them, with y-partykit persisting its document as the floor.

Each figure is the median (min to max) over the loads of the time one load took in this single thread, which on
memory storage is CPU time; memory storage copies every value it returns (\`structuredClone\`), for both alike.

| | µs per cold load |
| --- | ---: |
| partyroom (room core) | ${show(result.usPerLoad.partyroom)} |
| y-partykit (loader and answer) | ${show(result.usPerLoad.ypartykit)} |
| partyroom: wake | ${show(result.partyroomPhasesUs.wake)} |
| partyroom: connect | ${show(result.partyroomPhasesUs.connect)} |
| partyroom: first frame (read, apply, answer) | ${show(result.partyroomPhasesUs.firstFrame)} |
| the process's CPU over all loads, per load (every thread: JIT and GC too): partyroom, y-partykit | ${result.processCpuUsPerLoad.partyroom}, ${result.processCpuUsPerLoad.ypartykit} |

partyroom, self time by function (top 15):

${table(result.partyroomProfile.lines)}

y-partykit, self time by function (top 10):

${table(result.ypartykitProfile.lines)}
`;
}
