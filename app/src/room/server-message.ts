/**
 * Validation of the server's JSON frames at the client's boundary: the
 * client acts only on frames that match the protocol's ServerMessage shapes.
 * Unknown extra fields pass through (new fields are optional by protocol rule);
 * an unknown `type` or a malformed frame is dropped, never thrown.
 */
import { z } from "zod";
import type { ServerMessage } from "../../../party/protocol";

const person = z.object({
  clientId: z.string(),
  name: z.string(),
  color: z.string(),
  status: z.enum(["active", "idle", "away"]),
  connections: z.number(),
  lastSeen: z.number(),
});

const chatMessage = z.object({
  seq: z.number().int(),
  id: z.string(),
  clientId: z.string(),
  name: z.string(),
  color: z.string(),
  text: z.string(),
  ts: z.number(),
});

const serverMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    v: z.number(),
    roomId: z.string(),
    connectionId: z.string(),
    seq: z.number().int(),
    presence: z.array(person),
    messages: z.array(chatMessage),
    heartbeatMs: z.number().positive(),
    ttlMs: z.number(),
    serverTime: z.number(),
    role: z.enum(["view", "chat", "edit"]).optional(),
    authExp: z.number().optional(),
  }),
  z.object({ type: z.literal("auth"), role: z.enum(["view", "chat", "edit"]), authExp: z.number().optional() }),
  z.object({
    type: z.literal("presence"),
    join: z.array(person).optional(),
    update: z.array(person).optional(),
    leave: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal("chat"), message: chatMessage }),
  z.object({ type: z.literal("ack"), id: z.string(), seq: z.number().int(), ts: z.number(), duplicate: z.boolean() }),
  z.object({
    type: z.literal("messages"),
    for: z.enum(["sync", "history"]),
    messages: z.array(chatMessage),
    hasMore: z.boolean(),
    seq: z.number().int(),
  }),
  z.object({ type: z.literal("pong"), serverTime: z.number() }),
  z.object({
    type: z.literal("error"),
    // Codes are an open set for old clients: any string is kept, and matched by value.
    code: z.string(),
    message: z.string(),
    ref: z.string().optional(),
  }),
]);

/** Parses one text frame from the server; null if it is not a message this client understands. */
export function parseServerMessage(raw: string): ServerMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(data);
  // The schema mirrors ServerMessage except that `error.code` is widened to string.
  return parsed.success ? (parsed.data as ServerMessage) : null;
}
