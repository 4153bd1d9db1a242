/**
 * `npm run bench:send-cost`: the server CPU one frame costs per receiving
 * link, over a WebSocket against over an SSE stream, under `partykit dev` on
 * the real runtime. The room batches presence by what a frame to every link
 * costs, in WebSocket sends (SEND_COST, core/presence-batch.ts); this is where
 * those weights come from. SESSIONS idle sessions of one transport sit in a
 * room, and one driver (a socket) posts RATE chat messages a second, each one
 * frame to every session at once: chat is never batched, so what is measured
 * does not depend on the weights it measures. Server CPU (its whole process
 * group: workerd and the `partykit dev` process beside it) over the driven
 * window, less its CPU over an idle window just before, divided by the frames
 * delivered. Both windows are whole heartbeat intervals: every session beats
 * once an interval, so each window holds the same heartbeats a second and
 * they cancel (see IDLE_SEC). A trial whose server passed 90% of its core is
 * not valid (the CPU it could not get is missing from the figure).
 *
 * With `--floor`, each trial is run again on the null transport room
 * (tests/bench/parties/null-transport.ts: the same routes and clients, the
 * chat log's write, nothing else), in the same rounds: partyroom's cost over
 * its floor's is the room's own share of a send. Such a run goes to its own
 * `--out` (docs/bench/send-cost.json is the room's weights' source).
 *
 *   npm run bench:send-cost
 *   npm run bench:send-cost -- --sessions 200 --poll-sessions 50 --rate 8 --window 20 --rounds 3 --out DIR
 *   npm run bench:send-cost -- --floor --out DIR
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Transport } from "../../party/core/session";
import { HEARTBEAT_INTERVAL_MS } from "../../party/protocol";
import { TestClient } from "../helpers/client";
import { PollClient, SseClient } from "../helpers/http-session";
import type { RoomRef } from "../helpers/room-url";
import { until } from "../helpers/wait";
import { scriptArgs } from "./lib/cli";
import { chooseCpus, describeMachine, loadNow } from "./lib/machine";
import { pinProcess } from "./lib/proc";
import { spreadOf } from "./lib/rounds";
import { round } from "./lib/stats";
import { watch } from "./lib/usage";
import { startPeer } from "./peers";
import type { Spread } from "./scenarios/types";

const args = scriptArgs("bench:send-cost");
const SESSIONS = args.num("sessions", 200);
/** A poll's answer costs the most (a request and a response per frame): fewer, so the server is not saturated. */
const POLL_SESSIONS = args.num("poll-sessions", 50);
/** Chat messages a second, under the room's per-user rate (USER_LIMITS.chatPerSecond). */
const RATE = args.num("rate", 8);
const WINDOW_SEC = args.num("window", 20);
/**
 * The idle window: one heartbeat interval. The crowd opens within a second or two and each session beats every
 * interval from its open, so a window that is not a whole number of intervals catches a varying share of those beats:
 * with a 5 s idle window just after a crowd that opened within 5 s and a 15 s driven one, the idle window holds none
 * and the driven one two per session (by the schedule; not measured before the change), and their cost (an HTTP
 * request and a pong per beat for an HTTP session) counts as the frames'. Each trial records the beats a second in
 * both windows.
 */
const IDLE_SEC = HEARTBEAT_INTERVAL_MS / 1000;
if (!Number.isInteger(WINDOW_SEC / IDLE_SEC) || WINDOW_SEC <= 0) {
  console.error(`bench:send-cost: --window must be a whole number of heartbeat intervals (${IDLE_SEC} s), so that both windows hold the same heartbeats a second`);
  process.exit(2);
}
const ROUNDS = args.num("rounds", 3);
const TRANSPORTS = ["websocket", "sse", "poll"] as const satisfies readonly Transport[];
const WITH_FLOOR = args.has("floor");
if (WITH_FLOOR && !args.has("out")) {
  console.error("bench:send-cost: --floor needs --out DIR (docs/bench/send-cost.json is what the room's SEND_COST follows)");
  process.exit(2);
}
/** The party of each side: partyroom's, and its floor's (tests/bench/partykit.json). */
const PARTIES = { partyroom: "main", floor: "nulltransport" } as const;
type Side = keyof typeof PARTIES;
const SESSIONS_OF: Record<Transport, number> = { websocket: SESSIONS, sse: SESSIONS, poll: POLL_SESSIONS };
/** A server over this share of its core was short of CPU: the trial is not valid. */
const SATURATED_PCT = 90;
/** The whole probe gives up after this long (a run takes about a minute per round). */
const GIVE_UP_MS = ROUNDS * (WITH_FLOOR ? 10 : 5) * 60_000;
/** Opened this many at a time. */
const BATCH = 50;
/** `beatsPerSec`: heartbeats the crowd and the driver sent a second in each window, equal when they cancel. */
type Trial = { idleCpuPct: number; drivenCpuPct: number; frames: number; delivered: number; usPerSend: number; deliveredPct: number; beatsPerSec: { idle: number; driven: number } };

/** A receiving session of any transport: how many chat frames it has had, and how to end it. */
type Receiver = { chats(): number; beat(): Promise<unknown>; close(): void };

const cpus = chooseCpus();
if (cpus.loadCpu !== null) pinProcess(process.pid, cpus.loadCpu);
const machine = describeMachine(cpus.serverCpu, cpus.loadCpu);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function openReceiver(transport: Transport, ws: string, http: string, room: RoomRef, clientId: string): Promise<Receiver> {
  let chats = 0;
  if (transport === "websocket") {
    const { client } = await TestClient.join(ws, room, { clientId });
    client.listeners.add((m) => void (m.type === "chat" && chats++));
    return { chats: () => chats, beat: async () => client.send({ type: "heartbeat" }), close: () => client.ws.terminate() };
  }
  const client = transport === "sse" ? await SseClient.open(http, room, { clientId }) : await PollClient.open(http, room, { clientId });
  client.listeners.add((r) => void (r.message?.type === "chat" && chats++));
  return { chats: () => chats, beat: () => client.send({ type: "heartbeat" }), close: () => void (client instanceof SseClient ? client.close() : client.stop()) };
}

async function trial(transport: Transport, r: number, side: Side = "partyroom"): Promise<Trial> {
  const peer = await startPeer("partyroom", { serverCpu: cpus.serverCpu });
  const sessions = SESSIONS_OF[transport];
  const room = { party: PARTIES[side], room: `send-cost-${r}-${transport}` };
  const ws = peer.http.replace(/^http/, "ws");
  const crowd: Receiver[] = [];
  const beats: ReturnType<typeof setInterval>[] = [];
  let driver: TestClient | null = null;
  let failedBeats = 0;
  let beatsSent = 0;
  const beatEvery = (beat: () => void) => beats.push(setInterval(() => (beatsSent++, beat()), HEARTBEAT_INTERVAL_MS));
  const heard = () => crowd.reduce((n, rec) => n + rec.chats(), 0);
  try {
    // A crowd at once is a burst of presence; the driver is a plain member of the room.
    const d = (driver = (await TestClient.join(ws, room, { clientId: "driver" })).client);
    beatEvery(() => d.send({ type: "heartbeat" }));
    for (let i = 0; i < sessions; i += BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(BATCH, sessions - i) }, (_, j) => openReceiver(transport, ws, peer.http, room, `r${i + j}`)));
      for (const rec of batch) {
        crowd.push(rec);
        beatEvery(() => void rec.beat().catch(() => failedBeats++));
      }
    }
    // Once every session has a message posted after the last join, the crowd's own presence (batched) has gone out.
    let frames = 0;
    const post = () => d.send({ type: "chat", id: `m${frames++}`, text: "send cost ".repeat(4) });
    post();
    await until(() => heard() >= crowd.length, "every session to hear the driver", 30_000);
    const beatsBeforeIdle = beatsSent;
    const idle = await watch(peer.usage, IDLE_SEC * 1000, 500);
    const beatsBeforeDriven = beatsSent;
    const before = heard();
    const sent = frames;
    const driving = setInterval(post, 1000 / RATE);
    const driven = await watch(peer.usage, WINDOW_SEC * 1000, 500).finally(() => clearInterval(driving));
    const beatsDriven = beatsSent - beatsBeforeDriven;
    const posted = frames - sent;
    // The last message's frames are on their way: wait for them (or give up, and the trial shows the shortfall).
    await until(() => heard() >= before + posted * sessions, "the last frames", 5_000).catch(() => undefined);
    const delivered = heard() - before;
    const t: Trial = {
      idleCpuPct: round(idle.cpuPct),
      drivenCpuPct: round(driven.cpuPct),
      frames: posted,
      delivered,
      // % of a core over the window is 10^4 µs of CPU a second, times the window.
      usPerSend: round(((driven.cpuPct - idle.cpuPct) * 1e4 * WINDOW_SEC) / Math.max(delivered, 1), 2),
      deliveredPct: round((delivered / (posted * sessions)) * 100),
      beatsPerSec: { idle: round((beatsBeforeDriven - beatsBeforeIdle) / IDLE_SEC), driven: round(beatsDriven / WINDOW_SEC) },
    };
    log(`${transport}${side === "floor" ? ", floor," : ""} round ${r}: ${t.usPerSend} µs per send (${t.drivenCpuPct}% driven, ${t.idleCpuPct}% idle), ${delivered} of ${posted * sessions} frames delivered, heartbeats ${t.beatsPerSec.idle}/s idle and ${t.beatsPerSec.driven}/s driven${failedBeats ? `, ${failedBeats} heartbeats failed` : ""}`);
    return t;
  } finally {
    for (const b of beats) clearInterval(b);
    for (const rec of crowd) rec.close();
    driver?.ws.terminate();
    await peer.stop();
  }
}

const started = Date.now();
setTimeout(() => {
  console.error(`bench:send-cost: no result after ${GIVE_UP_MS / 60_000} min; giving up`);
  process.exit(2);
}, GIVE_UP_MS).unref();
log(`${args.command}: ${SESSIONS} sessions (${POLL_SESSIONS} polling) in one room, ${RATE} chat messages a second for ${WINDOW_SEC} s, ${ROUNDS} rounds; ${machine.pinning}`);
const trials: Record<Transport, Trial[]> = { websocket: [], sse: [], poll: [] };
const floorTrials: Record<Transport, Trial[]> = { websocket: [], sse: [], poll: [] };
for (let r = 1; r <= ROUNDS; r++) {
  for (const transport of r % 2 ? TRANSPORTS : [...TRANSPORTS].reverse()) {
    const sides: Side[] = !WITH_FLOOR ? ["partyroom"] : r % 2 ? ["partyroom", "floor"] : ["floor", "partyroom"];
    for (const side of sides) (side === "floor" ? floorTrials : trials)[transport].push(await trial(transport, r, side));
  }
}
machine.loadavgEnd = loadNow();

/** Per round, what a send over `t` costs against one over a WebSocket. */
const overWebsocket = (t: Transport) => spreadOf(trials[t].map((x, i) => round(x.usPerSend / trials.websocket[i]!.usPerSend, 2)));
/** Per round, partyroom's cost of a send over `t` against its floor's. */
const overFloor = (t: Transport) => spreadOf(trials[t].map((x, i) => round(x.usPerSend / floorTrials[t][i]!.usPerSend, 2)));
const valid = [...Object.values(trials), ...Object.values(floorTrials)]
  .flat()
  .every((t) => t.deliveredPct >= 99 && t.drivenCpuPct < SATURATED_PCT);
const result = {
  command: args.command,
  machine,
  minutes: round((Date.now() - started) / 60_000, 1),
  params: { sessions: SESSIONS, pollSessions: POLL_SESSIONS, rate: RATE, windowSec: WINDOW_SEC, idleSec: IDLE_SEC, rounds: ROUNDS },
  valid,
  usPerSend: Object.fromEntries(TRANSPORTS.map((t) => [t, spreadOf(trials[t].map((x) => x.usPerSend))])) as Record<Transport, Spread>,
  overWebsocket: Object.fromEntries(TRANSPORTS.map((t) => [t, overWebsocket(t)])) as Record<Transport, Spread>,
  trials,
  ...(WITH_FLOOR
    ? {
        floor: {
          party: PARTIES.floor,
          usPerSend: Object.fromEntries(TRANSPORTS.map((t) => [t, spreadOf(floorTrials[t].map((x) => x.usPerSend))])) as Record<Transport, Spread>,
          partyroomOverFloor: Object.fromEntries(TRANSPORTS.map((t) => [t, overFloor(t)])) as Record<Transport, Spread>,
          trials: floorTrials,
        },
      }
    : {}),
};
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, "send-cost.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(args.out, "send-cost.md"), render());
log(`${TRANSPORTS.map((t) => `${t} ${result.usPerSend[t].median} µs (${result.overWebsocket[t].median}x)`).join(", ")} per send; wrote ${join(args.out, "send-cost.md")}`);

function render(): string {
  const m = machine;
  const show = (s: Spread, unit: string) => `${s.median}${unit} (${s.min}-${s.max})`;
  const f = result.floor;
  const what: Record<Transport, string> = { websocket: "WebSocket (a hibernating socket's `send`)", sse: "SSE (a stream write)", poll: "long polling (a poll's answer)" };
  return `# What one frame costs the server per link, by transport

Generated by \`${result.command}\` (tests/bench/send-cost.ts) at commit \`${m.commit.slice(0, 10)}\`${m.uncommitted.length ? ` with uncommitted changes in ${m.uncommitted.join(", ")}` : ""},
on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, partykit ${m.partykit}, ${m.pinning}; load average ${m.loadavgStart.join(" ")} at the start, ${m.loadavgEnd!.join(" ")} at the end; ${result.minutes} min.
${result.valid ? "" : "\n**Not valid**: in some trial fewer than 99% of the frames reached their sessions, or the server passed ${SATURATED_PCT}% of its core (see the trials).\n"}
${SESSIONS} idle sessions of one transport (${POLL_SESSIONS} for long polling) in one room under \`partykit dev\`, the server pinned to one core; one driver posts
${RATE} chat messages a second for ${WINDOW_SEC} s, each one frame to every session (chat is not batched). Server CPU (its whole process group: workerd and
the \`partykit dev\` process) over that window, less its CPU over ${IDLE_SEC} s idle just before (both windows whole heartbeat intervals, so the crowd's heartbeats cancel), per frame delivered. ${ROUNDS} rounds, the
transports in turn; a figure is the median (min-max). The room's presence batching counts a frame to an HTTP session as
\`SEND_COST\` WebSocket sends (party/core/presence-batch.ts), from the column "against a WebSocket send".

| | µs of server CPU per frame per link | against a WebSocket send, per round |${f ? " floor: µs per frame per link | partyroom / floor, per round |" : ""}
| --- | ---: | ---: |${f ? " ---: | ---: |" : ""}
${TRANSPORTS.map((t) => `| ${what[t]} | ${show(result.usPerSend[t], "")} | ${show(result.overWebsocket[t], "x")} |${f ? ` ${show(f.usPerSend[t], "")} | ${show(f.partyroomOverFloor[t], "x")} |` : ""}`).join("\n")}
${f ? `\nThe floor is the null transport room (\`tests/bench/parties/null-transport.ts\`), run in the same rounds on a server of its own as each partyroom trial is: the same clients and routes, each message written to the chat log, nothing else. What partyroom costs over it is the room's own work per send.\n` : ""}`;
}
