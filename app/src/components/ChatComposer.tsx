/** The "Message" box: Enter sends, the draft survives reconnects (the client queues); disabled with a reason when it cannot send. */
import { type FormEvent, useId, useState } from "react";
import { LIMITS } from "../../../party/protocol";

type Props = { onSend: (text: string) => void; disabledReason: string | null };

export function ChatComposer({ onSend, disabledReason }: Props) {
  const [draft, setDraft] = useState("");
  const noteId = useId();
  const disabled = disabledReason !== null;
  const text = draft.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text || disabled) return;
    onSend(text);
    setDraft("");
  };

  return (
    <form className="chat-composer" onSubmit={submit}>
      <div className="chat-composer-row">
        <input
          type="text"
          className="input"
          aria-label="Message"
          aria-describedby={disabled ? noteId : undefined}
          placeholder={disabled ? "Sending is off" : "Write a message"}
          value={draft}
          maxLength={LIMITS.chatTextMax}
          onChange={(e) => setDraft(e.currentTarget.value)}
          disabled={disabled}
          autoComplete="off"
          enterKeyHint="send"
        />
        <button type="submit" className="button button-primary" disabled={!text || disabled}>
          Send
        </button>
      </div>
      {disabled && (
        <p id={noteId} className="chat-composer-note">
          {disabledReason}
        </p>
      )}
    </form>
  );
}
