/**
 * Loading a 160 KB document written as 160 edits (issue 12), timed by events:
 * from creating a stock y-websocket provider to its `sync` with the whole
 * text. Warm (the room holds the document: its writer is still connected),
 * partyroom vs @y/websocket-server, interleaved, with y-partykit in memory on
 * the same workerd as the platform's warm floor and partyroom with
 * hibernation off (`awake`: y-partykit does not hibernate); and cold: the first client
 * after the room sat empty long enough to be evicted, for partyroom, for the
 * same room with hibernation off (`awake`), and for y-partykit persisting its
 * document (the platform's cold floor: it drops the document when its last
 * client leaves, so its next load reads storage; it does not hibernate).
 * Goals: warm at most 1.2x @y/websocket-server's warm load; cold at most 2x it.
 */
import * as Y from "yjs";
import { WAKE_STEPS, type WakeStep } from "../../../party/core/wake-timeline";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { ADMIN_HEADERS } from "../../helpers/server";
import { withTimeout } from "../../helpers/wait";
import { interleave, pairedRatio, ratio, roundPlan, showSpread, spreadOf, spreadOfKey, type Trial } from "../lib/rounds";
import { median, nowMs } from "../lib/stats";
import { checkLoad, limitGoal, loadFields, ratioCell, ratioGoal, saturationOf } from "../lib/verdict";
import { Workers } from "../lib/workers";
import type { LoadTime, YDocSpec } from "../load/protocol";
import { filler } from "../load/yjs-stock";
import { startPeer, type Peer, type PeerName } from "../peers";
import type { BenchContext, Cell, GoalCheck, Scenario, ScenarioResult } from "./types";

/** Loaded warm: partyroom, the same room with hibernation off, the platform's floor and the Node server. */
const PEERS = ["partyroom", "awake", "y-partykit", "y-websocket-server"] as const satisfies readonly PeerName[];
/** Loaded cold: partyroom, the same room with hibernation off, and the floor on the same platform. */
const COLD_PEERS = ["partyroom", "awake", "y-partykit-persisted"] as const satisfies readonly PeerName[];
type ColdPeer = (typeof COLD_PEERS)[number];
/** One cold peer's loads, one per room, in room order. */
type ColdLoads = {
  ms: number[];
  /** The part of each load before the socket opened (the upgrade, with the wake). */
  openMs: number[];
  /** Whether the room's instance id changed across the wait (null: no id to compare). */
  evicted: (boolean | null)[];
  /** The room's wake timeline, read after its load (only partyroom's code reports one: its rooms and awake's). */
  wakes: Partial<Record<WakeStep, number>>[];
};
/** A load in two parts, by the client's own events: its socket's open, then the sync with the whole text. */
const LOAD_PARTS = { openMs: "connect to the socket's open", syncMs: "open to synced" } as const;
/**
 * A quiet gap before each load. Every PartyKit peer runs on the one server core, and a load's aftermath (the server
 * closing its socket, telling the room's other peers) would otherwise land on the next load, another peer's.
 * Nothing observable marks its end across peers, so the gap is a fixed time, far longer than that work.
 */
const LOAD_GAP_MS = 100;
export const EDITS = 160;
export const BYTES_PER_EDIT = 1024;
/**
 * `partykit dev` evicts a hibernating room that has been idle for about 10 s
 * (PARTYKIT-NOTES 5). The cold rooms sit empty half as long again, so the
 * eviction is certain; roomInstanceId() then checks that it happened.
 */
export const EVICTION_WAIT_MS = 15_000;

/**
 * HOOK for eviction checks: the id of the room instance serving `room`, read
 * from the room's state (`GET /parties/main/<room>`, field
 * `internals.instanceId`), or null while the room does not report one. A
 * different id after the wait proves the room was evicted and rebuilt; the
 * cold goal is only judged when it does.
 */
export async function roomInstanceId(peer: Peer, room: string): Promise<string | null> {
  return (await roomInternals(peer, room)).instanceId;
}

/** The room's instance id (see roomInstanceId) and its wake timeline: ms from the instance's start to each step. */
async function roomInternals(peer: Peer, room: string): Promise<{ instanceId: string | null; wake: Partial<Record<WakeStep, number>> }> {
  // `internals` are for admins only; every test server runs with TEST_ADMIN_SECRET.
  const res = await withTimeout(fetch(peer.url(room).replace(/^ws/, "http"), { headers: ADMIN_HEADERS }), 10_000, `the state of room ${room}`);
  const internals = ((await res.json()) as { internals?: Record<string, unknown> }).internals ?? {};
  const wake = Object.fromEntries(WAKE_STEPS.flatMap((step) => (typeof internals[`wake.${step}`] === "number" ? [[step, internals[`wake.${step}`] as number]] : [])));
  return { instanceId: typeof internals.instanceId === "string" ? internals.instanceId : null, wake };
}

function params(ctx: BenchContext) {
  return {
    edits: EDITS,
    bytesPerEdit: BYTES_PER_EDIT,
    rounds: roundPlan(ctx, "load.rounds", 7, 3),
    coldRooms: ctx.setting("load.coldRooms", ctx.quick ? 2 : 5),
    evictionWaitMs: EVICTION_WAIT_MS,
  };
}

export const yjsLoad: Scenario = {
  id: "yjs-load",
  title: "Loading a 160 KB document",
  deadlineMs: (ctx) => (ctx.quick ? 3 : 10) * 60_000,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const p = params(ctx);
    const reference = applyUpdateMs();
    const peers = new Map<string, Peer>();
    // Worker 0 holds the seeders (the warm rooms' writers), worker 1 runs each load alone.
    const workers = await Workers.start(2, ctx.loadCpu);
    const seed = (spec: YDocSpec) => workers.call<number>(0, { op: "ySeed", spec, edits: EDITS, bytesPerEdit: BYTES_PER_EDIT, timeoutMs: 30_000 }, 120_000);
    const load = async (spec: YDocSpec, expectedLength: number) => {
      // Time that must pass (see LOAD_GAP_MS).
      await new Promise((res) => setTimeout(res, LOAD_GAP_MS));
      return workers.call<LoadTime>(1, { op: "yLoad", spec, expectedLength, timeoutMs: 30_000 }, 60_000);
    };
    let warm: Record<(typeof PEERS)[number], Trial[]>;
    // Every cold peer's eviction is checked: a load on a live instance would skip the platform's wake.
    const cold = Object.fromEntries(COLD_PEERS.map((name) => [name, { ms: [], openMs: [], evicted: [], wakes: [] }])) as unknown as Record<ColdPeer, ColdLoads>;
    let coldLoad: Trial = {};
    try {
      for (const name of new Set<PeerName>([...PEERS, ...COLD_PEERS])) peers.set(name, await startPeer(name, { serverCpu: ctx.serverCpu }));
      const warmRooms = new Map<string, { spec: YDocSpec; length: number }>();
      for (const name of PEERS) {
        const spec = peers.get(name)!.yws(`load-warm-${Date.now().toString(36)}`);
        warmRooms.set(name, { spec, length: await seed(spec) });
      }
      await workers.status();
      warm = await interleave(PEERS, p.rounds, async (name, r) => {
        const { spec, length } = warmRooms.get(name)!;
        const { ms, openMs } = await load(spec, length);
        ctx.log(`load warm ${name} round ${r}: ${ms.toFixed(1)} ms (open after ${openMs.toFixed(1)} ms)`);
        return { ms, openMs, syncMs: ms - openMs, ...loadFields(checkLoad(await workers.status(), ctx.loadCores, false)) };
      });
      await workers.all(() => ({ op: "closeAll" }), 60_000);

      const rooms: { name: ColdPeer; spec: YDocSpec; length: number; id: string | null }[][] = [];
      for (let i = 0; i < p.coldRooms; i++) {
        const row = [];
        for (const name of COLD_PEERS) {
          const peer = peers.get(name)!;
          const spec = peer.yws(`load-cold-${i}-${Date.now().toString(36)}`);
          const length = await seed(spec);
          row.push({ name, spec, length, id: await roomInstanceId(peer, spec.room) });
        }
        rooms.push(row);
      }
      await workers.all(() => ({ op: "closeAll" }), 60_000);
      ctx.log(`load cold: ${p.coldRooms} rooms seeded and left empty; waiting ${EVICTION_WAIT_MS / 1000} s for eviction`);
      // Time that must pass: the rooms must sit empty past the eviction timeout (see EVICTION_WAIT_MS).
      await new Promise((res) => setTimeout(res, EVICTION_WAIT_MS));
      await workers.status();
      for (const row of rooms) {
        for (const room of row) {
          const loads = cold[room.name];
          const { ms, openMs } = await load(room.spec, room.length);
          loads.ms.push(ms);
          loads.openMs.push(openMs);
          const after = await roomInternals(peers.get(room.name)!, room.spec.room);
          loads.evicted.push(room.id === null || after.instanceId === null ? null : room.id !== after.instanceId);
          loads.wakes.push(after.wake);
        }
      }
      coldLoad = loadFields(checkLoad(await workers.status(), ctx.loadCores, false));
      for (const name of COLD_PEERS) ctx.log(`load cold ${name}: ${cold[name].ms.map((x) => x.toFixed(1)).join(", ")} ms; evicted: ${cold[name].evicted.map((e) => (e === null ? "not verified" : e)).join(", ")}`);
    } finally {
      await workers.stop();
      for (const x of peers.values()) await x.stop();
    }

    const w = { partyroom: spreadOfKey(warm.partyroom, "ms"), awake: spreadOfKey(warm.awake, "ms"), ypk: spreadOfKey(warm["y-partykit"], "ms"), ysw: spreadOfKey(warm["y-websocket-server"], "ms") };
    const c = spreadOf(cold.partyroom.ms);
    const ca = spreadOf(cold.awake.ms);
    const cf = spreadOf(cold["y-partykit-persisted"].ms);
    // The goal is partyroom's: judged when its rooms were evicted (the others' are shown in their row).
    const evicted = cold.partyroom.evicted;
    const invalid = saturationOf([...PEERS.flatMap((name) => warm[name]), coldLoad], "document loads");
    const goals: GoalCheck[] = [
      ratioGoal(
        "warm load <= 1.2x @y/websocket-server's warm load",
        pairedRatio(warm.partyroom, warm["y-websocket-server"], "ms"),
        1.2,
        `${showSpread(w.partyroom, " ms")} vs ${showSpread(w.ysw, " ms")}; the platform floor, y-partykit in memory on the same workerd: ${showSpread(w.ypk, " ms")}; partyroom with hibernation off: ${showSpread(w.awake, " ms")}`,
        invalid,
      ),
    ];
    const coldGoal = "cold load (first client after the room was evicted) <= 2x @y/websocket-server's warm load";
    const coldDetail = `${showSpread(c, " ms")} cold vs ${w.ysw.median.toFixed(1)} ms, ${ratio(c.median, w.ysw.median).toFixed(2)}x; the platform floor, y-partykit loading its persisted document on the same workerd: ${showSpread(cf, " ms")} cold, ${ratio(cf.median, w.ysw.median).toFixed(2)}x; partyroom with hibernation off: ${showSpread(ca, " ms")} cold, ${ratio(ca.median, w.ysw.median).toFixed(2)}x`;
    if (evicted.some((e) => e === null)) goals.push({ goal: coldGoal, measured: `not measurable: eviction not verified, the room reports no instance id (see roomInstanceId in tests/bench/scenarios/yjs-load.ts); measured ${coldDetail}`, pass: null });
    else if (evicted.some((e) => !e)) goals.push({ goal: coldGoal, measured: `not measurable: ${evicted.filter((e) => !e).length} of ${evicted.length} rooms were not evicted after ${EVICTION_WAIT_MS / 1000} s empty (same instance id); measured ${coldDetail}`, pass: null });
    else goals.push(limitGoal(coldGoal, ratio(c.median, w.ysw.median), 2, coldDetail, invalid));
    return {
      id: "yjs-load",
      title: yjsLoad.title,
      status: invalid ? "invalid" : "ok",
      ...(invalid ? { reason: invalid } : {}),
      params: p,
      rows: [
        { metric: "warm load, connect to synced with the whole text (ms)", values: { partyroom: w.partyroom, awake: w.awake, "y-partykit": w.ypk, "y-websocket-server": w.ysw } },
        ...(["openMs", "syncMs"] as const).map((k) => ({ metric: `warm load, ${LOAD_PARTS[k]} (ms)`, values: Object.fromEntries(PEERS.map((name) => [name, spreadOfKey(warm[name], k)])) })),
        { metric: "partyroom / peer, warm", values: { awake: ratioCell(warm.partyroom, warm.awake, "ms", invalid), "y-partykit": ratioCell(warm.partyroom, warm["y-partykit"], "ms", invalid), "y-websocket-server": ratioCell(warm.partyroom, warm["y-websocket-server"], "ms", invalid) } },
        { metric: `cold load after ${EVICTION_WAIT_MS / 1000} s empty (ms), one per room`, values: { partyroom: c, awake: ca, "y-partykit-persisted": cf } },
        ...(["openMs", "syncMs"] as const).map((k) => ({ metric: `cold load, ${LOAD_PARTS[k]} (ms)`, values: Object.fromEntries(COLD_PEERS.map((name) => [name, spreadOf(coldPart(cold[name], k))])) })),
        { metric: "rooms verified evicted (instance id changed)", values: Object.fromEntries(COLD_PEERS.map((name) => [name, evictedCell(cold[name].evicted)])) },
        ...WAKE_STEPS.map((step) => ({ metric: `cold wake, ms from the room's start to: ${step}`, values: { partyroom: stepSpread(cold.partyroom.wakes, step), awake: stepSpread(cold.awake.wakes, step) } })),
      ],
      goals,
      notes: [
        `The document: ${EDITS} appends of ${BYTES_PER_EDIT} characters, each its own update, written by a stock provider that stays connected while the warm loads run; ${reference.bytes} bytes as one Yjs update.`,
        `Client-side floor, not a peer: Y.applyUpdate of the whole document into a fresh Y.Doc in one process, ${reference.ms.toFixed(1)} ms (median of 5).`,
        "@y/websocket-server has no persistence configured, so it drops a document when its last client leaves: only its warm load exists.",
        "Each load in two parts, by the stock provider's own events: from creating it to its socket's open (the upgrade: the server's connect handler, and on a cold load the room's wake), and from the open to its sync with the whole text (its sync step 1, the server's answer with the document, applying it).",
        `Cold wake: the room's own timeline of each cold load (party/core/wake-timeline.ts, read from its internals after the load): ms from the instance's start to each step. workerd's clock moves only across I/O, so these are the waits (storage, the platform), not CPU. Steps: ${WAKE_STEPS.join(" -> ")}; "connected" is when the room answered the first socket's open, "docLoaded" when the document was read and applied (the client's sync follows).`,
        "y-partykit = y-partykit's own server on the same partykit dev and workerd, in memory for the warm loads (tests/bench/parties/y-partykit.ts). y-partykit-persisted persists its document to room storage (tests/bench/parties/y-partykit-persisted.ts); it drops the document when its last client leaves, so every one of its cold loads reads storage into a new document, as partyroom's cold load does: the platform's cold floor. It does not hibernate: its messages reach it on the socket, where a hibernating room's each arrive as an event (awake = partyroom with hibernation off, tests/bench/parties/awake.ts, the same code otherwise).",
      ],
      data: { warm, cold, reference },
    };
  },
};

/** One part of each cold load (see LOAD_PARTS): before the open, or from the open to the sync. */
function coldPart(loads: ColdLoads, part: keyof typeof LOAD_PARTS): number[] {
  return part === "openMs" ? loads.openMs : loads.ms.map((ms, i) => ms - loads.openMs[i]!);
}

/** How many rooms were shown evicted before their cold load. */
function evictedCell(evicted: (boolean | null)[]): string {
  return evicted.includes(null) ? "not verified (no instance id)" : `${evicted.filter(Boolean).length} of ${evicted.length}`;
}

/** One wake step over the cold rooms: median and range, or "–" when no room reported it. */
function stepSpread(wakes: Partial<Record<WakeStep, number>>[], step: WakeStep): Cell {
  const ms = wakes.flatMap((w) => (w[step] === undefined ? [] : [w[step]]));
  return ms.length ? spreadOf(ms) : "–";
}

/** The document this scenario loads, as its writer leaves it: EDITS appends of BYTES_PER_EDIT characters. */
export function loadDocument(): Y.Doc {
  const doc = new Y.Doc();
  const text = doc.getText(DOC_TEXT_NAME);
  for (let i = 0; i < EDITS; i++) text.insert(text.length, filler(i, BYTES_PER_EDIT));
  return doc;
}

/** The client's own share of any load: applying the whole document as one update. */
function applyUpdateMs(): { ms: number; bytes: number } {
  const update = Y.encodeStateAsUpdate(loadDocument());
  const times = Array.from({ length: 5 }, () => {
    const t0 = nowMs();
    Y.applyUpdate(new Y.Doc(), update);
    return nowMs() - t0;
  });
  return { ms: median(times), bytes: update.byteLength };
}
