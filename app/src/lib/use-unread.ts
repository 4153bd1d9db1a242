/**
 * Unread chat: messages from others that arrived while the chat was not in
 * sight (another tab of the phone layout, or the page hidden). What the
 * first welcome brings is history, not unread. The count also goes into the
 * page title, so a background tab shows it.
 */
import { useEffect, useState } from "react";
import type { RoomSnapshot } from "../room/types";
import { usePageVisible } from "./use-media";

/** How many messages from others arrived since the chat was last in sight. */
export function useUnread(snapshot: RoomSnapshot, chatInView: boolean): number {
  const pageVisible = usePageVisible();
  const [readSeq, setReadSeq] = useState<number | null>(null);
  const seeing = chatInView && pageVisible;
  const known = snapshot.connectionId !== null;
  const { lastSeq } = snapshot;
  useEffect(() => {
    if (known && (readSeq === null || (seeing && readSeq !== lastSeq))) setReadSeq(lastSeq);
  }, [known, seeing, lastSeq, readSeq]);
  if (readSeq === null) return 0;
  return snapshot.chat.filter((l) => l.kind === "message" && !l.own && l.message.seq > readSeq).length;
}

/** Sets the page title: "(3) Title · partyroom" while there is unread chat. */
export function useDocumentTitle(name: string, unread: number): void {
  useEffect(() => {
    document.title = `${unread > 0 ? `(${unread}) ` : ""}${name} · partyroom`;
  }, [name, unread]);
  useEffect(
    () => () => {
      document.title = "partyroom";
    },
    [],
  );
}
