/**
 * The "Connection" indicator in the header: connected (and, when WebSockets
 * are blocked, how), connecting, reconnecting with the time of the next try,
 * offline, or closed. Nothing technical while nothing is connected: the
 * banner (ConnectionBanner) says what it means for the person's work.
 */
import { TRANSPORT_LABELS } from "../lib/access";
import { useNow } from "../lib/use-room";
import type { ConnectionState } from "../room/types";

type Props = { connection: ConnectionState; compact?: boolean };

/** The words shown (and announced) for a connection state. */
export function describeConnection(connection: ConnectionState, now: number): string {
  switch (connection.state) {
    case "connecting":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "reconnecting": {
      const seconds = Math.max(0, Math.ceil((connection.nextRetryAt - now) / 1000));
      return seconds > 0 ? `Reconnecting, next try in ${seconds} s` : "Reconnecting…";
    }
    case "offline":
      return "Offline";
    case "closed":
      // Final (refused, or left): the reason helps whoever is asked about it; AccessNotice says it in plain words.
      return `Closed: ${connection.reason || `code ${connection.code}`}`;
  }
}

const TRANSPORT_TITLES = {
  websocket: "Connected over a WebSocket",
  sse: "WebSockets seem blocked on this network: using server-sent events, and trying WebSocket again now and then",
  poll: "WebSockets and event streams seem blocked on this network: using long polling",
} as const;

export function ConnectionStatus({ connection, compact = false }: Props) {
  const now = useNow(connection.state === "reconnecting" ? 1000 : null);
  const connected = connection.state === "connected";
  return (
    <div className="connection" data-state={connection.state} data-transport={connection.transport} data-compact={compact || undefined}>
      <span role="status" aria-label="Connection" className="connection-status" title={connected ? TRANSPORT_TITLES[connection.transport] : undefined}>
        <span className="connection-dot" aria-hidden="true" />
        <span className="connection-text">{describeConnection(connection, now)}</span>
        {connected && <span className="connection-transport"> via {TRANSPORT_LABELS[connection.transport]}</span>}
      </span>
    </div>
  );
}
