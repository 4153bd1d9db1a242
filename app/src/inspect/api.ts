/**
 * How the inspector reads the admin-only JSON: same-origin fetches that carry
 * the login cookie, polled while the page is open (and not paused). A 401
 * means the login ran out: the page sends the operator to sign in again.
 */
import { useEffect, useRef, useState } from "react";

/** A failed read, with its HTTP status (0: the network). */
export class InspectError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GETs admin JSON from this origin. */
export async function getAdminJson<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" } });
  } catch {
    throw new InspectError(0, "the server did not answer");
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new InspectError(res.status, body?.error?.message ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

/** How often the inspector refreshes. Each read wakes the room, so a room with the inspector open does not hibernate. */
export const POLL_MS = 2_000;

export type Poll<T> = { data: T | null; error: InspectError | null; updatedAt: number | null; paused: boolean; setPaused(p: boolean): void };

/** Loads `load` now and every POLL_MS while not paused; `key` changes start over. */
export function usePoll<T>(load: () => Promise<T>, key: string): Poll<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<InspectError | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [paused, setPaused] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (paused) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const next = await loadRef.current();
        if (stopped) return;
        setData(next);
        setError(null);
        setUpdatedAt(Date.now());
      } catch (err) {
        if (!stopped) setError(err instanceof InspectError ? err : new InspectError(0, String(err)));
      }
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, paused]);

  return { data, error, updatedAt, paused, setPaused };
}
