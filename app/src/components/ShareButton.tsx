/** Copies the room's link; says so, or shows the link when copying is not allowed. */
import { useEffect, useState } from "react";
import { roomPath } from "../lib/router";

type Props = { roomId: string };

/** How long "Link copied" stays up. */
const CONFIRM_MS = 2_000;

export function ShareButton({ roomId }: Props) {
  const [result, setResult] = useState<"idle" | "copied" | "failed">("idle");
  const link = `${location.origin}${roomPath(roomId)}`;

  useEffect(() => {
    if (result !== "copied") return;
    const timer = setTimeout(() => setResult("idle"), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [result]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setResult("copied");
    } catch {
      setResult("failed");
    }
  };

  return (
    <span className="share">
      <button type="button" className="button" onClick={copy} title={link}>
        {result === "copied" ? "Link copied" : "Share"}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {result === "copied" ? "Room link copied to the clipboard" : ""}
      </span>
      {result === "failed" && (
        <input className="share-fallback" aria-label="Room link" readOnly value={link} onFocus={(e) => e.currentTarget.select()} autoFocus />
      )}
    </span>
  );
}
