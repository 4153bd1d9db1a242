/**
 * `npm run bench:sse-open`: a probe, not a benchmark with goals. It opens
 * SSE sessions in one room, 50 at a time, on partyroom pinned to one core as
 * the bench pins it, each heartbeating every 10 s from its open, then holds
 * them for a while. It prints how long the opens took, the slowest answer to
 * a heartbeat in each 5 s, and every failed open or heartbeat by its reason.
 * On a slow machine the server's core saturates while the sessions open and
 * workerd resets connections whose requests it has not read by its idle close
 * (docs/bench/findings.md, failures on the slower machine); this is the command that shows it.
 *
 *   npm run bench:sse-open
 *   npm run bench:sse-open -- --sessions 500 --hold-s 30
 *   npm run bench:sse-open -- --transport poll   (long-polling sessions instead)
 */
import { requestErrorKind } from "../helpers/http-agent";
import { PollClient, SseClient } from "../helpers/http-session";
import { scriptArgs } from "./lib/cli";
import { chooseCpus } from "./lib/machine";
import { pinProcess } from "./lib/proc";
import { startPeer } from "./peers";

const args = scriptArgs("bench:sse-open");
const SESSIONS = args.num("sessions", 1000);
const HOLD_MS = args.num("hold-s", 40) * 1000;
const TRANSPORT = args.str("transport", "sse");
if (TRANSPORT !== "sse" && TRANSPORT !== "poll") throw new Error("--transport is sse or poll");
const BATCH = 50;
const BEAT_MS = 10_000;

const { serverCpu, loadCpu } = chooseCpus();
if (loadCpu !== null) pinProcess(process.pid, loadCpu);
const peer = await startPeer("partyroom", { serverCpu });
const open = (clientId: string) => (TRANSPORT === "sse" ? SseClient.open(peer.http, "sse-open", { clientId }) : PollClient.open(peer.http, "sse-open", { clientId }));
const t0 = performance.now();
const window = (t: number) => Math.floor((t - t0) / 5000) * 5;
const failures: Record<string, number> = {};
const fail = (what: string, err: unknown) => {
  const key = `${window(performance.now())} s: ${what} ${requestErrorKind(err).slice(0, 80)}`;
  failures[key] = (failures[key] ?? 0) + 1;
};
const slowest: Record<number, number> = {};
const sessions: (SseClient | PollClient)[] = [];
const beats: ReturnType<typeof setInterval>[] = [];
try {
  for (let i = 0; i < SESSIONS; i += BATCH) {
    const opened = await Promise.allSettled(Array.from({ length: Math.min(BATCH, SESSIONS - i) }, (_, j) => open(`s${i + j}`)));
    for (const o of opened) {
      if (o.status === "rejected") {
        fail("open", o.reason);
        continue;
      }
      const session = o.value;
      sessions.push(session);
      beats.push(
        setInterval(() => {
          const sent = performance.now();
          session.send({ type: "heartbeat" }).then(
            () => void (slowest[window(sent)] = Math.max(slowest[window(sent)] ?? 0, performance.now() - sent)),
            (err) => fail("heartbeat", err),
          );
        }, BEAT_MS),
      );
    }
  }
  console.log(`${sessions.length} of ${SESSIONS} ${TRANSPORT} sessions opened in ${((performance.now() - t0) / 1000).toFixed(1)} s (server on CPU ${serverCpu ?? "any"})`);
  await new Promise((r) => setTimeout(r, HOLD_MS));
  console.log("slowest heartbeat answer (ms) by when it was sent (s):", JSON.stringify(Object.fromEntries(Object.entries(slowest).map(([k, v]) => [k, Math.round(v)]))));
  console.log("failures:", Object.keys(failures).length ? failures : "none");
} finally {
  for (const b of beats) clearInterval(b);
  await Promise.all(sessions.map((s) => (s instanceof SseClient ? s.close() : s.stop())));
  await peer.stop();
}
