/**
 * State for the history panel: the version list (fetched when the panel
 * opens, then every LIST_REFRESH_MS while it stays open), the text of the
 * picked version (each fetched once), and the document's current text.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type * as Y from "yjs";
import type { VersionList } from "../../../party/protocol";
import { type VersionsApi, VersionsError } from "../room/versions-api";

/** Automatic versions appear while the panel is open; a list this fresh is enough. */
const LIST_REFRESH_MS = 20_000;

/** A refusal or failure, in words for the panel. */
export function problem(err: unknown): string {
  return err instanceof VersionsError ? err.message : "Something went wrong. Try again.";
}

/** The list, newest first; `refresh` fetches it again now. */
export function useVersionList(api: VersionsApi): { list: VersionList | null; error: string | null; refresh: () => Promise<void> } {
  const [list, setList] = useState<VersionList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setList(await api.list());
      setError(null);
    } catch (err) {
      setError(problem(err));
    }
  }, [api]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), LIST_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return { list, error, refresh };
}

/** The text of version `id` (null while it loads or when none is picked); a version never changes, so each is fetched once. */
export function useVersionText(api: VersionsApi, id: number | null): { text: string | null; error: string | null } {
  const cache = useRef(new Map<number, string>());
  const [, setLoaded] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (id === null || cache.current.has(id)) return;
    let live = true;
    setError(null);
    api.text(id).then(
      (text) => {
        cache.current.set(id, text);
        if (live) setLoaded((n) => n + 1);
      },
      (err: unknown) => live && setError(problem(err)),
    );
    return () => {
      live = false;
    };
  }, [api, id]);
  return { text: id === null ? null : (cache.current.get(id) ?? null), error };
}

/** The shared text as it is now, re-read at most once a frame while people type. */
export function useLiveText(ytext: Y.Text): string {
  const subscribe = useCallback(
    (listener: () => void) => {
      let frame = 0;
      const onChange = () => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(listener);
      };
      ytext.observe(onChange);
      return () => {
        cancelAnimationFrame(frame);
        ytext.unobserve(onChange);
      };
    },
    [ytext],
  );
  return useSyncExternalStore(subscribe, () => ytext.toString());
}
