/**
 * The HTTP client of the test and bench transports (SSE, long polling, their sends).
 *
 * workerd (`partykit dev`) closes a keep-alive connection 5 s after its last response and does not announce it (no
 * `Keep-Alive: timeout` header). Node's fetch (undici) keeps an idle connection for 4 s. A client whose event loop
 * runs a second late, as a bench process holding a thousand sessions does on a slow machine, sends its request on a
 * connection the server has just closed, and the request fails with ECONNRESET or UND_ERR_SOCKET before reaching the
 * room. Browsers resend such a request on a new connection; undici's fetch does not. Dropping idle connections after
 * 1 s leaves 4 s of lag before that race, so a failed request here is the server's, not the client's pool.
 * `tests/integration/http-keepalive.test.ts` checks both sides of this.
 */
import { Agent } from "undici";

/** How long the client keeps an idle connection; the server's is `SERVER_IDLE_CLOSE_MS`. */
export const CLIENT_KEEPALIVE_MS = 1_000;
/** When workerd closes an idle keep-alive connection, measured under partykit 0.0.115. */
export const SERVER_IDLE_CLOSE_MS = 5_000;

const agent = new Agent({ keepAliveTimeout: CLIENT_KEEPALIVE_MS, keepAliveMaxTimeout: CLIENT_KEEPALIVE_MS });

/** `fetch` through the agent above. */
export const clientFetch: typeof fetch = (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit);

/** Why a request failed, in a word: the socket error under undici's "fetch failed", or the message. */
export function requestErrorKind(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
