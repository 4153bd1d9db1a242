/**
 * Markdown in the editor: the @codemirror/lang-markdown grammar (GitHub
 * flavoured) and a highlight style whose colours are the page's CSS
 * variables, so light and dark themes (and their contrast) just work.
 */
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { tags as t } from "@lezer/highlight";

const style = HighlightStyle.define([
  { tag: t.heading1, fontWeight: "700", fontSize: "1.3em", color: "var(--md-heading)" },
  { tag: t.heading2, fontWeight: "700", fontSize: "1.15em", color: "var(--md-heading)" },
  { tag: [t.heading3, t.heading4, t.heading5, t.heading6], fontWeight: "700", color: "var(--md-heading)" },
  { tag: t.strong, fontWeight: "700" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: [t.link, t.url], color: "var(--md-link)" },
  { tag: t.monospace, color: "var(--md-code)" },
  { tag: t.quote, color: "var(--text-muted)", fontStyle: "italic" },
  { tag: [t.processingInstruction, t.contentSeparator, t.list, t.meta], color: "var(--md-mark)" },
]);

/** Markdown parsing and highlighting for the document editor. */
export function markdownSupport(): Extension {
  return [markdown({ base: markdownLanguage }), syntaxHighlighting(style)];
}
