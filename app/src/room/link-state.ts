/**
 * The room client's connection as one union (`Link`), and what the UI sees
 * of it (`ConnectionState`). Every question the client asks ("may I send?",
 * "is this socket welcomed?", "was the hello a resume?") is a look at the
 * phase, so no two flags can disagree.
 */
import { ClientCloseCode } from "../../../party/protocol";
import type { Close } from "./socket";
import type { ConnectionState, Transport } from "./types";

/** Where the room client's connection is. */
export type Link =
  /** A socket is being opened; `offline`: the browser says it has no network. */
  | { phase: "connecting"; attempt: number; offline: boolean; lastClose?: Close }
  /** Waiting out the backoff before attempt `attempt` at `at`. */
  | { phase: "waiting"; attempt: number; at: number; offline: boolean; lastClose?: Close }
  /** Open, hello sent, no welcome yet; `generation` numbers sockets, `resumed`: the hello carried lastSeq. */
  | { phase: "hello"; attempt: number; generation: number; resumed: boolean; lastClose?: Close }
  /** Welcomed: chat, presence and Yjs flow. */
  | { phase: "welcomed"; generation: number; since: number }
  /** A terminal close (bad room, refused, version): no more retries. */
  | { phase: "closed"; close: Close }
  /** destroy() was called. */
  | { phase: "destroyed" };

/** True while text frames may go out (hello sent on an open socket). */
export function canSend(link: Link): boolean {
  return link.phase === "hello" || link.phase === "welcomed";
}

/** The close that ended the previous socket, carried until the next welcome. */
export function lastCloseOf(link: Link): Close | undefined {
  return link.phase === "connecting" || link.phase === "waiting" || link.phase === "hello" ? link.lastClose : undefined;
}

/** Attempt `attempt` is starting now. */
export function connecting(link: Link, attempt: number): Link {
  const offline = link.phase === "connecting" || link.phase === "waiting" ? link.offline : false;
  return withClose({ phase: "connecting", attempt, offline }, lastCloseOf(link));
}

/** The browser reports no network: shown as offline until the next socket opens. */
export function wentOffline(link: Link): Link {
  return link.phase === "connecting" || link.phase === "waiting" ? { ...link, offline: true } : link;
}

/** What the UI shows for a link on `transport`. */
export function connectionState(link: Link, transport: Transport): ConnectionState {
  switch (link.phase) {
    case "connecting":
      return link.offline ? { state: "offline", transport } : withClose({ state: "connecting", attempt: link.attempt, transport }, link.lastClose);
    case "waiting":
      return link.offline
        ? { state: "offline", transport }
        : withClose({ state: "reconnecting", attempt: link.attempt, nextRetryAt: link.at, transport }, link.lastClose);
    case "hello":
      return withClose({ state: "connecting", attempt: link.attempt, transport }, link.lastClose);
    case "welcomed":
      return { state: "connected", transport, since: link.since };
    case "closed":
      return { state: "closed", code: link.close.code, reason: link.close.reason, transport };
    case "destroyed":
      return { state: "closed", code: ClientCloseCode.Leaving.code, reason: ClientCloseCode.Leaving.reason, transport };
  }
}

/** `{ lastClose }` of a link, to carry into the next phase (empty when there is none). */
export function withLastClose(link: Link): { lastClose?: Close } {
  const lastClose = lastCloseOf(link);
  return lastClose ? { lastClose } : {};
}

function withClose<T extends object>(value: T, lastClose: Close | undefined): T & { lastClose?: Close } {
  return lastClose ? { ...value, lastClose } : value;
}
