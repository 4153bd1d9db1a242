/**
 * The IPC grammar between the benchmark orchestrator (tests/bench/run.ts) and
 * its load workers (tests/bench/load-worker.ts). Each request carries an id;
 * the worker answers `{ id, ok, result | error }`.
 */

/** A JSON client: `app` speaks partyroom's hello/welcome protocol, `raw` only opens a socket. */
export type ChatSpec = { url: string; kind: "app" | "raw"; room: string; clientId: string; heartbeat: boolean; observe?: boolean };

/** A Yjs client: `yws` is the y-websocket framing (partyroom, @y/websocket-server), `hocus` prefixes the document name. */
export type YjsSpec = { url: string; framing: "yws" | "hocus"; doc: string };

/** One open-loop sender: `count` probes every `intervalMs` from `startAt` (epoch ms). */
export type SenderSpec = { clientId: string; run: string; startAt: number; count: number; intervalMs: number; bytes: number };

export type WorkerRequest =
  | { op: "open"; specs: ChatSpec[]; startAt: number; intervalMs: number; concurrency: number; timeoutMs: number }
  | { op: "send"; senders: SenderSpec[] }
  | { op: "probeReport"; run: string }
  | { op: "presenceReport" }
  | { op: "rtt"; clientId: string; count: number }
  | { op: "joinLeave"; url: string; prefix: string; startAt: number; count: number; intervalMs: number; holdMs: number }
  | { op: "ghosts"; url: string; prefix: string; count: number; liveMs: number; heartbeatMs: number; waitMs: number }
  | { op: "yOpen"; specs: YjsSpec[]; concurrency: number; timeoutMs: number }
  | { op: "yType"; typers: number[]; run: string; startAt: number; count: number; intervalMs: number }
  | { op: "yReport"; run: string }
  | { op: "yDigest" }
  | { op: "yLoad"; spec: YjsSpec; expectedLength: number; timeoutMs: number }
  | { op: "status" }
  | { op: "closeAll" };

export type OpenResult = { opened: number; failed: number; errors: string[]; connectMs: number[] };

/** Probe deliveries seen by one worker for one run. */
export type ProbeReport = {
  deliveries: number;
  duplicates: number;
  reordered: number;
  /** Latency (ms from the scheduled send time) of every delivery. */
  latencies: number[];
  /** `${sender}|${n}` -> the slowest delivery among this worker's clients. */
  slowest: Record<string, number>;
  /** Unique probes received, per room (summed over the room's clients), and the room's client count. */
  perRoom: Record<string, { unique: number; clients: number }>;
};

export type PresenceReport = {
  /** Presence frames received, per client (all clients). */
  frames: number[];
  /** Observers only: first time each clientId was seen joining / leaving. */
  observers: { join: Record<string, number>; leave: Record<string, number> }[];
};

export type JoinLeaveRecord = { clientId: string; scheduledAt: number; helloAt: number; welcomeAt: number; closeAt: number };
export type GhostRecord = { clientId: string; lastFrameAt: number; closedAt: number | null; code: number | null };

export type WorkerStatus = { open: number; unexpectedCloses: number; closeCodes: Record<string, number>; cpuPct: number; eventLoopP99Ms: number; rssMB: number };

export type YReport = { latencies: number[]; slowest: Record<string, number>; received: number };

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
