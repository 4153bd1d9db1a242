/** One chat line: sender, time, text, and for own messages sending / sent / failed (retry). */
import type { ChatLine } from "../room/types";
import { Avatar } from "./Avatar";

type Props = { line: ChatLine; selfName: string; selfColor: string; onRetry: (id: string) => void };

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function time(ts: number): string {
  return timeFormat.format(new Date(ts));
}

export function ChatLineView({ line, selfName, selfColor, onRetry }: Props) {
  if (line.kind === "message") {
    const { message, own } = line;
    return (
      <li className={`chat-line${own ? " chat-line-own" : ""}`} data-seq={message.seq} data-state={own ? "sent" : undefined}>
        <Avatar name={message.name} color={message.color} />
        <div className="chat-body">
          <div className="chat-meta">
            <span className="chat-name">{message.name}</span>
            <time dateTime={new Date(message.ts).toISOString()}>{time(message.ts)}</time>
            {own && (
              <span className="chat-state" title="Delivered to the room">
                sent
              </span>
            )}
          </div>
          <p className="chat-text">{message.text}</p>
        </div>
      </li>
    );
  }
  const failed = line.state === "failed";
  return (
    <li className="chat-line chat-line-own chat-line-pending" data-state={line.state}>
      <Avatar name={selfName} color={selfColor} />
      <div className="chat-body">
        <div className="chat-meta">
          <span className="chat-name">{selfName}</span>
          <time dateTime={new Date(line.createdAt).toISOString()}>{time(line.createdAt)}</time>
          <span className={`chat-state${failed ? " chat-state-failed" : ""}`} title={line.error}>
            {failed ? "failed" : "sending…"}
          </span>
          {failed && (
            <button type="button" className="button button-small" onClick={() => onRetry(line.id)}>
              Retry
            </button>
          )}
        </div>
        <p className="chat-text">{line.text}</p>
        {failed && line.error && <p className="chat-error">{line.error}</p>}
      </div>
    </li>
  );
}
