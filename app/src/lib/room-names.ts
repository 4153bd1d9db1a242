/** Readable room ids ("calm-river-42") and cleaning up names people type. */
import { isValidRoomId } from "../../../party/protocol";

const ADJECTIVES = [
  "calm", "bright", "brave", "quiet", "swift", "gentle", "bold", "clever", "lucky", "sunny",
  "misty", "golden", "silver", "happy", "wild", "cosy", "merry", "noble", "plucky", "rapid",
] as const;
const NOUNS = [
  "river", "forest", "meadow", "harbor", "canyon", "island", "valley", "summit", "garden", "comet",
  "falcon", "otter", "maple", "breeze", "lagoon", "prairie", "glacier", "orchard", "beacon", "willow",
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A fresh, readable room id such as "calm-river-42" (20 x 20 x 90 = 36,000 of them). */
export function randomRoomId(random: () => number = Math.random): string {
  return `${pick(ADJECTIVES, random)}-${pick(NOUNS, random)}-${10 + Math.floor(random() * 90)}`;
}

/**
 * Turns what someone typed ("Team Standup!", or a pasted room link) into a
 * valid room id, or null when nothing usable is left.
 */
export function roomIdFromInput(input: string): string | null {
  let text = input.trim();
  const fromLink = /\/r\/([^/?#]+)/.exec(text);
  if (fromLink?.[1]) text = decodeURIComponent(fromLink[1]);
  const id = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return isValidRoomId(id) ? id : null;
}
