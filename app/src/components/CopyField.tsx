/** A read-only snippet with a Copy button that says when it worked (or selects the text when it cannot). */
import { useEffect, useId, useRef, useState } from "react";

const CONFIRM_MS = 2_000;

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      box.current?.select();
    }
  };

  return (
    <div className="field copy-field">
      <span className="copy-field-head">
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        <button type="button" className="button button-small" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </span>
      <textarea id={id} ref={box} className="input snippet" readOnly value={value} rows={value.split("\n").length + 1} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
    </div>
  );
}
