/**
 * Request bodies, read within a budget. Every answer the rooms and the
 * directory give reads what is left of its request's body first
 * (`discardUnreadBody`, called by their onRequest and by the edge before a
 * refusal, host/edge.ts), so a handler may answer
 * without the body: a 404 for an ended session, a 405, a 429, a 413.
 */
import { httpError } from "./http-response";

/** Bodies up to this size are read to their end (and dropped) before an answer that did not need them; larger ones are left. */
const DRAIN_MAX_BYTES = 1024 * 1024;

/**
 * Reads `body` as it streams, keeping the chunks in `into` when given. False,
 * with the rest left unread, the moment it passes `max`.
 */
async function consume(body: ReadableStream<Uint8Array>, max: number, into?: Uint8Array[]): Promise<boolean> {
  const reader = body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return false;
    }
    into?.push(value);
  }
}

/**
 * Reads a body of at most `max` bytes, or answers 413: a chunked upload of
 * any size never costs more than `max` bytes of memory. A declared length over
 * `max` is refused unread (discardUnreadBody reads a small one before the 413
 * goes out: answered mid-upload, a reverse proxy in front, nginx, sees its
 * upstream close on it and says 502 instead of passing our typed error on).
 */
export async function readBody(req: Request, max: number): Promise<Uint8Array | Response> {
  const tooLarge = () => httpError("too_large", `bodies here are limited to ${max} bytes`);
  if (Number(req.headers.get("content-length") ?? "0") > max) return tooLarge();
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  if (!(await consume(req.body, max, chunks))) return tooLarge();
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/**
 * Reads what is left of a body the answer did not need, up to
 * DRAIN_MAX_BYTES, before the answer goes out. Answered with its body unread,
 * a request leaves workerd's connection mid-read: the runtime logs "Can't
 * read from request stream after response has been sent" and resets the
 * kept-alive connection under it, which fails other requests queued on it
 * (seen as ECONNRESET by clients that did nothing wrong).
 */
export async function discardUnreadBody(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  if (Number(req.headers.get("content-length") ?? "0") > DRAIN_MAX_BYTES) return;
  try {
    await consume(req.body, DRAIN_MAX_BYTES);
  } catch {
    // The client went away: nothing to answer.
  }
}
