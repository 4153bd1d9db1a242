/**
 * The two HTTP transports for when WebSockets are blocked (PROTOCOL.md §9).
 * Both read an HTTP session's Outbox; sends go by POST (http.ts).
 *
 * SSE (`text/event-stream`): every frame is an event with its outbox id, so a
 * reconnecting EventSource resumes with `Last-Event-ID` and misses nothing.
 * Text frames are `event: message` (the JSON as data), Yjs frames are
 * `event: yjs` (base64), a close is `event: close`. Comment lines keep idle
 * proxies from timing the stream out; headers ask proxies not to buffer. Each
 * write is awaited: the runtime takes the next only once the client is
 * reading, so a stream that stops being read leaves its events in the outbox,
 * where the link's budget sees them (core/flow.ts). Written events count as
 * read, and only the newest of them are kept for a resume (SSE_REPLAY_BYTES).
 * A session has one stream at a time: a newer one (or a poll) ends it.
 *
 * Long polling: `?after=<id>&wait=<s>` answers at once when anything newer
 * exists, otherwise holds until something arrives or the wait ends.
 *
 * Base64 comes from the runtime's `node:buffer` (nodejs_compat): lib0's
 * encoder takes its Node path in workerd and finds no usable global Buffer.
 */
import { Buffer } from "node:buffer";
import type { HttpSessionHandle } from "../core/http-sessions";
import type { OutboxEvent } from "../core/outbox";
import { POLL_WAIT_MAX_MS, SseEvent } from "../protocol";

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/**
 * A write still pending this long after the stream's watchdog was armed for it means the client is gone (or hopelessly
 * slow: it will resume). The stream ends 30-60 s after a stuck write began (the watchdog in sseResponse).
 */
export const SSE_WRITE_TIMEOUT_MS = 30_000;

/**
 * An SSE response streaming the outbox from `lastEventId` on, until the
 * session closes, the client goes, or a newer stream takes over. A gone
 * client is noticed at the next write, at the latest the next keep-alive.
 */
export function sseResponse(session: HttpSessionHandle, lastEventId: number, headers: Record<string, string>): Response {
  const { outbox } = session;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const current = session.claim("sse");
  let open = true;
  // A write to a client that has gone rejects (or never drains): that is how the stream learns to stop. One watchdog
  // timer per stream, not one per write: it is armed by a write when none is armed, and when it fires it ends the
  // stream if that same write is still pending (so a stuck write ends it 30-60 s after it began), or arms itself for
  // the write pending now. A stream that keeps up sets one timer per 30 s of writing instead of one per event.
  let writes = 0;
  let pending: number | null = null;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let failStuck!: (err: Error) => void;
  const stuck = new Promise<never>((_, reject) => (failStuck = reject));
  stuck.catch(() => undefined);
  const watch = (write: number) => {
    watchdog = setTimeout(() => {
      watchdog = undefined;
      if (pending === write) failStuck(new Error("write timed out"));
      else if (pending !== null) watch(pending);
    }, SSE_WRITE_TIMEOUT_MS);
  };
  const write = async (text: string) => {
    pending = ++writes;
    if (watchdog === undefined) watch(pending);
    try {
      await Promise.race([writer.write(encoder.encode(text)), stuck]);
    } catch {
      open = false;
      // Not awaited: an abort waits for the write in flight, and a stuck write never finishes (seen in Node's streams).
      void writer.abort().catch(() => undefined);
    } finally {
      pending = null;
    }
  };

  void (async () => {
    let cursor = lastEventId;
    session.acked(lastEventId);
    await write(`retry: 1000\n: partyroom event stream\n\n`);
    while (open && current()) {
      let held = outbox.read(cursor);
      if (held.gap) held = outbox.read((cursor = session.gap()));
      // Everything held goes out as one write: a stream that fell behind (a busy room, a slow client) catches up in
      // one chunk and one timer instead of one per event, which is when the room can least afford the overhead.
      const { events } = held;
      if (events.length > 0 && current()) {
        await write(events.map(sseEvent).join(""));
        if (!open) break;
        cursor = events.at(-1)!.id;
        session.written(cursor);
      }
      if (outbox.closed && outbox.lastId <= cursor) {
        await write(`event: ${SseEvent.close}\ndata: ${JSON.stringify(outbox.closed)}\n\n`);
        break;
      }
      if (!open || !current()) break;
      const arrived = await outbox.waitFor(cursor, session.keepAliveMs);
      if (!arrived && current()) await write(`: keep-alive ${Date.now()}\n\n`);
    }
    clearTimeout(watchdog);
    if (open) await writer.close().catch(() => undefined);
    session.released("sse");
  })();

  return new Response(readable, { headers: { ...SSE_HEADERS, ...headers } });
}

/** One long poll: the events after `after`, waiting up to `waitMs` for the first. */
export async function pollResponse(session: HttpSessionHandle, after: number, waitMs: number, headers: Record<string, string>): Promise<Response> {
  const { outbox } = session;
  const current = session.claim("poll");
  try {
    session.acked(after);
    if (outbox.read(after).gap) after = session.gap();
    let { events } = outbox.read(after);
    if (events.length === 0 && !outbox.closed && waitMs > 0) {
      await outbox.waitFor(after, Math.min(waitMs, POLL_WAIT_MAX_MS));
      // A newer poll took over: this one answers empty, the newer one gets the events.
      ({ events } = current() ? outbox.read(after) : { events: [] });
    }
    const last = events.at(-1)?.id ?? after;
    // Text frames are already JSON: they are spliced in, not parsed and re-serialised.
    const items = events.map((e) => (typeof e.data === "string" ? `{"id":${e.id},"message":${e.data}}` : `{"id":${e.id},"yjs":"${base64(e.data)}"}`));
    const closed = outbox.closed && outbox.lastId <= last ? `,"closed":${JSON.stringify(outbox.closed)}` : "";
    return new Response(`{"events":[${items.join(",")}],"last":${last}${closed}}`, {
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    });
  } finally {
    session.released("poll");
  }
}

function sseEvent(event: OutboxEvent): string {
  if (typeof event.data === "string") return `id: ${event.id}\nevent: ${SseEvent.message}\ndata: ${event.data}\n\n`;
  return `id: ${event.id}\nevent: ${SseEvent.yjs}\ndata: ${base64(event.data)}\n\n`;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
