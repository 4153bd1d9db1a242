/** Colour helpers for labels drawn on a person's colour. */

/** Relative luminance of a #rrggbb colour (WCAG definition), 0..1. */
export function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever reads better on `background`. */
export function textColorOn(background: string): "#000000" | "#ffffff" {
  if (!/^#[0-9a-f]{6}$/i.test(background)) return "#ffffff";
  // 0.179 is where contrast against black and against white are equal.
  return luminance(background) > 0.179 ? "#000000" : "#ffffff";
}
