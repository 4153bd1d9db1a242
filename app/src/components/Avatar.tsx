/** A person's colour as a dot, optionally with their initial. */
import { textColorOn } from "../lib/color";

type Props = { name: string; color: string; size?: "dot" | "small" | "large"; dimmed?: boolean };

/**
 * Decorative: the name is always written next to it, so it is hidden from
 * screen readers, and the initial is drawn by CSS (not text), so it is not
 * counted as a control's visible label either.
 */
export function Avatar({ name, color, size = "small", dimmed = false }: Props) {
  const initial = size === "dot" ? "" : (name.trim()[0] ?? "?").toUpperCase();
  return (
    <span
      className={`avatar avatar-${size}${dimmed ? " avatar-dimmed" : ""}`}
      style={{ backgroundColor: color, color: textColorOn(color) }}
      aria-hidden="true"
      data-initial={initial}
    />
  );
}
