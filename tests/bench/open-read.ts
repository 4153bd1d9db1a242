/**
 * `npm run bench:open-read`: whether a room can read its document while the
 * first client's open is on its way, under `partykit dev`. A cold load waits
 * for the room's wake, its document read and the client's sync; partyroom
 * reads the document on the client's sync step 1, after the open, where
 * y-partykit reads it before the open. Reading it at the connect, without
 * waiting, would overlap the read with the open's round trip only if the
 * platform answered the open before the read finished (the read's I/O only:
 * applying the document is CPU in the room's isolate, left out here). It times the
 * open of the first socket into an evicted room (tests/bench/parties/open-read.ts)
 * whose onConnect reads a document-sized value or not: `none` does nothing,
 * `started` starts the read and returns, `awaited` waits for it.
 *
 *   npm run bench:open-read
 *   npm run bench:open-read -- --rooms 20 --rounds 2 --bytes 100000 --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import * as Y from "yjs";
import { withTimeout } from "../helpers/wait";
import { scriptArgs } from "./lib/cli";
import { chooseCpus, describeMachine, loadNow } from "./lib/machine";
import { pinProcess } from "./lib/proc";
import { spreadOf } from "./lib/rounds";
import { nowMs, round } from "./lib/stats";
import { startPeer, type Peer } from "./peers";
import { EVICTION_WAIT_MS, loadDocument } from "./scenarios/yjs-load";
import type { Spread } from "./scenarios/types";

const args = scriptArgs("bench:open-read");
const ROOMS = args.num("rooms", 20);
const ROUNDS = args.num("rounds", 2);
/** By default the size of the yjs-load scenario's document as one update. */
const BYTES = args.num("bytes", Y.encodeStateAsUpdate(loadDocument()).byteLength);
const MODES = ["none", "started", "awaited"] as const;
type Mode = (typeof MODES)[number];
const GIVE_UP_MS = ROUNDS * 3 * 60_000;

const cpus = chooseCpus();
if (cpus.loadCpu !== null) pinProcess(process.pid, cpus.loadCpu);
const machine = describeMachine(cpus.serverCpu, cpus.loadCpu);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** POSTs (seeds) or GETs the room; either answers with the serving instance's id. */
async function instanceOf(peer: Peer, room: string, seed: boolean): Promise<string> {
  const url = `${peer.http}/parties/openread/${room}${seed ? `?bytes=${BYTES}` : ""}`;
  const res = await withTimeout(fetch(url, { method: seed ? "POST" : "GET" }), 10_000, `room ${room}`);
  if (!res.ok) throw new Error(`room ${room}: HTTP ${res.status}`);
  return ((await res.json()) as { internals: { instanceId: string } }).internals.instanceId;
}

/** Milliseconds from creating a socket to its open, then closed (and the close awaited). */
async function timeOpen(peer: Peer, room: string, mode: Mode): Promise<number> {
  const start = nowMs();
  const ws = new WebSocket(`${peer.url(room)}?read=${mode}`);
  try {
    await withTimeout(new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject))), 10_000, `the open of ${room}`);
    return nowMs() - start;
  } finally {
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    ws.close();
    await withTimeout(closed, 10_000, `the close of ${room}`).catch(() => ws.terminate());
  }
}

const started = Date.now();
setTimeout(() => {
  console.error(`bench:open-read: no result after ${GIVE_UP_MS / 60_000} min; giving up`);
  process.exit(2);
}, GIVE_UP_MS).unref();
log(`${args.command}: ${ROOMS} evicted rooms per mode and round, ${ROUNDS} rounds, ${BYTES} bytes read; ${machine.pinning}`);
const opens: Record<Mode, number[]> = { none: [], started: [], awaited: [] };
let notEvicted = 0;
const peer = await startPeer("open-read", { serverCpu: cpus.serverCpu });
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const rooms = Array.from({ length: ROOMS }, (_, i) => MODES.map((mode) => ({ mode, name: `or${r}-${i}-${mode}` }))).flat();
    const seededBy = new Map<string, string>();
    for (const room of rooms) seededBy.set(room.name, await instanceOf(peer, room.name, true));
    // Time that must pass: the rooms sit empty past the eviction timeout, as the yjs-load scenario's cold rooms do.
    await new Promise((resolve) => setTimeout(resolve, EVICTION_WAIT_MS));
    // Modes interleaved room by room, so a slow stretch of the machine falls on all three.
    for (const room of rooms) {
      const ms = await timeOpen(peer, room.name, room.mode);
      if ((await instanceOf(peer, room.name, false)) === seededBy.get(room.name)) notEvicted++;
      else opens[room.mode].push(ms);
    }
    log(`round ${r}: ${MODES.map((m) => `${m} ${spreadOf(opens[m]).median} ms`).join(", ")}; ${notEvicted} rooms not evicted so far (left out)`);
  }
} finally {
  await peer.stop();
}
machine.loadavgEnd = loadNow();
if (opens.none.length < ROOMS) throw new Error(`only ${opens.none.length} evicted rooms measured for "none"`);

const spread = (xs: number[]) => {
  const s = spreadOf(xs.map((x) => round(x, 2)));
  return { ...s, n: xs.length };
};
const result = {
  command: args.command,
  machine,
  minutes: round((Date.now() - started) / 60_000, 1),
  params: { rooms: ROOMS, rounds: ROUNDS, bytes: BYTES, evictionWaitMs: EVICTION_WAIT_MS },
  open: { none: spread(opens.none), started: spread(opens.started), awaited: spread(opens.awaited) },
  /** The median open's extra over `none`, for a read started and for one awaited. */
  extra: { started: round(spreadOf(opens.started).median - spreadOf(opens.none).median, 2), awaited: round(spreadOf(opens.awaited).median - spreadOf(opens.none).median, 2) },
  notEvicted,
  opens,
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "open-read.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "open-read.md"), render());
log(`open: none ${result.open.none.median} ms, started ${result.open.started.median}, awaited ${result.open.awaited.median}; wrote ${join(args.out, "open-read.md")}`);
process.exit(0);

function render(): string {
  const m = machine;
  const show = (s: Spread & { n: number }) => `${s.median} (${s.min} to ${s.max}, ${s.n} rooms)`;
  return `# Does a socket's open wait for a read its room started?

Generated by \`${result.command}\` (tests/bench/open-read.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, partykit ${m.partykit}, ${m.pinning}; load average ${m.loadavgStart.join(" ")} at the start, ${m.loadavgEnd!.join(" ")} at the end; ${result.minutes} min.

Each room (tests/bench/parties/open-read.ts, hibernating) is seeded with ${BYTES} bytes over HTTP and left empty
for ${EVICTION_WAIT_MS / 1000} s; then one socket opens it, and the time from creating the socket to its open is taken. Its onConnect
does nothing (\`none\`), starts a \`list\` of the seeded value and returns (\`started\`), or waits for the \`list\`
(\`awaited\`, as y-partykit reads its document before the open). Modes are interleaved room by room. A room still on
the instance that was seeded (its instance id unchanged) was not evicted and is left out: ${result.notEvicted} were.
${ROUNDS} rounds of ${ROOMS} rooms per mode; figures are the median (min to max) over the rooms, in ms.

| onConnect | connect to open (ms) |
| --- | ---: |
| does nothing | ${show(result.open.none)} |
| starts the read, does not wait | ${show(result.open.started)} |
| waits for the read | ${show(result.open.awaited)} |
| median extra over nothing: started, awaited | ${result.extra.started}, ${result.extra.awaited} |
`;
}
