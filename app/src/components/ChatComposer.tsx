/**
 * The "Message" box: Enter sends, Shift+Enter starts a new line, `@` offers
 * the people in the room. While there is a draft, the others see "typing…"
 * (over awareness, never stored). The draft survives reconnects (the client
 * queues what is sent); disabled with a reason when sending is not allowed.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { LIMITS } from "../../../party/protocol";

type Props = {
  onSend: (text: string) => void;
  disabledReason: string | null;
  /** Names that `@` can complete. */
  names: readonly string[];
  /** Called with true while a draft is being written, false when it is sent, cleared or left alone. */
  onTyping: (typing: boolean) => void;
};

/** A draft untouched this long no longer counts as typing. */
const TYPING_IDLE_MS = 4_000;
const MAX_SUGGESTIONS = 5;

/** The `@partial` being written right before the caret, if any. */
function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([^\s@]{0,40})$/.exec(text.slice(0, caret));
  return m ? { start: caret - (m[2]?.length ?? 0) - 1, query: m[2] ?? "" } : null;
}

export function ChatComposer({ onSend, disabledReason, names, onTyping }: Props) {
  const [draft, setDraft] = useState("");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** Where a completed mention leaves the caret, placed in the same commit as the new draft. */
  const placeCaret = useRef<number | null>(null);
  const noteId = useId();
  const listId = useId();
  const disabled = disabledReason !== null;
  const text = draft.trim();

  const query = mentionQuery(draft, caret);
  const suggestions =
    query && dismissed !== query.start ? names.filter((n) => n.toLowerCase().startsWith(query.query.toLowerCase())).slice(0, MAX_SUGGESTIONS) : [];
  const open = suggestions.length > 0;

  useEffect(() => () => clearTimeout(idle.current), []);

  // Not in a later frame: a key typed before that frame would land before the caret and be moved behind it.
  useLayoutEffect(() => {
    if (placeCaret.current === null) return;
    box.current?.setSelectionRange(placeCaret.current, placeCaret.current);
    placeCaret.current = null;
  });

  const typing = (value: string) => {
    clearTimeout(idle.current);
    const writing = value.trim() !== "";
    onTyping(writing);
    if (writing) idle.current = setTimeout(() => onTyping(false), TYPING_IDLE_MS);
  };

  const send = () => {
    if (!text || disabled) return;
    onSend(text);
    setDraft("");
    typing("");
  };

  const complete = (name: string) => {
    if (!query) return;
    const next = `${draft.slice(0, query.start)}@${name} ${draft.slice(caret)}`;
    const at = query.start + name.length + 2;
    setDraft(next);
    setCaret(at);
    placeCaret.current = at;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      setActive((i) => (i + (e.key === "ArrowDown" ? 1 : suggestions.length - 1)) % suggestions.length);
      return;
    }
    if (open && (e.key === "Enter" || e.key === "Tab") && !e.shiftKey) {
      e.preventDefault();
      complete(suggestions[Math.min(active, suggestions.length - 1)]!);
      return;
    }
    if (open && e.key === "Escape") {
      e.preventDefault();
      setDismissed(query?.start ?? null);
      return;
    }
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      className="chat-composer"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        send();
      }}
    >
      {open && (
        <ul id={listId} role="listbox" aria-label="People to mention" className="mention-list">
          {suggestions.map((name, i) => (
            <li
              key={name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className="mention-option"
              onMouseDown={(e) => {
                e.preventDefault();
                complete(name);
              }}
            >
              @{name}
            </li>
          ))}
        </ul>
      )}
      <div className="chat-composer-row">
        <textarea
          ref={box}
          className="input chat-input"
          aria-label="Message"
          aria-describedby={disabled ? noteId : undefined}
          aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined}
          placeholder={disabled ? "Sending is off" : "Write a message"}
          value={draft}
          rows={1}
          maxLength={LIMITS.chatTextMax}
          onChange={(e) => {
            setDraft(e.currentTarget.value);
            setCaret(e.currentTarget.selectionStart);
            setActive(0);
            typing(e.currentTarget.value);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => typing("")}
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
