/**
 * The JSON app protocol on text frames (PROTOCOL.md §3-6): one handler per
 * client message type, dispatched exhaustively. Every refusal is a typed
 * error; a bad frame never throws out of here.
 */
import {
  assertNever,
  type ChatMessage,
  type ClientMessage,
  clientIdFromKey,
  CloseCode,
  type Hello,
  LIMITS,
  parseClientMessage,
  PROTOCOL_VERSION,
  RATE_LIMIT,
  type ServerMessage,
  SUPPORTED_VERSIONS,
  USER_LIMITS,
} from "../protocol";
import type { Grant } from "./ports";
import type { RoomCore } from "./room";
import type { Session } from "./session";

/** Why a hello's version is refused, or null: the one version check, for sockets and HTTP sessions alike. */
export function versionRefusal(v: number): string | null {
  return SUPPORTED_VERSIONS.includes(v) ? null : `${CloseCode.VersionMismatch.reason} ${v}; this room speaks ${SUPPORTED_VERSIONS.join(", ")}`;
}

/**
 * Who a hello is. With a token, the token's user. In open rooms, the clientId
 * derived from the client's secret: its `key`, or for clients that send none,
 * the clientId it sent (never shown to anyone, so it works as the secret).
 * A hello naming someone else's public id therefore never becomes them.
 */
export function identityOf(grant: Grant, hello: Pick<Hello, "key" | "clientId">): string {
  return grant.userId || clientIdFromKey(hello.key ?? hello.clientId!);
}

/** Handles one text frame. */
export async function onText(core: RoomCore, s: Session, raw: string, now: number): Promise<void> {
  // Stock Yjs connections are never sent text; what they send as text only counts against them.
  if (s.kind === "yjs") return core.strike(s, now);
  if (isReadReport(raw)) {
    const parsed = parseClientMessage(raw);
    if (parsed.ok && parsed.message.type === "read" && s.readBucket.take(now)) readReport(core, s, parsed.message.bytes, now);
    return;
  }
  if (!s.bucket.take(now)) return refuseRate(core, s, now, peekRef(raw));
  const parsed = parseClientMessage(raw);
  // Heartbeats come at the protocol's pace and a hello once per connection (connections per user and address are
  // capped): the shared bucket is for the rest, or a room of many people behind one address (an office, a campus)
  // would refuse its own heartbeats.
  const shared = !parsed.ok || (parsed.message.type !== "heartbeat" && parsed.message.type !== "hello");
  if (shared && !core.limits.takeFrame(s.userKey, s.address, now)) {
    return core.refuse(s, now, "rate_limited", `more than ${USER_LIMITS.framePerSecond} messages a second from this user (or ${USER_LIMITS.addressFramePerSecond} from this address); retry in a second`, peekRef(raw));
  }
  if (!parsed.ok) return core.refuse(s, now, parsed.code, parsed.message, parsed.ref);
  const msg = parsed.message;
  if (s.kind === "pending" && msg.type !== "hello") return core.refuse(s, now, "hello_required", "the first message must be hello", msg.type);
  await dispatch(core, s, msg, now);
}

/** A heartbeat exactly as clients send it (no status), with its read report if any. */
const PLAIN_HEARTBEAT = /^\{"type":"heartbeat"(?:,"read":(0|[1-9]\d{0,14}))?\}$/;

/** The heartbeat in `raw` if it is a plain one (ASCII, so its length is its bytes), else null: parse it in full. */
export function plainHeartbeat(raw: string): { read: number | undefined } | null {
  const m = raw.length <= 48 ? PLAIN_HEARTBEAT.exec(raw) : null;
  return m ? { read: m[1] === undefined ? undefined : Number(m[1]) } : null;
}

/** A plain heartbeat from an app session, answered as `onText` would (RoomCore.frame calls it when nothing is queued). */
export function heartbeatNow(core: RoomCore, s: Session, beat: { read: number | undefined }, now: number): void {
  if (!s.bucket.take(now)) return refuseRate(core, s, now, "heartbeat");
  if (beat.read !== undefined) readReport(core, s, beat.read, now);
  core.send(s, { type: "pong", serverTime: now });
}

function refuseRate(core: RoomCore, s: Session, now: number, ref: string | undefined): void {
  core.refuse(s, now, "rate_limited", `more than ${RATE_LIMIT.perSecond} messages a second; retry in ${s.bucket.retryAfterMs(now)} ms`, ref);
}

async function dispatch(core: RoomCore, s: Session, msg: ClientMessage, now: number): Promise<void> {
  switch (msg.type) {
    case "hello":
      return hello(core, s, msg, now);
    case "heartbeat":
      if (msg.read !== undefined) readReport(core, s, msg.read, now);
      if (msg.status !== undefined) presence(core, s, { status: msg.status }, now);
      core.send(s, { type: "pong", serverTime: now });
      return;
    case "presence":
      return presence(core, s, { ...(msg.name !== undefined && s.grant.name === undefined ? { name: msg.name } : {}), ...(msg.color !== undefined ? { color: msg.color } : {}), ...(msg.status !== undefined ? { status: msg.status } : {}) }, now);
    case "chat": {
      const person = core.presence.person(s.clientId!);
      const result = await core.postChat(
        { user: s.userKey!, address: s.address, role: s.grant.role },
        { id: msg.id, clientId: s.clientId!, name: person?.name ?? "Guest", color: person?.color ?? "#888888", text: msg.text },
      );
      if ("error" in result) {
        core.counters.refused(result.error, now, s.id);
        return core.send(s, { type: "error", code: result.error, message: result.message, ref: msg.id });
      }
      return core.send(s, { type: "ack", id: result.message.id, seq: result.message.seq, ts: result.message.ts, duplicate: result.duplicate });
    }
    case "sync":
      return core.pageReads.run(async () => {
        if (s.ended) return;
        const page = await core.chat.after(msg.after, msg.limit ?? LIMITS.pageMax);
        core.send(s, { type: "messages", for: "sync", ...page, seq: core.chat.seq });
      });
    case "history":
      return core.pageReads.run(async () => {
        if (s.ended) return;
        const page = await core.chat.before(msg.before, msg.limit ?? LIMITS.pageDefault);
        core.send(s, { type: "messages", for: "history", ...page, seq: core.chat.seq });
      });
    case "auth":
      return refreshAuth(core, s, msg.token);
    case "read":
      return readReport(core, s, msg.bytes, now);
    default:
      assertNever(msg);
  }
}

async function hello(core: RoomCore, s: Session, msg: Hello, now: number): Promise<void> {
  if (s.kind === "app") return core.refuse(s, now, "already_hello", "hello was already accepted", "hello");
  const badVersion = versionRefusal(msg.v);
  if (badVersion) return core.close(s, { code: CloseCode.VersionMismatch.code, reason: badVersion });
  const clientId = identityOf(s.grant, msg);
  // In open rooms the user is known only now: the per-user connection limit is checked here.
  if (s.countedAs === null && !core.limits.userHasRoom(clientId)) return core.close(s, CloseCode.TooManyConnections);
  // Read the page first: from here to the welcome nothing awaits, so no broadcast reaches this connection before its welcome.
  const page = msg.lastSeq === undefined ? await core.chat.latest(LIMITS.welcomeLatest) : await core.chat.after(msg.lastSeq, LIMITS.pageMax);
  if (s.ended || s.kind !== "pending") return;
  s.state = { kind: "app", clientId };
  core.countUser(s);
  const delta = core.presence.join(s.id, { clientId, name: s.grant.name ?? msg.name, color: msg.color, status: msg.status ?? "active", updatedAt: now });
  sendWelcome(core, s, page.messages, now);
  core.broadcastPresence(delta, s);
  core.save(s);
  core.promoted(s);
  await core.yjs.greet(s);
}

/** The snapshot an app connection starts from (after hello, and again after an HTTP session's gap). */
export function sendWelcome(core: RoomCore, s: Session, messages: ChatMessage[], now: number): void {
  const welcome: ServerMessage = {
    type: "welcome",
    v: PROTOCOL_VERSION,
    roomId: core.deps.roomId,
    connectionId: s.id,
    clientId: s.clientId!,
    // The current seq, which may be past the page's last message if a post landed while the page was read: the client then fills the gap by `sync`.
    seq: core.chat.seq,
    presence: core.presence.listedFor(s.clientId!),
    people: core.presence.count,
    messages,
    heartbeatMs: core.config.heartbeatMs,
    ttlMs: core.config.ttlMs,
    serverTime: now,
    role: s.grant.role,
    ...(Number.isFinite(s.grant.exp) ? { authExp: s.grant.exp } : {}),
  };
  // A greeting to flow control: it carries the list (some 34 KB at 200 people), and a joiner downloading it is not behind.
  core.send(s, welcome, "greeting");
}

function presence(core: RoomCore, s: Session, patch: Parameters<RoomCore["presence"]["update"]>[1], now: number): void {
  const delta = core.presence.update(s.id, patch, now);
  if (!delta) return;
  // Someone past the list changes only what they see of themselves: their own tabs hear it, nobody else.
  if (core.presence.isListed(s.clientId!)) core.broadcastPresence(delta);
  else core.sendToPerson(s.clientId!, delta);
  core.save(s);
}

/** The client has read `bytes` in all: held frames may go out. */
function readReport(core: RoomCore, s: Session, bytes: number, now: number): void {
  if (!s.reportsReads) {
    s.reportsReads = true;
    core.save(s);
  }
  if (s.flow.onRead(bytes, now)) core.release(s);
}

/**
 * A token refresh over the open connection: same checks as at the edge. The
 * user must stay the same; the role and expiry may change. In open rooms
 * tokens are not checked and the reply says so (`authExp` 0).
 */
async function refreshAuth(core: RoomCore, s: Session, token: string): Promise<void> {
  const verify = core.deps.verifyToken;
  if (!verify) return core.send(s, { type: "auth", role: s.grant.role, authExp: 0 });
  const grant = await verify(token);
  if ("status" in grant) return core.send(s, { type: "error", code: grant.status === 401 ? "unauthorized" : "forbidden", message: grant.reason, ref: "auth" });
  if (grant.userId !== s.grant.userId) return core.send(s, { type: "error", code: "forbidden", message: "a refreshed token must be for the same user", ref: "auth" });
  s.grant = grant;
  core.save(s);
  core.armFor(s);
  core.send(s, { type: "auth", role: grant.role, authExp: grant.exp });
}

/** A read report is small and frequent: recognised before the rate limit so it never spends the client's frame budget. */
function isReadReport(raw: string): boolean {
  return raw.length < 64 && raw.startsWith('{"type":"read"');
}

/**
 * Best-effort `ref` of a frame refused before parsing, as for parse errors:
 * a chat frame's `id`, else the frame's `type` (so a client can tell that its
 * `sync` or `history` request was refused and ask again later).
 */
function peekRef(raw: string): string | undefined {
  const head = raw.slice(0, 2048);
  return /"id"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(head)?.[1] ?? /"type"\s*:\s*"([a-z]{1,16})"/.exec(head)?.[1];
}
