/**
 * Identities nobody can borrow, in open rooms: a client keeps a secret `key`
 * and its public clientId is derived from it, so showing a clientId proves
 * nothing and claiming one takes its key. Both the room and the client derive
 * it the same way (synchronously, so a client knows its id before it connects).
 */
import { digest } from "lib0/hash/sha256";

/** Prefix of key-derived clientIds (guest ids for key-less hellos start with "g"). */
const DERIVED_PREFIX = "k";

/** The public clientId of a client key: "k" + the first 128 bits of SHA-256("partyroom/client/" + key), in hex. */
export function clientIdFromKey(key: string): string {
  const hash = digest(new TextEncoder().encode(`partyroom/client/${key}`));
  let hex = "";
  for (let i = 0; i < 16; i++) hex += hash[i]!.toString(16).padStart(2, "0");
  return DERIVED_PREFIX + hex;
}
