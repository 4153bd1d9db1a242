/**
 * Version history over HTTP (PROTOCOL.md §16): what a version says about
 * itself, the request bodies for naming and restoring, and the replies.
 * A version is the whole document at one moment; restoring one makes the
 * document's text that version's text again, as a new change.
 */
import { z } from "zod";
import { roomPath } from "./http";
import { LIMITS, VERSIONS } from "./limits";
import { clientKeySchema } from "./messages";

/** auto: saved by the room; named: saved on request with a name; restore: the document right after a restore. */
export const VERSION_KINDS = ["auto", "named", "restore"] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

/** Someone who edited or acted: a user id (token `sub` or public clientId; "" for a stock Yjs client in an open room) and a name. */
export type VersionPerson = { id: string; name: string };

/** One version as the API shows it. */
export type VersionInfo = {
  /** 1, 2, 3, … in the order versions were saved; never reused while the room has a later one. */
  id: number;
  kind: VersionKind;
  /** Server time it was saved (ms since epoch). */
  at: number;
  /** Named versions only. */
  name?: string;
  /** Who edited the document since the previous version (at most VERSIONS.editorsMax; `moreEditors` counts the rest). */
  editors: VersionPerson[];
  moreEditors?: number;
  /** Who named it, or who restored (named and restore versions). */
  by?: VersionPerson;
  /** Restore versions: the version whose text was restored. */
  restoredFrom?: number;
  /** Size of the stored document state (a Yjs update), bytes. */
  bytes: number;
  /** Length of its text, in UTF-16 code units. */
  chars: number;
};

/** A named version the budget made the room drop (the list keeps the latest VERSIONS.droppedNamedMax). */
export type DroppedVersion = { id: number; name: string; at: number; droppedAt: number };

/** `GET …/versions`: newest first. */
export type VersionList = {
  versions: VersionInfo[];
  /** Bytes the listed versions take, and the room's budget for them. */
  usedBytes: number;
  budgetBytes: number;
  droppedNamed: DroppedVersion[];
};

/** `201` reply to `POST …/versions`: the new version, and what the retention rule and budget dropped. */
export type VersionSaved = { version: VersionInfo; dropped: VersionInfo[] };

/** `201` reply to `POST …/versions/<id>/restore`: the restore version, and the version saved just before (null when the newest version already was the document). */
export type VersionRestored = { version: VersionInfo; before: VersionInfo | null; dropped: VersionInfo[] };

/** Who is asking, in open rooms (with a token the token says): the client key proves a clientId, as in hello; `author` is a display name. */
const actor = {
  key: clientKeySchema.optional(),
  author: z.string().trim().min(1).max(LIMITS.nameMax).optional(),
};

/** Body of `POST …/versions`. */
export const versionCreateSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .refine((s) => s.length <= VERSIONS.nameMax, `at most ${VERSIONS.nameMax} UTF-16 code units`),
  ...actor,
});
export type VersionCreate = z.infer<typeof versionCreateSchema>;

/** Body of `POST …/versions/<id>/restore` (may be empty). */
export const versionRestoreSchema = z.object(actor);
export type VersionRestore = z.infer<typeof versionRestoreSchema>;

/** A version id in a path: a positive integer without leading zeros. */
export const VERSION_ID_PATTERN = /^[1-9][0-9]{0,9}$/;

/** Path of the version list, or of one version (`sub`: "", "/restore"). */
export function versionsPath(room: string, id?: number, sub = ""): string {
  return roomPath(room, `/versions${id === undefined ? "" : `/${id}${sub}`}`);
}
