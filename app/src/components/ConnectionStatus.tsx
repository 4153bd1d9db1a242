/**
 * The "Connection" status: connected / reconnecting (attempt n, next try in
 * s) / offline / closed, plus the transport (WebSocket, SSE, long polling),
 * and a "Retry now" button while the client is waiting to reconnect.
 */
import { TRANSPORT_LABELS } from "../lib/access";
import { useNow } from "../lib/use-room";
import type { ConnectionState } from "../room/types";

type Props = { connection: ConnectionState; onReconnect: () => void };

/** The words shown (and announced) for a connection state. */
export function describeConnection(connection: ConnectionState, now: number): string {
  switch (connection.state) {
    case "connecting":
      return connection.attempt > 1 ? `Connecting (attempt ${connection.attempt})` : "Connecting";
    case "connected":
      return "Connected";
    case "reconnecting": {
      const seconds = Math.max(0, Math.ceil((connection.nextRetryAt - now) / 1000));
      return seconds > 0
        ? `Reconnecting (attempt ${connection.attempt}, next try in ${seconds} s)`
        : `Reconnecting (attempt ${connection.attempt})`;
    }
    case "offline":
      return "Offline";
    case "closed":
      return `Closed: ${connection.reason || `code ${connection.code}`}`;
  }
}

const TRANSPORT_TITLES = {
  websocket: "Connected over a WebSocket",
  sse: "WebSockets seem blocked on this network: using server-sent events, and trying WebSocket again now and then",
  poll: "WebSockets and event streams seem blocked on this network: using long polling",
} as const;

export function ConnectionStatus({ connection, onReconnect }: Props) {
  const now = useNow(connection.state === "reconnecting" ? 1000 : null);
  const canRetry = connection.state === "reconnecting" || connection.state === "offline";
  const showTransport = connection.state !== "closed" && connection.state !== "offline";
  return (
    <div className="connection" data-state={connection.state} data-transport={connection.transport}>
      <span role="status" aria-label="Connection" className="connection-status" title={TRANSPORT_TITLES[connection.transport]}>
        <span className="connection-dot" aria-hidden="true" />
        <span className="connection-text">{describeConnection(connection, now)}</span>
        {showTransport && <span className="connection-transport"> via {TRANSPORT_LABELS[connection.transport]}</span>}
      </span>
      {canRetry && (
        <button type="button" className="button button-small" onClick={onReconnect}>
          Retry now
        </button>
      )}
    </div>
  );
}
