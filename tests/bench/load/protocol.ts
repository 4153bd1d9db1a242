/**
 * The IPC grammar between the benchmark orchestrator (tests/bench/run.ts) and
 * its load workers (tests/bench/load-worker.ts). Each request carries an id;
 * the worker answers `{ id, ok, result | error }`.
 */

/**
 * A JSON client: `app` speaks partyroom's hello/welcome protocol, `raw` only
 * opens a socket. `stall`: a stalled reader (pauses its TCP socket after the
 * welcome, keeps beating).
 */
/** `heartbeatMs`: how often a raw socket beats (an app client beats at its welcome's interval); the room default if absent. */
export type ChatSpec = { url: string; kind: "app" | "raw"; room: string; clientId: string; heartbeat: boolean; heartbeatMs?: number; observe?: boolean; stall?: boolean };

/** A stock y-websocket provider: it connects to `${serverUrl}/${room}`. */
export type YDocSpec = { serverUrl: string; room: string };

/** One open-loop sender: `count` probes every `intervalMs` from `startAt` (epoch ms). */
export type SenderSpec = { clientId: string; run: string; startAt: number; count: number; intervalMs: number; bytes: number };

export type WorkerRequest =
  | { op: "open"; specs: ChatSpec[]; startAt: number; intervalMs: number; concurrency: number; timeoutMs: number }
  | { op: "send"; senders: SenderSpec[] }
  | { op: "probeReport"; run: string }
  | { op: "ackReport"; timeoutMs: number }
  | { op: "presenceReport" }
  | { op: "rtt"; clientId: string; count: number }
  | { op: "joinLeave"; url: string; prefix: string; startAt: number; count: number; intervalMs: number; holdMs: number }
  | { op: "ghosts"; url: string; prefix: string; count: number; liveMs: number; heartbeatMs: number; waitMs: number }
  | { op: "yReceive"; specs: YDocSpec[]; concurrency: number; timeoutMs: number }
  | { op: "yWrite"; spec: YDocSpec; startAt: number; count: number; intervalMs: number; timeoutMs: number }
  | { op: "yFanReport"; sent: number }
  | { op: "yDigests" }
  | { op: "ySeed"; spec: YDocSpec; edits: number; bytesPerEdit: number; timeoutMs: number }
  | { op: "yLoad"; spec: YDocSpec; expectedLength: number; timeoutMs: number }
  | { op: "status" }
  | { op: "closeAll" };

/** One document load: connect to synced with the whole text, and connect to the socket's open, in ms. */
export type LoadTime = { ms: number; openMs: number };

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
  /** Unique probes received, per room (summed over the room's reading clients), and the room's reading clients. */
  perRoom: Record<string, { unique: number; clients: number }>;
};

/** Acks of the chat messages one worker sent. */
export type AckReport = { acked: number; ackMs: number[]; timeouts: number; pending: number; errors: number; stalledCloses: number };

export type PresenceReport = {
  /** Observers only: their room, presence frames received, and the first time each clientId was seen joining / leaving. */
  observers: { room: string; frames: number; join: Record<string, number>; leave: Record<string, number> }[];
};

/** A join-then-leave client; `failed` when it never got its welcome. */
export type JoinLeaveRecord = { clientId: string; scheduledAt: number; helloAt: number; welcomeAt: number; closeAt: number; failed?: string };
/** A ghost; `failed` when it never got its welcome. */
export type GhostRecord = { clientId: string; lastFrameAt: number; closedAt: number | null; code: number | null; failed?: string };

/** `pongs`: heartbeat answers received since the pool was last emptied. */
export type WorkerStatus = { open: number; pongs: number; unexpectedCloses: number; closeCodes: Record<string, number>; cpuPct: number; eventLoopP99Ms: number; rssMB: number };

/** What one worker's Yjs receivers got of `sent` marks. */
export type YFanReport = {
  latencies: number[];
  /** Per mark n: the slowest of this worker's receivers (-Infinity if none got it). */
  slowest: number[];
  /** Marks missing, summed over receivers. */
  lost: number;
  /** Marks seen that were never written: a broken check, must be 0. */
  unexpected: number;
  receiverCount: number;
  /** Digests (text and state vector) of the writer (null unless this worker holds it) and of each receiver. */
  writer: string | null;
  receivers: string[];
};

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
