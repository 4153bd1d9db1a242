/**
 * Warns before the page closes or reloads while work written here has not
 * reached the server (unacked chat, unconfirmed document edits). Both are
 * kept locally and resent on the next visit, but only if the person comes
 * back: the browser's standard "leave site?" prompt tells them.
 *
 * Not when the dev server reloads the page itself (after it restarted, or
 * for a change it cannot hot-swap): the page comes straight back and resends
 * everything, so a prompt would only be a surprise.
 */
import { useEffect } from "react";
import type { RoomClient } from "../room/types";

/** Set once Vite's dev client has announced a reload of its own; never in a production build. */
let reloadedByDevServer = false;
if (import.meta.hot) {
  // After "ws:disconnect" Vite polls until its server is back, then reloads without asking.
  import.meta.hot.on("vite:ws:disconnect", () => (reloadedByDevServer = true));
  import.meta.hot.on("vite:beforeFullReload", () => (reloadedByDevServer = true));
}

/** Adds a beforeunload guard for `client` while mounted; asks the client at unload time, so it is never stale. */
export function useUnloadWarning(client: RoomClient): void {
  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (reloadedByDevServer || !client.hasUnsyncedWork()) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [client]);
}
