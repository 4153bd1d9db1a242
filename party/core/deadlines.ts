/**
 * The one deadline rule. Every session has exactly one next deadline, the
 * earliest of: its hello timeout (pending), its presence TTL (after its last
 * sign of life), its token's expiry, and its flow-control stall limit. The
 * sweep closes whatever is past its deadline, and the alarm is set for the
 * earliest one: both read this function, so they cannot disagree.
 */
import { CloseCode } from "../protocol";
import type { RoomConfig } from "./config";
import type { Session } from "./session";

/** The alarm fires this long after the earliest deadline, so that deadline is strictly past when the sweep runs. */
export const SWEEP_GRACE_MS = 10;

export type Deadline = { at: number; close: { code: number; reason: string } };

/** When `session` must next show life (or be closed), and with what code. */
export function deadlineOf(session: Session, config: RoomConfig): Deadline {
  let d: Deadline =
    session.kind === "pending"
      ? { at: session.connectedAt + config.helloTimeoutMs + 1, close: CloseCode.HelloTimeout }
      : { at: session.lastSeen + config.ttlMs + 1, close: CloseCode.HeartbeatTimeout };
  if (session.grant.exp < d.at) d = { at: session.grant.exp, close: CloseCode.TokenExpired };
  const stall = session.flow.stallDeadline();
  if (stall !== null && stall < d.at) d = { at: stall, close: CloseCode.SlowReader };
  return d;
}

/** The earliest deadline among `sessions`, or null when there are none. */
export function earliestDeadline(sessions: Iterable<Session>, config: RoomConfig): number | null {
  let min: number | null = null;
  for (const s of sessions) {
    const { at } = deadlineOf(s, config);
    if (min === null || at < min) min = at;
  }
  return min;
}
