/**
 * Jump to and follow a collaborator's cursor. Following keeps their cursor
 * in view as it moves, until you type or click in the editor, press Escape,
 * choose Stop, or they leave. Whom you follow is said over awareness
 * (`following`), so it is never stored.
 */
import type { EditorView } from "@codemirror/view";
import { type RefObject, useCallback, useEffect, useState } from "react";
import { DOC_TEXT_NAME } from "../../../party/protocol";
import { cursorOf, revealCursor } from "../editor/remote-cursors";
import { setFollowing } from "../room/peers";
import type { RoomClient } from "../room/types";

/** Who is followed (a presence clientId) and the two actions. */
export type Follow = { following: string | null; jump: (personId: string) => boolean; follow: (personId: string | null) => void };

/** Jump-to and follow for the editor in `view`. */
export function useFollow(client: RoomClient, view: RefObject<EditorView | null>): Follow {
  const [following, setFollowed] = useState<string | null>(null);
  const jump = useCallback(
    (personId: string) => {
      const v = view.current;
      return v !== null && revealCursor(v, client.doc.getText(DOC_TEXT_NAME), client.awareness, personId);
    },
    [client, view],
  );
  const follow = useCallback(
    (personId: string | null) => {
      setFollowed(personId);
      setFollowing(client.awareness, personId);
      if (personId) jump(personId);
    },
    [client, jump],
  );

  useEffect(() => {
    if (!following) return;
    const { awareness } = client;
    const onChange = () => {
      if (cursorOf(awareness, following)) jump(following);
      else if (![...awareness.getStates().values()].some((s) => (s.user as { id?: unknown } | undefined)?.id === following)) follow(null);
    };
    // Typing right before one's cursor does not change it in awareness: follow the text's changes too (after they are drawn).
    const ytext = client.doc.getText(DOC_TEXT_NAME);
    let frame = 0;
    const onText = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => jump(following));
    };
    const stop = () => follow(null);
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && stop();
    const dom = view.current?.dom;
    awareness.on("change", onChange);
    ytext.observe(onText);
    dom?.addEventListener("pointerdown", stop);
    dom?.addEventListener("keydown", stop);
    window.addEventListener("keydown", onKey);
    return () => {
      awareness.off("change", onChange);
      ytext.unobserve(onText);
      cancelAnimationFrame(frame);
      dom?.removeEventListener("pointerdown", stop);
      dom?.removeEventListener("keydown", stop);
      window.removeEventListener("keydown", onKey);
    };
  }, [client, following, follow, jump, view]);

  return { following, jump, follow };
}
