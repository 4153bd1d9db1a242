/**
 * The colour theme: "system" (follow the operating system), "light" or
 * "dark", chosen in the header and remembered in localStorage. A link's
 * `?theme=light|dark` (room pages and embeds) wins for that page without
 * being remembered. Applied as `data-theme` on <html>, which styles.css reads.
 */
import { useCallback, useSyncExternalStore } from "react";

/** What the theme switch offers. */
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "partyroom:theme";
const listeners = new Set<() => void>();

/** The remembered choice ("system" when none or storage is blocked). */
export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

/** `?theme=light|dark` from a query string, or null. */
export function themeFromLink(search: string): "light" | "dark" | null {
  const t = new URLSearchParams(search).get("theme");
  return t === "light" || t === "dark" ? t : null;
}

/** Sets `data-theme` on <html> for `choice` (system: removed, so the media query decides). */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** Remembers and applies a choice; every useTheme() re-renders. */
export function chooseTheme(choice: ThemeChoice): void {
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage blocked: the choice lasts for this page.
  }
  current = choice;
  applyTheme(choice);
  for (const listener of listeners) listener();
}

let current: ThemeChoice = "system";

/**
 * Applies the link's theme, else the remembered one (embeds: the link's or
 * the system's, since the embedding site chose); once, before the first render.
 */
export function initTheme(search: string, embed: boolean): void {
  current = themeFromLink(search) ?? (embed ? "system" : storedTheme());
  applyTheme(current);
}

/** The theme in force and a setter that remembers it. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const subscribe = useCallback((l: () => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return [useSyncExternalStore(subscribe, () => current), chooseTheme];
}
