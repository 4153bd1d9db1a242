/**
 * The names `@` can complete in the chat box. A room past LIMITS.presenceListed
 * lists only the people longest present, so the person you want to answer may
 * be here and not listed: whoever has written in the chat loaded here is
 * offered too, after the listed people, the most recent writer first.
 */
import type { Person } from "../../../party/protocol";
import type { ChatLine } from "../room/types";

export function mentionNames(people: readonly Person[], chat: readonly ChatLine[], selfClientId: string): string[] {
  const names = new Set<string>();
  for (const p of people) if (p.clientId !== selfClientId) names.add(p.name);
  for (let i = chat.length - 1; i >= 0; i--) {
    const line = chat[i]!;
    if (line.kind === "message" && line.message.clientId !== selfClientId) names.add(line.message.name);
  }
  return [...names];
}
