/**
 * A load worker: one child process of the benchmark, pinned to the load CPU,
 * holding a share of the clients (each process may open 20,000 files). It
 * obeys requests from the orchestrator over IPC (tests/bench/load/protocol.ts)
 * and reports its own CPU and event-loop delay, so a saturated load generator
 * shows up in the results instead of passing for server latency.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ChatPool } from "./load/chat-pool";
import { ghosts, joinLeave } from "./load/presence-ops";
import type { WorkerReply, WorkerRequest, WorkerStatus } from "./load/protocol";
import { StockYjs } from "./load/yjs-stock";

// Every stock y-websocket provider adds a process "exit" listener; a worker holds dozens on purpose.
process.setMaxListeners(0);
const chat = new ChatPool();
const yjs = new StockYjs();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpuMark = { usage: process.cpuUsage(), at: performance.now() };

/** CPU use since the previous status call, in % of one core. */
function status(): WorkerStatus {
  const usage = process.cpuUsage(cpuMark.usage);
  const elapsed = performance.now() - cpuMark.at;
  cpuMark = { usage: process.cpuUsage(), at: performance.now() };
  const p99 = loop.percentile(99) / 1e6;
  loop.reset();
  return {
    open: chat.clients.length + yjs.open,
    pongs: chat.pongs,
    unexpectedCloses: chat.unexpectedCloses,
    closeCodes: chat.closeCodes,
    cpuPct: ((usage.user + usage.system) / 1000 / Math.max(1, elapsed)) * 100,
    eventLoopP99Ms: p99,
    rssMB: process.memoryUsage().rss / 2 ** 20,
  };
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case "open":
      return chat.open(req.specs, req.startAt, req.intervalMs, req.concurrency, req.timeoutMs);
    case "send":
      return chat.send(req.senders);
    case "probeReport":
      return chat.probeReport(req.run);
    case "ackReport":
      return chat.ackReport(req.timeoutMs);
    case "presenceReport":
      return chat.presenceReport();
    case "rtt":
      return chat.rtt(req.clientId, req.count);
    case "joinLeave":
      return joinLeave(req.url, req.prefix, req.startAt, req.count, req.intervalMs, req.holdMs);
    case "ghosts":
      return ghosts(req.url, req.prefix, req.count, req.liveMs, req.heartbeatMs, req.waitMs);
    case "yReceive":
      return yjs.receive(req.specs, req.concurrency, req.timeoutMs);
    case "yWrite":
      return yjs.write(req.spec, req.startAt, req.count, req.intervalMs, req.timeoutMs);
    case "yFanReport":
      return yjs.report(req.sent);
    case "yDigests":
      return yjs.digests();
    case "ySeed":
      return yjs.seed(req.spec, req.edits, req.bytesPerEdit, req.timeoutMs);
    case "yLoad":
      return yjs.load(req.spec, req.expectedLength, req.timeoutMs);
    case "status":
      return status();
    case "closeAll":
      await chat.closeAll();
      yjs.closeAll();
      return null;
  }
}

process.on("message", (msg: { id: number; req: WorkerRequest }) => {
  handle(msg.req).then(
    (result) => process.send!({ id: msg.id, ok: true, result } satisfies WorkerReply),
    (err: Error) => process.send!({ id: msg.id, ok: false, error: String(err?.stack ?? err) } satisfies WorkerReply),
  );
});
// The orchestrator going away ends the worker, whatever state it is in.
process.on("disconnect", () => process.exit(0));
