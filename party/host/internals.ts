/**
 * The room's diagnostic counters (PROTOCOL.md §7 `internals`): not a
 * contract, but what tests and the inspector read to see that nothing leaks.
 */
import type { RoomCore } from "../core/room";

export function internals(core: RoomCore): Record<string, number | string> {
  const kinds = { pending: 0, app: 0, yjs: 0 };
  let unread = 0;
  for (const s of core.sessions.values()) {
    kinds[s.kind]++;
    unread += s.flow.unread;
  }
  return {
    sockets: core.sessions.size,
    pendingSockets: kinds.pending,
    appSockets: kinds.app,
    yjsSockets: kinds.yjs,
    presenceEntries: core.presence.size,
    yjsPeers: [...core.sessions.values()].filter((s) => core.yjs.greeted.has(s)).length,
    chatInMemory: core.chat.inMemory,
    httpSessions: core.http.size,
    sseStreams: core.http.open.sse,
    pendingPolls: core.http.open.poll,
    outboxEvents: core.http.heldEvents,
    unreadBytes: unread,
    alarmAt: core.nextAlarm ?? 0,
    wakeups: core.counters.wakeups,
    instanceId: core.counters.instanceId,
    instanceStartedAt: core.counters.startedAt,
    // Milliseconds from the instance's start to each step of its wake reached so far (core/wake-timeline.ts).
    ...Object.fromEntries((core.deps.wake?.steps() ?? []).map(({ step, ms }) => [`wake.${step}`, ms])),
  };
}
