/**
 * Who this browser is in a room: a secret key (kept in localStorage, so every
 * tab of one browser folds into one person) from which its public clientId is
 * derived (nobody can claim that id without the key), plus a readable random
 * name and a colour the person can change later.
 */
import { clientIdFromKey, LIMITS } from "../../../party/protocol";
import type { KeyValueStore } from "./pending";
import type { Identity } from "./types";

const ADJECTIVES = ["Quiet", "Brave", "Clever", "Gentle", "Swift", "Sunny", "Witty", "Calm", "Lucky", "Bold", "Merry", "Nimble", "Curious", "Jolly", "Keen", "Misty"];
const ANIMALS = ["Otter", "Fox", "Heron", "Badger", "Lynx", "Panda", "Falcon", "Koala", "Marten", "Puffin", "Walrus", "Gecko", "Bison", "Ibex", "Owl", "Seal"];
/** Readable on white and on dark backgrounds; cursor labels use them too. */
export const COLORS = ["#e03131", "#c2255c", "#9c36b5", "#6741d9", "#3b5bdb", "#1971c2", "#0c8599", "#099268", "#2f9e44", "#66a80f", "#e8590c", "#f08c00"];

const STORAGE_KEY = "partyroom:identity";
const KEY_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
/** Key length: 32 characters of 64 symbols, 192 bits. */
const KEY_LENGTH = 32;
const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/**
 * A random id valid as a clientId or chat message id (`[A-Za-z0-9_-]`).
 * Uses getRandomValues, which (unlike randomUUID) also works on plain-http origins.
 */
export function randomId(length = 16): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += alphabet[b & 63];
  return out;
}

/** A name like "Quiet Otter" and a palette colour. `random` is injectable for tests. */
export function randomPersona(random: () => number = Math.random): Pick<Identity, "name" | "color"> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return { name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: pick(COLORS) };
}

/** The default localStorage, or null where there is none or it is blocked (Node, privacy modes). */
export function browserStorage(): KeyValueStore | null {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStore }).localStorage;
    return storage ?? null;
  } catch {
    return null;
  }
}

/** Trims a display name to what the server accepts, or null if nothing is left. */
export function cleanName(name: string): string | null {
  const trimmed = name.trim().slice(0, LIMITS.nameMax).trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** True for a `#rrggbb` colour, the only form the server accepts. */
export function isColor(color: string): boolean {
  return COLOR_PATTERN.test(color);
}

/**
 * The identity saved in `storage` (default: localStorage) under `slot`,
 * created and saved on first use. Without storage (Node) a fresh identity is
 * returned each call.
 */
export function loadIdentity(storage: KeyValueStore | null = browserStorage(), slot = STORAGE_KEY): Identity {
  const saved = readSaved(storage, slot);
  if (saved) return saved;
  const key = randomId(KEY_LENGTH);
  const identity: Identity = { key, clientId: clientIdFromKey(key), ...randomPersona() };
  saveIdentity(identity, storage, slot);
  return identity;
}

/**
 * Where an embed given `name="…"` keeps its own person: such a frame speaks
 * for someone the embedding site named, not for this browser's own identity
 * (which every other frame and tab of the rooms' origin shares).
 */
export function namedIdentityKey(name: string): string {
  return `${STORAGE_KEY}:named:${name}`;
}

/** Saves name/colour changes so the next visit keeps them. */
export function saveIdentity(identity: Identity, storage: KeyValueStore | null = browserStorage(), slot = STORAGE_KEY): void {
  try {
    // The public clientId is derived from the key, never stored.
    const { key, name, color } = identity;
    storage?.setItem(slot, JSON.stringify({ key, name, color }));
  } catch {
    // Storage full or blocked: the identity just does not persist.
  }
}

function readSaved(storage: KeyValueStore | null, slot: string): Identity | null {
  try {
    const raw = storage?.getItem(slot);
    if (!raw) return null;
    const data = JSON.parse(raw) as Record<string, unknown>;
    const { key, name, color } = data;
    // An identity saved before keys existed has none: it gets a new one (and so a new public id).
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) return null;
    const persona = randomPersona();
    return {
      key,
      clientId: clientIdFromKey(key),
      name: (typeof name === "string" && cleanName(name)) || persona.name,
      color: typeof color === "string" && isColor(color) ? color : persona.color,
    };
  } catch {
    return null;
  }
}
