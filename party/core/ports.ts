/**
 * What the room core needs from whoever hosts it, and nothing more: links to
 * send to, a clock, and storage. The PartyKit host (party/server.ts) adapts
 * its hooks to these; unit tests pass a fake clock, recording links and
 * in-memory storage (tests/helpers/core.ts).
 */
import type { Role } from "../protocol";

/**
 * One connection as the core sees it: a socket, or an HTTP session's outbox.
 * Three members, like tldraw's sync-core socket.
 */
export interface Link {
  /**
   * Sends one frame; throws if the connection is broken. `bytes`: its size, when the
   * caller has counted it already (a fan-out counts once for every link it sends to).
   */
  send(data: string | Uint8Array, bytes?: number): void;
  close(code: number, reason: string): void;
  /** Keeps the connection's record where a woken room finds it again (conn.setState; storage for HTTP sessions). */
  save(record: unknown): void;
}

/** Time and timers; tests drive them by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** Options for `list`, as Durable Object storage takes them. */
export type ListOptions = { start?: string; end?: string; prefix?: string; limit?: number; reverse?: boolean };

/** The slice of Durable Object storage the core uses (PartyKit's Party.Storage fits). */
export interface RoomStorage {
  get<T>(key: string): Promise<T | undefined>;
  put(entries: Record<string, unknown>): Promise<void>;
  put<T>(key: string, value: T): Promise<void>;
  delete(keys: string | string[]): Promise<boolean | number>;
  list<T>(options?: ListOptions): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
  /** y-partykit's storage layer deletes old update keys in a transaction. */
  transaction<T>(fn: (txn: RoomStorage) => Promise<T>): Promise<T>;
}

/** Who the edge says a connection is, and what it may do (the open grant in open rooms). */
export type Grant = {
  role: Role;
  /** The token's `sub`; "" in open rooms. */
  userId: string;
  name?: string;
  /** When the token expires (ms since epoch); Infinity in open rooms. */
  exp: number;
};

/** A refused token: 401 for a bad one, 403 for the wrong room or user. */
export type Refusal = { status: 401 | 403; reason: string };

/** What the host knows about a new connection. */
export type ConnectInfo = {
  transport: "websocket" | "sse" | "poll";
  grant: Grant;
  /** The client's address as the edge reports it, or "" when unknown. */
  address: string;
};
