/**
 * A chat message's text as React nodes: web and mail links (found by
 * linkify-it, made clickable only for http, https and mailto, opened in a new
 * tab without an opener) and @mentions of people in the room, highlighted.
 * Text is never parsed as HTML, so nothing in a message can run.
 */
import { LinkifyIt } from "linkify-it";
import type { ReactNode } from "react";

const linkify = new LinkifyIt();
const SAFE_LINK = /^(https?:|mailto:)/i;

/** Whether `text` mentions `name` as `@name` (case-insensitive, not inside a longer word). */
export function mentions(text: string, name: string): boolean {
  return mentionPattern([name])?.test(text) ?? false;
}

function mentionPattern(names: readonly string[]): RegExp | null {
  const sorted = [...new Set(names.filter((n) => n.trim()))].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return null;
  const alternatives = sorted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@(${alternatives})(?![\\p{L}\\p{N}_])`, "giu");
}

/** Renders `text` with links and mentions; `selfName`'s mentions get their own class. */
export function chatText(text: string, names: readonly string[], selfName: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let at = 0;
  for (const match of linkify.match(text) ?? []) {
    if (!SAFE_LINK.test(match.url)) continue;
    nodes.push(...withMentions(text.slice(at, match.index), names, selfName, nodes.length));
    nodes.push(
      <a key={`l${match.index}`} href={match.url} target="_blank" rel="noopener noreferrer nofollow">
        {match.text}
      </a>,
    );
    at = match.lastIndex;
  }
  nodes.push(...withMentions(text.slice(at), names, selfName, nodes.length));
  return nodes;
}

function withMentions(text: string, names: readonly string[], selfName: string, keyBase: number): ReactNode[] {
  const pattern = mentionPattern([...names, selfName]);
  if (!pattern || !text.includes("@")) return text ? [text] : [];
  const nodes: ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    const start = (m.index ?? 0) + (m[1]?.length ?? 0);
    const name = m[2] ?? "";
    if (start > at) nodes.push(text.slice(at, start));
    const self = name.toLowerCase() === selfName.toLowerCase();
    nodes.push(
      <mark key={`m${keyBase}-${start}`} className={self ? "mention mention-self" : "mention"}>
        @{name}
      </mark>,
    );
    at = start + 1 + name.length;
  }
  if (at < text.length) nodes.push(text.slice(at));
  return nodes;
}
