/**
 * The two HTTP transports for when WebSockets are blocked. Both read an
 * HTTP session's Outbox; sends go by POST (see http.ts).
 *
 * SSE (`text/event-stream`): every frame is an event with its outbox id, so a
 * reconnecting EventSource resumes with `Last-Event-ID` and misses nothing.
 * Text frames are `event: message` (the JSON as data), Yjs frames are
 * `event: yjs` (base64), a close is `event: close`. Comment lines keep idle
 * proxies from timing the stream out; headers ask proxies not to buffer.
 *
 * Long polling: `?after=<id>&wait=<s>` answers at once when anything newer
 * exists, otherwise holds until something arrives or the wait ends.
 */
import type { Outbox, OutboxEvent } from "./outbox";

/** A comment line this often keeps proxies (and our own dead-client detection) busy. */
export const SSE_KEEPALIVE_MS = 15_000;
/** Longest a poll may be held; clients ask for less. */
export const POLL_WAIT_MAX_MS = 25_000;

/** What the transports need from the room around an outbox. */
export type StreamHooks = {
  /**
   * Called when a client resumes from before what the outbox still holds.
   * The room drops the outbox and queues a fresh snapshot; the reader goes on
   * from the returned id, where that snapshot starts.
   */
  onGap(): number;
  /** Called once when a stream or poll ends, for the room's counters. */
  onEnd(): void;
};

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/** A write that has not drained after this long means the client is gone (or hopelessly slow: it will resume). */
const SSE_WRITE_TIMEOUT_MS = 30_000;

/**
 * An SSE response streaming the outbox from `lastEventId` on, until the
 * session closes or the client goes. A gone client is noticed at the next
 * write, at the latest the next keep-alive (`keepAliveMs`).
 */
export function sseResponse(outbox: Outbox, lastEventId: number, hooks: StreamHooks, headers: Record<string, string>, keepAliveMs = SSE_KEEPALIVE_MS): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let open = true;
  // A write to a client that has gone rejects (or never drains): that is how the stream learns to stop.
  const write = async (text: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("write timed out")), SSE_WRITE_TIMEOUT_MS);
    });
    try {
      await Promise.race([writer.write(encoder.encode(text)), stuck]);
    } catch {
      open = false;
      await writer.abort().catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  };

  void (async () => {
    let cursor = lastEventId;
    outbox.ack(lastEventId);
    await write(`retry: 1000\n: partyroom event stream\n\n`);
    while (open) {
      if (outbox.read(cursor).gap) cursor = hooks.onGap();
      const { events } = outbox.read(cursor);
      for (const event of events) {
        if (!open) break;
        await write(sseEvent(event));
        cursor = event.id;
      }
      if (outbox.closed && outbox.lastId <= cursor) {
        await write(`event: close\ndata: ${JSON.stringify(outbox.closed)}\n\n`);
        break;
      }
      if (!open) break;
      const arrived = await outbox.waitFor(cursor, keepAliveMs);
      if (!arrived) await write(`: keep-alive ${Date.now()}\n\n`);
    }
    if (open) await writer.close().catch(() => undefined);
    hooks.onEnd();
  })();

  return new Response(readable, { headers: { ...SSE_HEADERS, ...headers } });
}

/** One long poll: the events after `after`, waiting up to `waitMs` for the first. */
export async function pollResponse(outbox: Outbox, after: number, waitMs: number, hooks: StreamHooks, headers: Record<string, string>): Promise<Response> {
  try {
    outbox.ack(after);
    if (outbox.read(after).gap) after = hooks.onGap();
    let { events } = outbox.read(after);
    if (events.length === 0 && !outbox.closed && waitMs > 0) {
      await outbox.waitFor(after, Math.min(waitMs, POLL_WAIT_MAX_MS));
      ({ events } = outbox.read(after));
    }
    const last = events.at(-1)?.id ?? after;
    // Text frames are already JSON: they are spliced in, not parsed and re-serialised.
    const items = events.map((e) => (typeof e.data === "string" ? `{"id":${e.id},"message":${e.data}}` : `{"id":${e.id},"yjs":"${toBase64(e.data)}"}`));
    const closed = outbox.closed && outbox.lastId <= last ? `,"closed":${JSON.stringify(outbox.closed)}` : "";
    return new Response(`{"events":[${items.join(",")}],"last":${last}${closed}}`, {
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    });
  } finally {
    hooks.onEnd();
  }
}

function sseEvent(event: OutboxEvent): string {
  if (typeof event.data === "string") return `id: ${event.id}\nevent: message\ndata: ${event.data}\n\n`;
  return `id: ${event.id}\nevent: yjs\ndata: ${toBase64(event.data)}\n\n`;
}

/** Base64 of bytes, in chunks so large Yjs frames don't overflow the argument list. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
