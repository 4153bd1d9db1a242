/**
 * Room ids the app makes ("calm-river-7kq3m9x2hdf4p": unguessable, since an
 * open room serves its document and chat to anyone who knows the id), ids
 * people type or paste (kept as written: room ids are case-sensitive), and
 * words for why a path is not a room.
 */
import { isValidRoomId } from "../../../party/protocol";

const ADJECTIVES = [
  "calm", "bright", "brave", "quiet", "swift", "gentle", "bold", "clever", "lucky", "sunny",
  "misty", "golden", "silver", "happy", "wild", "cosy", "merry", "noble", "plucky", "rapid",
] as const;
const NOUNS = [
  "river", "forest", "meadow", "harbor", "canyon", "island", "valley", "summit", "garden", "comet",
  "falcon", "otter", "maple", "breeze", "lagoon", "prairie", "glacier", "orchard", "beacon", "willow",
] as const;
/** 32 letters and digits without the look-alikes i, l, o, u: 5 bits each. */
const SECRET_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** 13 x 5 = 65 bits from the secret part alone; the two words add a little more. */
export const ROOM_SECRET_CHARS = 13;

/** A source of random bytes; crypto.getRandomValues in the app, a fixed one in tests. */
export type RandomBytes = (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>;

const cryptoBytes: RandomBytes = (bytes) => globalThis.crypto.getRandomValues(bytes);

/** A fresh room id: two readable words and 65 random bits, e.g. "calm-river-7kq3m9x2hdf4p". */
export function randomRoomId(randomBytes: RandomBytes = cryptoBytes): string {
  const bytes = randomBytes(new Uint8Array(2 + ROOM_SECRET_CHARS));
  const [a = 0, n = 0, ...rest] = bytes;
  // 20 words: a byte mod 20 is slightly uneven, which only matters for the words, not the secret.
  const secret = rest.map((b) => SECRET_ALPHABET[b & 31]).join("");
  return `${ADJECTIVES[a % ADJECTIVES.length]}-${NOUNS[n % NOUNS.length]}-${secret}`;
}

/**
 * Turns what someone typed ("Team Standup!", or a pasted room link) into a
 * valid room id, or null when nothing usable is left. Case is kept: rooms
 * are case-sensitive, so "TeamStandup" and "teamstandup" are two rooms.
 */
export function roomIdFromInput(input: string): string | null {
  let text = input.trim();
  const fromLink = /\/(?:r|embed)\/([^/?#]+)/.exec(text);
  if (fromLink?.[1]) text = safeDecode(fromLink[1]) ?? fromLink[1];
  const id = text
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return isValidRoomId(id) ? id : null;
}

/** decodeURIComponent that returns null for malformed escapes such as "%E0%A4%A". */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Why `raw` (a path segment, still percent-encoded) is not a room id, in plain words. */
export function whyNotRoomId(raw: string): string {
  const id = safeDecode(raw);
  if (id === null) return "The link is damaged: it has a broken %-escape, maybe cut off when it was copied.";
  if (id.length === 0) return "The room name is empty.";
  if (id.length > 64) return `Room names are at most 64 characters; this one has ${id.length}.`;
  const bad = [...new Set(id.replace(/[A-Za-z0-9_-]/g, ""))];
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map((c) => (c === " " ? "a space" : `“${c}”`));
    return `Room names use only letters A-Z, digits, - and _; this one has ${shown.join(", ")}${bad.length > 5 ? " and more" : ""}.`;
  }
  return "This is not a room name.";
}
