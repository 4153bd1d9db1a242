/**
 * Other people's ephemeral state, read from Yjs awareness (never stored):
 * who they are (`user: {name, color, id}`, `id` being their presence
 * clientId), whether they are typing in the chat, whom they follow, and
 * whether they have a cursor in the document. This tab writes its own
 * `typing` and `following` here too.
 */
import { useCallback, useRef, useSyncExternalStore } from "react";
import type { Awareness } from "y-protocols/awareness";

/** One other tab's ephemeral state. */
export type Peer = { awarenessId: number; personId: string | null; name: string; color: string; typing: boolean; following: string | null; hasCursor: boolean };

/** A `typing` flag older than this is ignored (a tab that closed without clearing it). */
export const TYPING_STALE_MS = 8_000;

/** Every other tab's state, from `awareness`. */
export function readPeers(awareness: Awareness, now = Date.now()): Peer[] {
  const peers: Peer[] = [];
  for (const [id, state] of awareness.getStates()) {
    if (id === awareness.clientID) continue;
    const user = (state.user ?? {}) as { name?: unknown; color?: unknown; id?: unknown };
    const typing = state.typing as unknown;
    peers.push({
      awarenessId: id,
      personId: typeof user.id === "string" ? user.id : null,
      name: typeof user.name === "string" && user.name.trim() ? user.name : "Someone",
      color: typeof user.color === "string" ? user.color : "#6b7280",
      typing: typeof typing === "number" && now - typing < TYPING_STALE_MS,
      following: typeof state.following === "string" ? state.following : null,
      hasCursor: Boolean((state.cursor as { head?: unknown } | null | undefined)?.head),
    });
  }
  return peers;
}

/** Says (or stops saying) that this tab is typing a chat message; changes and a refresh now and then go out. */
export function setTyping(awareness: Awareness, typing: boolean): void {
  const since: unknown = awareness.getLocalState()?.typing;
  const isTyping = typeof since === "number";
  if (!typing && !isTyping) return;
  if (typing && isTyping && Date.now() - since < TYPING_STALE_MS / 2) return;
  awareness.setLocalStateField("typing", typing ? Date.now() : null);
}

/** Says whom this tab follows (a presence clientId), or null. */
export function setFollowing(awareness: Awareness, personId: string | null): void {
  awareness.setLocalStateField("following", personId);
}

/** The other tabs' states, re-rendering when awareness changes. */
export function usePeers(awareness: Awareness): Peer[] {
  const cache = useRef<Peer[]>([]);
  const subscribe = useCallback(
    (listener: () => void) => {
      const onChange = () => {
        cache.current = readPeers(awareness);
        listener();
      };
      cache.current = readPeers(awareness);
      awareness.on("change", onChange);
      return () => awareness.off("change", onChange);
    },
    [awareness],
  );
  return useSyncExternalStore(subscribe, () => cache.current);
}
