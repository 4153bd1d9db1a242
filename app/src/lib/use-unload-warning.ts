/**
 * Warns before the page closes or reloads while work written here has not
 * reached the server (unacked chat, unconfirmed document edits). Both are
 * kept locally and resent on the next visit, but only if the person comes
 * back: the browser's standard "leave site?" prompt tells them.
 */
import { useEffect } from "react";
import type { RoomClient } from "../room/types";

/** Adds a beforeunload guard for `client` while mounted; asks the client at unload time, so it is never stale. */
export function useUnloadWarning(client: RoomClient): void {
  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (!client.hasUnsyncedWork()) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [client]);
}
