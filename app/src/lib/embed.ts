/** Embed options (`/embed/<room>?view=`; `?theme=` is lib/theme.ts) and the copy-paste snippets the Embed dialog offers. */

export type EmbedView = "chat" | "doc" | "both";

/** `?view=chat|doc|both` (default both). */
export function embedView(search: string): EmbedView {
  const v = new URLSearchParams(search).get("view");
  return v === "chat" || v === "doc" ? v : "both";
}

export type SnippetOptions = { origin: string; roomId: string; view: EmbedView; token?: string | undefined };

const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** `<script src=".../embed.js" data-room="R">`: the frame goes right after the tag. */
export function scriptSnippet({ origin, roomId, view, token }: SnippetOptions): string {
  const parts = [`src="${attr(origin)}/embed.js"`, `data-room="${attr(roomId)}"`];
  if (view !== "both") parts.push(`data-view="${view}"`);
  if (token) parts.push(`data-token="${attr(token)}"`);
  return `<script ${parts.join(" ")}></script>`;
}

/** The loader once, then a `<party-room>` element wherever the room should be. */
export function elementSnippet({ origin, roomId, view, token }: SnippetOptions): string {
  const parts = [`room="${attr(roomId)}"`, `view="${view}"`];
  if (token) parts.push(`token="${attr(token)}"`);
  return `<script src="${attr(origin)}/embed.js" async></script>\n<party-room ${parts.join(" ")}></party-room>`;
}
