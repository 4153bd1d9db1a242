/**
 * Markdown in the editor: the @codemirror/lang-markdown grammar (GitHub
 * flavoured) and a highlight style whose colours are the page's CSS
 * variables, so light and dark themes (and their contrast) just work.
 */
import { markdownKeymap, markdownLanguage } from "@codemirror/lang-markdown";
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from "@codemirror/language";
import { Prec, type Extension } from "@codemirror/state";
import { keymap } from "@codemirror/view";
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

/**
 * Markdown parsing, highlighting and list continuation on Enter. The language
 * alone, not `markdown()`: that also loads HTML, CSS and JavaScript support
 * for embedded code, which would double the room's bundle.
 */
export function markdownSupport(): Extension {
  return [new LanguageSupport(markdownLanguage), syntaxHighlighting(style), Prec.high(keymap.of(markdownKeymap))];
}
