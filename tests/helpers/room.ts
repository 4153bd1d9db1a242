/**
 * The room client (app/src/room) as fault tests drive it in Node: `ws`
 * sockets, in-memory storage, fast backoff; plus the checks every fault test
 * makes: the chat log has each seq once and contiguous, each message id once,
 * and the document text matches the server's exactly.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { type ChatMessage, clientIdFromKey, DOC_TEXT_NAME } from "../../party/protocol";
import { createRoomClient, type RoomClientOptions } from "../../app/src/room/client";
import type { KeyValueStore } from "../../app/src/room/pending";
import type { ConnectionState, Identity, RoomClient } from "../../app/src/room/types";
import { getJson } from "./client";
import { until, withTimeout } from "./wait";

/** Backoff for tests: first retry within 100 ms, never more than 1 s apart. */
export const FAST_BACKOFF = { baseMs: 100, capMs: 1_000, floorMs: 20 };

/** A Map-backed KeyValueStore: "localStorage" that survives a simulated reload. */
export function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** A fresh identity for a test person: a random key and the clientId derived from it. */
export function testIdentity(name: string, color = "#3366ff"): Identity {
  const key = `${name.toLowerCase().replace(/[^a-z0-9]/g, "")}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`.padEnd(22, "0").slice(0, 64);
  return { key, clientId: clientIdFromKey(key), name, color };
}

/** Creates RoomClients and destroys every one still alive in `destroyAll()`. */
export class Clients {
  private readonly live = new Set<RoomClient>();

  /** Joins `room` at `host` as `name` (fresh clientId unless `extra.identity`). */
  join(host: string, room: string, name: string, extra: Partial<RoomClientOptions> = {}): RoomClient {
    const client = createRoomClient({
      host,
      room,
      identity: testIdentity(name),
      WebSocket,
      storage: null,
      backoff: FAST_BACKOFF,
      ...extra,
    });
    this.live.add(client);
    return client;
  }

  /** Destroys `cs` (a page closing). */
  leave(...cs: RoomClient[]): void {
    for (const c of cs) {
      c.destroy();
      this.live.delete(c);
    }
  }

  destroyAll(): void {
    this.leave(...this.live);
  }
}

/** Chat messages a client holds, in order. */
export const messagesOf = (c: RoomClient): ChatMessage[] => c.getSnapshot().chat.flatMap((l) => (l.kind === "message" ? [l.message] : []));
/** Unacked own messages. */
export const pendingOf = (c: RoomClient): number => c.getSnapshot().chat.filter((l) => l.kind === "pending").length;
/** The shared document's text. */
export const docText = (c: RoomClient): string => c.doc.getText(DOC_TEXT_NAME).toString();

/** Waits until `c` has a welcomed socket. */
export function connected(c: RoomClient, what: string, ms = 15_000): Promise<boolean> {
  return until(() => c.getSnapshot().connection.state === "connected", `${what} to be connected`, ms);
}

/** Every seq once, ascending and contiguous from `first`; every (clientId, id) once. */
export function assertCleanLog(list: readonly { seq: number; id: string; clientId: string }[], label: string, first = list[0]?.seq ?? 1): void {
  const seqs = list.map((m) => m.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => first + i), `${label}: seqs ${seqs.join(",")} are not contiguous from ${first}`);
  assert.equal(new Set(list.map((m) => `${m.clientId}/${m.id}`)).size, list.length, `${label}: a message id shows twice`);
}

/** Every message the server stores for `room`, paged over HTTP, oldest first. */
export async function serverMessages(http: string, room: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (;;) {
    const page = await getJson<{ messages: ChatMessage[]; hasMore: boolean }>(http, `/parties/main/${room}/messages?after=${all.at(-1)?.seq ?? 0}&limit=200`);
    assert.equal(page.status, 200, "GET messages");
    all.push(...page.body.messages);
    if (!page.body.hasMore) return all;
  }
}

/** The server's document text. */
export async function serverDoc(http: string, room: string): Promise<string> {
  return withTimeout(fetch(`${http}/parties/main/${room}/doc`).then((r) => r.text()), 10_000, "GET doc");
}

/** The room's diagnostic counters (PROTOCOL.md §7 `internals`). */
export async function internals(http: string, room: string): Promise<Record<string, number | string>> {
  const res = await getJson<{ internals: Record<string, number | string> }>(http, `/parties/main/${room}`);
  return res.body.internals;
}

/** Every distinct ConnectionState a client goes through, with the time it was seen. */
export function recordStates(c: RoomClient): Array<ConnectionState & { at: number }> {
  const seen: Array<ConnectionState & { at: number }> = [];
  let last = "";
  c.subscribe(() => {
    const s = c.getSnapshot().connection;
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    seen.push({ ...s, at: Date.now() });
  });
  return seen;
}

/** Percentile `p` (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
