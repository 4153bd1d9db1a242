/**
 * The one id rule: room ids, client ids, chat message ids and session ids are
 * 1-64 of `A-Z a-z 0-9 _ -`. Written once here; every schema and check uses it.
 */
import { z } from "zod";

/** Room ids, clientIds, chat message ids: letters, digits, `_` and `-`, 1 to 64 of them. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The zod form of the id rule. */
export const idSchema = z.string().regex(ID_PATTERN, "1-64 of A-Z a-z 0-9 _ -");

/** True when `id` follows the id rule. */
export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Room ids follow the id rule; checked at the edge and again by the room. */
export const isValidRoomId = isValidId;

/** HTTP session ids are UUIDs (crypto.randomUUID). */
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
