/**
 * The chat: history on open, older pages when scrolled to the top, new lines
 * at the bottom, grouped by sender and separated by day. The scroll position
 * is kept when older messages are put in above, and follows new ones only
 * when the reader was already at the bottom (or sent the message). Until the
 * room has answered once, a skeleton stands where "no messages" would be wrong.
 */
import { useLayoutEffect, useMemo, useRef } from "react";
import { chatDisabledReason, type Role } from "../lib/access";
import { chatRows, lineKey } from "../lib/chat-rows";
import { mentionNames } from "../lib/mention-names";
import { type Peer, setTyping } from "../room/peers";
import type { RoomClient, RoomSnapshot } from "../room/types";
import { ChatComposer } from "./ChatComposer";
import { ChatLineView } from "./ChatLineView";
import { Skeleton } from "./Skeleton";
import { TypingIndicator } from "./TypingIndicator";

type Props = { client: RoomClient; snapshot: RoomSnapshot; role: Role; peers: Peer[]; unread: number; hidden?: boolean; labelledBy?: string };

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 48;

export function ChatPanel({ client, snapshot, role, peers, unread, hidden = false, labelledBy }: Props) {
  const { chat, hasOlder, loadingOlder, connection, people } = snapshot;
  const scroller = useRef<HTMLDivElement>(null);
  const memory = useRef({ firstKey: null as string | null, height: 0, atBottom: true });
  const { name, color, clientId } = client.identity;
  // Kept the same array while the names are the same, so a new message does not redraw every (memoised) line.
  const nameKey = JSON.stringify(mentionNames(people, chat, clientId));
  const names = useMemo(() => JSON.parse(nameKey) as string[], [nameKey]);
  const rows = useMemo(() => chatRows(chat, clientId), [chat, clientId]);
  // The first welcome tells what the room holds; before it, "no messages" may be false.
  const known = snapshot.connectionId !== null;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || hidden) return;
    const before = memory.current;
    const firstKey = chat[0] ? lineKey(chat[0]) : null;
    const prepended = before.firstKey !== null && firstKey !== before.firstKey && chat.some((l) => lineKey(l) === before.firstKey);
    const last = chat[chat.length - 1];
    if (prepended) el.scrollTop += el.scrollHeight - before.height;
    else if (before.atBottom || last?.kind === "pending") el.scrollTop = el.scrollHeight;
    memory.current = { firstKey, height: el.scrollHeight, atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX };
  }, [chat, hidden]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    memory.current.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    memory.current.height = el.scrollHeight;
    if (el.scrollTop < EDGE_PX && hasOlder && !loadingOlder) client.loadOlder();
  };

  return (
    <section className="panel chat" aria-labelledby={labelledBy ?? "chat-heading"} hidden={hidden} role={labelledBy ? "tabpanel" : undefined} id="panel-chat">
      <h2 id="chat-heading" className="panel-title">
        Chat
        {unread > 0 && <span className="count count-unread">{unread} new</span>}
      </h2>
      {/* The log scrolls; the list inside keeps list semantics (role="log" on the list itself would remove them). */}
      <div className="chat-lines" ref={scroller} onScroll={onScroll} role="log" aria-label="Chat messages" tabIndex={0} aria-busy={!known}>
        <ol className="chat-list">
        {hasOlder && (
          <li className="chat-older">
            <button type="button" className="button button-small button-quiet" onClick={() => client.loadOlder()} disabled={loadingOlder}>
              {loadingOlder ? "Loading older messages…" : "Load older messages"}
            </button>
          </li>
        )}
        {!known && chat.length === 0 && (
          <li className="chat-loading">
            <Skeleton lines={3} label="Loading the chat" />
          </li>
        )}
        {known && chat.length === 0 && !hasOlder && <li className="chat-empty">No messages yet. Say hello!</li>}
        {rows.map((row) =>
          row.kind === "day" ? (
            <li key={row.key} className="chat-day">
              <time dateTime={row.iso}>{row.label}</time>
            </li>
          ) : (
            <ChatLineView key={row.key} line={row.line} grouped={row.grouped} names={names} selfName={name} selfColor={color} onRetry={(id) => client.retryChat(id)} />
          ),
        )}
        </ol>
      </div>
      <TypingIndicator peers={peers} />
      <ChatComposer
        onSend={(text) => client.sendChat(text)}
        disabledReason={chatDisabledReason(role, connection)}
        names={names}
        onTyping={(typing) => setTyping(client.awareness, typing)}
      />
    </section>
  );
}
