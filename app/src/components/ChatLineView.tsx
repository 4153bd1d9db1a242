/**
 * One chat line: avatar, name and time (left out when grouped with the line
 * before), the text with links and mentions, and for own messages only the
 * states that matter: "sending…" when it takes a moment, "Not sent" with Retry.
 */
import { memo, type ReactNode } from "react";
import { chatText, mentions } from "../lib/chat-text";
import type { ChatLine } from "../room/types";
import { Avatar } from "./Avatar";

type Props = { line: ChatLine; grouped: boolean; names: readonly string[]; selfName: string; selfColor: string; onRetry: (id: string) => void };

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function Meta({ name, ts, children }: { name: string; ts: number; children?: ReactNode }) {
  return (
    <div className="chat-meta">
      <span className="chat-name">{name}</span>
      <time dateTime={new Date(ts).toISOString()}>{timeFormat.format(new Date(ts))}</time>
      {children}
    </div>
  );
}

export const ChatLineView = memo(function ChatLineView({ line, grouped, names, selfName, selfColor, onRetry }: Props) {
  if (line.kind === "message") {
    const { message, own } = line;
    const forMe = !own && mentions(message.text, selfName);
    return (
      <li
        className={`chat-line${own ? " chat-line-own" : ""}${grouped ? " chat-line-grouped" : ""}${forMe ? " chat-line-mention" : ""}`}
        data-seq={message.seq}
        data-state={own ? "sent" : undefined}
      >
        {grouped ? <span className="avatar-spacer" aria-hidden="true" /> : <Avatar name={message.name} color={message.color} />}
        <div className="chat-body">
          {grouped ? (
            <span className="visually-hidden">
              {message.name}, {timeFormat.format(new Date(message.ts))}:
            </span>
          ) : (
            <Meta name={message.name} ts={message.ts} />
          )}
          <p className="chat-text">{chatText(message.text, names, selfName)}</p>
        </div>
      </li>
    );
  }
  const failed = line.state === "failed";
  return (
    <li className={`chat-line chat-line-own chat-line-pending${grouped ? " chat-line-grouped" : ""}`} data-state={line.state}>
      {grouped ? <span className="avatar-spacer" aria-hidden="true" /> : <Avatar name={selfName} color={selfColor} />}
      <div className="chat-body">
        {!grouped && <Meta name={selfName} ts={line.createdAt} />}
        <p className="chat-text">{chatText(line.text, names, selfName)}</p>
        <p className={`chat-state${failed ? " chat-state-failed" : ""}`}>
          {failed ? (
            <>
              Not sent{line.error ? `: ${line.error}` : ""}.{" "}
              <button type="button" className="button button-small" onClick={() => onRetry(line.id)}>
                Retry
              </button>
            </>
          ) : (
            "sending…"
          )}
        </p>
      </div>
    </li>
  );
});
