/**
 * `npm run bench:open-read`: what a socket's open into an evicted room waits
 * for under `partykit dev`, the first part of a cold load. A room that reads
 * its document while connecting (y-partykit does, awaited) or writes anything
 * then (partyroom counted its wake and stored its directory job there) may
 * hold the open. It times the open of the first socket into an evicted room
 * (tests/bench/parties/open-read.ts) whose onConnect does one thing or
 * nothing: a read of a document-sized value, started or awaited (the read's
 * I/O only: applying a document is CPU in the room's isolate, left out here),
 * or one small write: a `put` started and not awaited, with and without
 * `allowUnconfirmed`, or issued from a 0 ms timer after onConnect returned;
 * a `setAlarm`, with and without `allowUnconfirmed`. After each close the
 * room is asked whether a write mode's write landed.
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
/** What each mode's onConnect does, in the table's words. */
const MODE_TEXT = {
  none: "does nothing",
  started: "starts the read, does not wait",
  awaited: "waits for the read",
  write: "starts a write (a `put`), does not wait",
  "write-unconfirmed": "starts a write with `allowUnconfirmed`, does not wait",
  "write-after": "starts a write from a 0 ms timer, after it returns",
  alarm: "starts a `setAlarm`, does not wait",
  "alarm-unconfirmed": "starts a `setAlarm` with `allowUnconfirmed`, does not wait",
} as const;
type Mode = keyof typeof MODE_TEXT;
const MODES = Object.keys(MODE_TEXT) as Mode[];
const GIVE_UP_MS = ROUNDS * 5 * 60_000;

const cpus = chooseCpus();
if (cpus.loadCpu !== null) pinProcess(process.pid, cpus.loadCpu);
const machine = describeMachine(cpus.serverCpu, cpus.loadCpu);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** POSTs (seeds) or GETs the room; either answers with the serving instance's id. */
async function instanceOf(peer: Peer, room: string, seed: boolean): Promise<{ instanceId: string; written: boolean }> {
  const url = `${peer.http}/parties/openread/${room}${seed ? `?bytes=${BYTES}` : ""}`;
  const res = await withTimeout(fetch(url, { method: seed ? "POST" : "GET" }), 10_000, `room ${room}`);
  if (!res.ok) throw new Error(`room ${room}: HTTP ${res.status}`);
  const body = (await res.json()) as { internals: { instanceId: string }; written: boolean };
  return { instanceId: body.internals.instanceId, written: body.written };
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
const opens = Object.fromEntries(MODES.map((m) => [m, [] as number[]])) as Record<Mode, number[]>;
let notEvicted = 0;
/** Write modes whose write was not in storage after the socket closed. */
let writesMissing = 0;
const peer = await startPeer("open-read", { serverCpu: cpus.serverCpu });
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const rooms = Array.from({ length: ROOMS }, (_, i) => MODES.map((mode) => ({ mode, name: `or${r}-${i}-${mode}` }))).flat();
    const seededBy = new Map<string, string>();
    for (const room of rooms) seededBy.set(room.name, (await instanceOf(peer, room.name, true)).instanceId);
    // Time that must pass: the rooms sit empty past the eviction timeout, as the yjs-load scenario's cold rooms do.
    await new Promise((resolve) => setTimeout(resolve, EVICTION_WAIT_MS));
    // Modes interleaved room by room, so a slow stretch of the machine falls on every one.
    for (const room of rooms) {
      const ms = await timeOpen(peer, room.name, room.mode);
      const after = await instanceOf(peer, room.name, false);
      if (room.mode.startsWith("write") && !after.written) writesMissing++;
      if (after.instanceId === seededBy.get(room.name)) notEvicted++;
      else opens[room.mode].push(ms);
    }
    log(`round ${r}: ${MODES.map((m) => `${m} ${spreadOf(opens[m]).median} ms`).join(", ")}; ${notEvicted} rooms not evicted so far (left out), ${writesMissing} writes missing`);
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
  open: Object.fromEntries(MODES.map((m) => [m, spread(opens[m])])) as Record<Mode, Spread & { n: number }>,
  /** Each mode's median open's extra over `none`. */
  extra: Object.fromEntries(MODES.filter((m) => m !== "none").map((m) => [m, round(spreadOf(opens[m]).median - spreadOf(opens.none).median, 2)])),
  notEvicted,
  writesMissing,
  opens,
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "open-read.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "open-read.md"), render());
log(`open: ${MODES.map((m) => `${m} ${result.open[m].median} ms`).join(", ")}; wrote ${join(args.out, "open-read.md")}`);
process.exit(0);

function render(): string {
  const m = machine;
  const show = (s: Spread & { n: number }) => `${s.median} (${s.min} to ${s.max}, ${s.n} rooms)`;
  const rows = MODES.map((mode) => `| ${MODE_TEXT[mode]} (\`${mode}\`) | ${show(result.open[mode])} | ${mode === "none" ? "" : result.extra[mode]} |`);
  return `# Does a socket's open wait for storage its room reads or writes while connecting?

Generated by \`${result.command}\` (tests/bench/open-read.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, partykit ${m.partykit}, ${m.pinning}; load average ${m.loadavgStart.join(" ")} at the start, ${m.loadavgEnd!.join(" ")} at the end; ${result.minutes} min.

Each room (tests/bench/parties/open-read.ts, hibernating) is seeded with ${BYTES} bytes over HTTP and left empty
for ${EVICTION_WAIT_MS / 1000} s; then one socket opens it, and the time from creating the socket to its open is taken. Its onConnect
does one of the things below: nothing, a \`list\` of the seeded value (started and not awaited, or awaited, as
y-partykit reads its document before the open), or one small write (a \`put\` or a \`setAlarm\`, started and not
awaited, with and without \`allowUnconfirmed\`), as partyroom's wake and connect do. Modes are interleaved room by
room. A room still on the instance that was seeded (its instance id unchanged) was not evicted and is left out:
${result.notEvicted} were. After each write mode's close the room is asked whether its write is in storage:
${result.writesMissing} were not. ${ROUNDS} rounds of ${ROOMS} rooms per mode; figures are the median (min to max) over the
rooms, in ms, and each mode's median less the median of \`none\`.

| onConnect | connect to open (ms) | median over \`none\` (ms) |
| --- | ---: | ---: |
${rows.join("\n")}
`;
}
