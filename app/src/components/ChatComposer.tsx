/** The "Message" box: Enter sends, the draft survives reconnects (the client queues). */
import { type FormEvent, useState } from "react";
import { LIMITS } from "../../../party/protocol";

type Props = { onSend: (text: string) => void; disabled: boolean };

export function ChatComposer({ onSend, disabled }: Props) {
  const [draft, setDraft] = useState("");
  const text = draft.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text || disabled) return;
    onSend(text);
    setDraft("");
  };

  return (
    <form className="chat-composer" onSubmit={submit}>
      <input
        type="text"
        className="input"
        aria-label="Message"
        placeholder={disabled ? "Chat is closed" : "Write a message"}
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
    </form>
  );
}
