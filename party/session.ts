/**
 * One client's session with the room, whatever carries it: a WebSocket, or an
 * HTTP session (SSE or long polling) whose frames go through an Outbox. The
 * room logic only ever sees a Link, so every transport gets the same protocol.
 */
import type { Grant } from "./auth";
import type { YjsPeer } from "./doc-sync";
import { StrikeWindow, TokenBucket } from "./limits";
import { RATE_LIMIT } from "./protocol";

/** How frames reach a client, and how the room ends the session. */
export interface Link {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

export type Transport = "websocket" | "sse" | "poll";

/**
 * A session's life: `pending` until its first frame; then `app` (said hello:
 * JSON + Yjs) or `yjs` (a stock Yjs provider: binary only, never sent text).
 */
export type Session = {
  readonly id: string;
  /** What the room's session map is keyed by: the socket object, or the HTTP session's outbox. */
  readonly key: object;
  readonly link: Link;
  transport: Transport;
  kind: "pending" | "app" | "yjs";
  readonly connectedAt: number;
  lastSeen: number;
  clientId?: string;
  /** Who the edge says this is and what they may do (the open grant in open rooms). */
  grant: Grant;
  readonly bucket: TokenBucket;
  readonly binaryBucket: TokenBucket;
  readonly strikes: StrikeWindow;
  readonly peer: YjsPeer;
  /** Frames of one session are handled strictly in order (see Room.onMessage). */
  queue: Promise<void>;
};

/** A new pending session; `sendBinary` routes the Yjs peer's frames through the room's send path. */
export function newSession(key: object, link: Link, transport: Transport, grant: Grant, now: number, sendBinary: (s: Session, data: Uint8Array) => void): Session {
  const session: Session = {
    id: crypto.randomUUID(),
    key,
    link,
    transport,
    kind: "pending",
    grant,
    connectedAt: now,
    lastSeen: now,
    bucket: new TokenBucket(RATE_LIMIT.burst, RATE_LIMIT.perSecond, now),
    binaryBucket: new TokenBucket(RATE_LIMIT.binaryBurst, RATE_LIMIT.binaryPerSecond, now),
    strikes: new StrikeWindow(RATE_LIMIT.strikes, RATE_LIMIT.strikeWindowMs),
    peer: { sendBinary: (data) => sendBinary(session, data) },
    queue: Promise.resolve(),
  };
  return session;
}
