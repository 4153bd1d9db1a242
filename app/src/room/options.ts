/** Options for createRoomClient (client.ts). */
import type * as Y from "yjs";
import type { Status } from "../../../party/protocol";
import type { BackoffOptions, Random } from "./backoff";
import type { KeyValueStore } from "./pending";
import type { TransportName } from "./transport";
import type { Identity } from "./types";

/** Options for createRoomClient. Only host and room are required. */
export type RoomClientOptions = {
  /** Server host with port, without scheme: `location.host`, "127.0.0.1:1999". */
  host: string;
  room: string;
  /** Default: loadIdentity(storage), which also saves later name/colour changes. */
  identity?: Identity;
  /** Default: "ws" for localhost/private addresses, "wss" otherwise (partysocket's rule). */
  protocol?: "ws" | "wss";
  /** A WebSocket class; in Node pass the `ws` package's. */
  WebSocket?: unknown;
  /** Where the pending chat queue (and a loaded identity) live; default localStorage, null for none. */
  storage?: KeyValueStore | null;
  /** The document to sync; default a new Y.Doc. */
  doc?: Y.Doc;
  status?: Status;
  /** Reconnect schedule; default DEFAULT_BACKOFF (0.5 s doubling to 15 s, full jitter). */
  backoff?: Partial<BackoffOptions>;
  /** Random source for jitter (tests may seed it). */
  random?: Random;
  /** Keep an offline copy of the document in IndexedDB where it exists (default true). */
  offlineCache?: boolean;
  /** A connection open this long counts as stable: the next outage starts the backoff over (default 5 s). */
  stableAfterMs?: number;
  /** Force one transport (no fallback, no probing); default: WebSocket, falling back to SSE, then long polling. */
  transport?: TransportName;
  /** A room token (rooms with access control), or a function asked again on every reconnect. */
  token?: string | (() => string | Promise<string>);
  /** EventSource and fetch for the HTTP transports (Node has no EventSource of its own). */
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
  /** How often to try WebSocket again while on SSE or polling (default 15 s). */
  probeEveryMs?: number;
};
