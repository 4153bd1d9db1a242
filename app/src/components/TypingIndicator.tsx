/** "Ada is typing…" under the chat, from the others' awareness; a line is always kept so nothing jumps. */
import type { Peer } from "../room/peers";

/** The words for who is typing, or "" for nobody. */
export function typingText(peers: readonly Peer[]): string {
  const names = [...new Set(peers.filter((p) => p.typing).map((p) => p.name))];
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function TypingIndicator({ peers }: { peers: readonly Peer[] }) {
  return <p className="typing-indicator">{typingText(peers)}</p>;
}
