/**
 * Browser signals that the connection is worth retrying right away: the
 * network came back (`online`) or the tab became visible again (timers in
 * hidden tabs are throttled, so a backoff wait may have stretched far past
 * its schedule). Outside a browser this does nothing.
 */

/** What to do on each signal. */
export type WakeHandlers = {
  /** `online`, or the document became visible. */
  wake(): void;
  /** `offline`: the browser knows there is no network. */
  offline(): void;
};

/** Listens for online/offline/visibilitychange; returns the function that stops listening. */
export function watchBrowser(handlers: WakeHandlers): () => void {
  const win = typeof window !== "undefined" && typeof window.addEventListener === "function" ? window : null;
  const doc = typeof document !== "undefined" && typeof document.addEventListener === "function" ? document : null;
  if (!win) return () => undefined;
  const onOnline = () => handlers.wake();
  const onOffline = () => handlers.offline();
  const onVisibility = () => {
    if (doc?.visibilityState === "visible") handlers.wake();
  };
  win.addEventListener("online", onOnline);
  win.addEventListener("offline", onOffline);
  doc?.addEventListener("visibilitychange", onVisibility);
  return () => {
    win.removeEventListener("online", onOnline);
    win.removeEventListener("offline", onOffline);
    doc?.removeEventListener("visibilitychange", onVisibility);
  };
}
