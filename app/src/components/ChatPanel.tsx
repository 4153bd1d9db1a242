/**
 * The chat: history on open, older pages when scrolled to the top, new lines
 * at the bottom. The scroll position is kept when older messages are put in
 * above, and follows new ones only when the reader was already at the bottom
 * (or sent the message).
 */
import { useLayoutEffect, useRef } from "react";
import { chatDisabledReason, type Role } from "../lib/access";
import type { ChatLine, RoomClient, RoomSnapshot } from "../room/types";
import { ChatComposer } from "./ChatComposer";
import { ChatLineView } from "./ChatLineView";

type Props = { client: RoomClient; snapshot: RoomSnapshot; role: Role };

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 48;

function keyOf(line: ChatLine | undefined): string | null {
  if (!line) return null;
  return line.kind === "message" ? `m${line.message.seq}` : `p${line.id}`;
}

export function ChatPanel({ client, snapshot, role }: Props) {
  const { chat, hasOlder, loadingOlder, connection } = snapshot;
  const scroller = useRef<HTMLOListElement>(null);
  const memory = useRef({ firstKey: null as string | null, height: 0, atBottom: true });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = memory.current;
    const firstKey = keyOf(chat[0]);
    const prepended = before.firstKey !== null && firstKey !== before.firstKey && chat.some((l) => keyOf(l) === before.firstKey);
    const last = chat[chat.length - 1];
    if (prepended) el.scrollTop += el.scrollHeight - before.height;
    else if (before.atBottom || last?.kind === "pending") el.scrollTop = el.scrollHeight;
    memory.current = { firstKey, height: el.scrollHeight, atBottom: el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX };
  }, [chat]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    memory.current.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    memory.current.height = el.scrollHeight;
    if (el.scrollTop < EDGE_PX && hasOlder && !loadingOlder) client.loadOlder();
  };

  const { name, color } = client.identity;
  return (
    <section className="panel chat" aria-labelledby="chat-heading">
      <h2 id="chat-heading" className="panel-title">
        Chat
      </h2>
      <ol className="chat-lines" ref={scroller} onScroll={onScroll} role="log" aria-label="Chat messages" tabIndex={0}>
        {hasOlder && (
          <li className="chat-older">
            <button type="button" className="button button-small button-quiet" onClick={() => client.loadOlder()} disabled={loadingOlder}>
              {loadingOlder ? "Loading older messages…" : "Load older messages"}
            </button>
          </li>
        )}
        {chat.length === 0 && !hasOlder && <li className="chat-empty">No messages yet. Say hello!</li>}
        {chat.map((line) => (
          <ChatLineView key={keyOf(line)} line={line} selfName={name} selfColor={color} onRetry={(id) => client.retryChat(id)} />
        ))}
      </ol>
      <ChatComposer onSend={(text) => client.sendChat(text)} disabledReason={chatDisabledReason(role, connection)} />
    </section>
  );
}
