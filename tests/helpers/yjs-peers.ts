/**
 * Stock Yjs providers (y-websocket, and PartyKit's own y-partykit provider)
 * on the room URL, for tests that treat them as the room's third-party peers:
 * open, wait for a sync, look at their socket, and dispose of them.
 */
import type { Socket } from "node:net";
import WebSocket from "ws";
import YPartyKitProvider from "y-partykit/provider";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { withTimeout } from "./wait";

/** What the tests use of either provider. */
export type StockProvider = {
  readonly kind: "y-websocket" | "y-partykit";
  synced: boolean;
  ws: WebSocket | null;
  doc: Y.Doc;
  on(e: "sync", f: (s: boolean) => void): void;
  off(e: "sync", f: (s: boolean) => void): void;
  destroy(): void;
};

/** Opens a stock provider of `kind` on `room` (`http` is the server's http://host:port). */
export function stockProvider(kind: StockProvider["kind"], http: string, room: string): StockProvider {
  const doc = new Y.Doc();
  const p =
    kind === "y-websocket"
      ? new WebsocketProvider(`${http.replace(/^http/, "ws")}/parties/main`, room, doc, { WebSocketPolyfill: WebSocket as never })
      : new YPartyKitProvider(http.replace(/^http:\/\//, ""), room, doc, { party: "main", WebSocketPolyfill: WebSocket as never });
  return Object.assign(p as unknown as StockProvider, { kind });
}

/** Resolves on the provider's next completed sync (at once if it is synced). */
export function synced(provider: Pick<StockProvider, "synced" | "on" | "off">, what: string, timeoutMs = 10_000): Promise<void> {
  const p = provider as Pick<StockProvider, "synced" | "on" | "off">;
  return withTimeout(
    new Promise<void>((resolve) => {
      if (p.synced) return resolve();
      const onSync = (s: boolean) => {
        if (!s) return;
        p.off("sync", onSync);
        resolve();
      };
      p.on("sync", onSync);
    }),
    timeoutMs,
    what,
  );
}

/** The TCP socket under a provider's current `ws` socket (ws keeps it in a private field). */
export function providerTcp(p: StockProvider): Socket {
  if (!p.ws) throw new Error(`${p.kind} has no socket`);
  return (p.ws as unknown as { _socket: Socket })._socket;
}

/**
 * Destroys a provider and drops its socket at once (dev never answers a
 * client's close frame: PARTYKIT-NOTES 8), then the doc, which stops the
 * awareness timer the provider leaves running. Takes any stock provider: their
 * `ws` is typed as the browser's WebSocket, in Node it is ws's (`terminate`).
 */
export function dispose(provider: unknown): void {
  const p = provider as Pick<StockProvider, "ws" | "destroy" | "doc">;
  const socket = p.ws;
  p.destroy();
  socket?.terminate();
  p.doc.destroy();
}
