/**
 * The room client's connection, put together from its options: the
 * transport selector (WebSocket, SSE, long polling) and the room socket over
 * it with the jittered backoff. A transport change restarts the socket on
 * the new transport at once.
 */
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff";
import type { RoomClientOptions } from "./options";
import { RoomSocket, type SocketHooks } from "./socket";
import { TransportSelector } from "./transport";

/** The selector and the socket, wired together; the socket is not started yet. */
export function openRoomSocket(options: RoomClientOptions, hooks: Omit<SocketHooks, "delayFor">, token: () => Promise<string>): { socket: RoomSocket; selector: TransportSelector } {
  const random = options.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  let socket: RoomSocket | null = null;
  const selector = new TransportSelector({
    WebSocket: options.WebSocket,
    ...(options.transport ? { forced: options.transport } : {}),
    ...(options.EventSource ? { EventSource: options.EventSource } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.probeEveryMs ? { probeEveryMs: options.probeEveryMs } : {}),
    // A new transport takes over at once: the current attempt is abandoned, the next uses it.
    onChange: () => socket?.restart(),
  });
  socket = new RoomSocket(
    {
      host: options.host,
      room: options.room,
      ...(options.protocol ? { protocol: options.protocol } : {}),
      WebSocket: selector.socketClass,
      ...(options.token !== undefined ? { query: async () => ({ token: await token() }) } : {}),
      maxEnqueuedMessages: 0,
      connectionTimeout: 5_000,
      stableAfterMs: options.stableAfterMs ?? 5_000,
    },
    { delayFor: (attempt) => backoffDelay(attempt, random, backoff), ...hooks },
  );
  return { socket, selector };
}
