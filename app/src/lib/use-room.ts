/** React glue for a RoomClient: its snapshot as state, and a ticking clock. */
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { RoomClient, RoomSnapshot } from "../room/types";

/** The client's current snapshot; re-renders whenever the client reports a change. */
export function useRoomSnapshot(client: RoomClient): RoomSnapshot {
  const subscribe = useCallback((listener: () => void) => client.subscribe(listener), [client]);
  const getSnapshot = useCallback(() => client.getSnapshot(), [client]);
  return useSyncExternalStore(subscribe, getSnapshot);
}

/** Date.now(), refreshed every `everyMs` while `everyMs` is not null (countdowns). */
export function useNow(everyMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (everyMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
