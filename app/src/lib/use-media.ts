/** Browser state as React state: a media query's match, and whether the page is visible. */
import { useCallback, useSyncExternalStore } from "react";

/** Below this width the room is a phone layout: tabs instead of side by side. */
export const PHONE_QUERY = "(max-width: 760px)";
/** From this width the document's preview sits beside the editor. */
export const WIDE_QUERY = "(min-width: 1100px)";

/** True while `query` matches. */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (listener: () => void) => {
      const list = matchMedia(query);
      list.addEventListener("change", listener);
      return () => list.removeEventListener("change", listener);
    },
    [query],
  );
  return useSyncExternalStore(subscribe, () => matchMedia(query).matches);
}

function subscribeVisibility(listener: () => void): () => void {
  document.addEventListener("visibilitychange", listener);
  return () => document.removeEventListener("visibilitychange", listener);
}

/** True while the page is visible (not a background tab, not minimised). */
export function usePageVisible(): boolean {
  return useSyncExternalStore(subscribeVisibility, () => document.visibilityState === "visible");
}
