/**
 * The HTTP side of the protocol (PROTOCOL.md §7 and §9): paths, request
 * bodies, and the shapes of responses, SSE events and long polls. Full state
 * comes from here; sockets carry deltas.
 */
import { z } from "zod";
import type { ErrorCode } from "./codes";
import { idSchema } from "./ids";
import { chatTextSchema, clientKeySchema, type ChatMessage } from "./messages";
import { LIMITS } from "./limits";

/** The party rooms live under: `/parties/main/<room>`. */
export const ROOM_PARTY = "main";

/** The path of a room (and of everything under it). */
export function roomPath(room: string, sub = ""): string {
  return `/parties/${ROOM_PARTY}/${room}${sub}`;
}

/** Headers a browser may send cross-origin (no `authorization`: browsers pass tokens as `?token=`). */
export const CORS_ALLOWED_HEADERS = "content-type, last-event-id";
export const CORS_ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * Body of `POST …/messages`: the same idempotency as over a socket. In open
 * rooms the sender is proven by `key` (as in hello); with a token, by the token.
 */
export const httpChatSchema = z
  .object({
    clientId: idSchema.optional(),
    key: clientKeySchema.optional(),
    id: idSchema,
    text: chatTextSchema,
    name: z.string().trim().min(1).max(LIMITS.nameMax).optional(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  })
  .refine((b) => b.clientId !== undefined || b.key !== undefined, { message: "a post carries a clientId or a key", path: ["clientId"] });
export type HttpChat = z.infer<typeof httpChatSchema>;

/** `201`/`200` reply to a chat post. */
export type HttpChatReply = { message: ChatMessage; duplicate: boolean };

/** Every HTTP error body. */
export type HttpError = { error: { code: ErrorCode; message: string } };

/** `201` reply to `POST …/sessions`. */
export type SessionOpened = {
  session: string;
  send: string;
  events: string;
  poll: string;
  heartbeatMs: number;
  ttlMs: number;
};

/** SSE event names on `…/sessions/<id>/events`. */
export const SseEvent = { message: "message", yjs: "yjs", close: "close" } as const;

/** One event of a long-poll reply: a text frame as JSON, or a binary frame in base64. */
export type PollEvent = { id: number; message: unknown } | { id: number; yjs: string };
/** A long-poll reply. */
export type PollReply = { events: PollEvent[]; last: number; closed?: { code: number; reason: string } };
