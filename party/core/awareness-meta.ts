/**
 * y-protocols' Awareness keeps `meta` (last clock, when updated) for every
 * client id it has seen, removed ones included, and never forgets them: a
 * late or echoed update with an older clock then cannot bring a removed state
 * back. Every page load is a new Yjs client id, so a room that stays awake
 * while people come and go would hold one entry per visit, forever. Past
 * MEMORY.awarenessRemovedKept removed ids, the oldest are forgotten (down to
 * three quarters of it, so the sort runs once per quarter of the cap):
 * echoes of a state end once peers time it out, 30 s after they last saw it.
 */
import type { Awareness } from "y-protocols/awareness";
import { MEMORY } from "../protocol";

/** Forgets the oldest removed client ids past `keep`; returns how many went. */
export function forgetRemovedAwareness(awareness: Awareness, keep: number = MEMORY.awarenessRemovedKept): number {
  const removed = awareness.meta.size - awareness.states.size;
  if (removed <= keep) return 0;
  const oldest = [...awareness.meta]
    .filter(([id]) => !awareness.states.has(id))
    .sort((a, b) => a[1].lastUpdated - b[1].lastUpdated)
    .slice(0, removed - Math.floor((keep * 3) / 4));
  for (const [id] of oldest) awareness.meta.delete(id);
  return oldest.length;
}
