/** Rooms this browser visited, newest first, kept in localStorage. */
const KEY = "partyroom:recent-rooms";
/** How many rooms the home page remembers. */
export const RECENT_ROOMS_MAX = 8;

/** One remembered room. */
export type RecentRoom = { id: string; visitedAt: number };

/** Reads the list; anything unreadable counts as empty. */
export function loadRecentRooms(storage: Storage = localStorage): RecentRoom[] {
  try {
    const data: unknown = JSON.parse(storage.getItem(KEY) ?? "[]");
    if (!Array.isArray(data)) return [];
    return data.filter(
      (r): r is RecentRoom => typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.visitedAt === "number",
    );
  } catch {
    return [];
  }
}

/** Moves `id` to the front of the list (storage failures are ignored: it is only a convenience). */
export function rememberRoom(id: string, now = Date.now(), storage: Storage = localStorage): void {
  const rooms = [{ id, visitedAt: now }, ...loadRecentRooms(storage).filter((r) => r.id !== id)].slice(0, RECENT_ROOMS_MAX);
  try {
    storage.setItem(KEY, JSON.stringify(rooms));
  } catch {
    // Private mode or a full quota: the room still works.
  }
}

/** Drops one room from the list. */
export function forgetRoom(id: string, storage: Storage = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(loadRecentRooms(storage).filter((r) => r.id !== id)));
  } catch {
    // See rememberRoom.
  }
}
