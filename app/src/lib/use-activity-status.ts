/**
 * Reports this tab as `active` or `idle` to the room: idle after a minute
 * without input or while the tab is hidden, active again on the next input.
 */
import { useEffect } from "react";
import type { Status } from "../../../party/protocol";
import type { RoomClient } from "../room/types";

/** No input for this long makes a visible tab idle. */
export const IDLE_AFTER_MS = 60_000;

const ACTIVITY_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "focus"] as const;

/** Keeps the client's status in step with what the person is doing. */
export function useActivityStatus(client: RoomClient, idleAfterMs = IDLE_AFTER_MS): void {
  useEffect(() => {
    let status: Status = "active";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const set = (next: Status) => {
      if (next === status) return;
      status = next;
      client.setStatus(next);
    };
    const onActivity = () => {
      clearTimeout(timer);
      if (document.hidden) return set("idle");
      set("active");
      timer = setTimeout(() => set("idle"), idleAfterMs);
    };
    onActivity();
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    document.addEventListener("visibilitychange", onActivity);
    return () => {
      clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
      document.removeEventListener("visibilitychange", onActivity);
    };
  }, [client, idleAfterMs]);
}
