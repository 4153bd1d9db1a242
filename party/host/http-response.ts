/**
 * How the room answers HTTP: JSON with CORS headers, and typed errors
 * `{ error: { code, message } }` with the status the protocol gives each code.
 */
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS, ERROR_STATUS, type ErrorCode, type HttpError } from "../protocol";

/** CORS headers every room response carries (the origin is narrowed when an allow-list is set: server.ts). */
export const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": CORS_ALLOWED_METHODS,
  "access-control-allow-headers": CORS_ALLOWED_HEADERS,
  "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
};

/** A JSON response with CORS headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...CORS, ...headers },
  });
}

/** A typed error response; 429 and 503 say when to come back. */
export function httpError(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const retry: Record<string, string> = code === "rate_limited" ? { "retry-after": "1" } : code === "room_full" || code === "too_many_connections" ? { "retry-after": "5" } : {};
  return json({ error: { code, message } } satisfies HttpError, ERROR_STATUS[code], { ...retry, ...headers });
}
