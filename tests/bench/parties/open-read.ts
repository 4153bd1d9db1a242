/**
 * A probe of the platform for the cold document load (bench:open-read): does
 * a socket's open into an evicted room wait for storage work its room did
 * while connecting? POST seeds a document-sized value; a socket's `?read=`
 * says what its onConnect does: `none` (nothing), `started` (starts a `list`
 * of the value, not awaited), `awaited` (awaits it, as y-partykit reads its
 * document), `write` / `write-unconfirmed` (starts a small `put`, without and
 * with `allowUnconfirmed`), `write-after` (the `put` from a 0 ms timer, after
 * onConnect returned), `alarm` / `alarm-unconfirmed` (starts a `setAlarm`).
 * GET gives the instance id, as partyroom's state does, so the probe can
 * check the room was evicted before the open it times, and whether a write
 * mode's write is in storage. Hibernating, as partyroom is. Bench-only
 * (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";

/** Where the seeded value lives; a `list` of it reads storage, not a cache, on a new instance. */
const PREFIX = "doc:";
/** What the write modes write. */
const WRITTEN = "written";
/** The alarm modes' alarm, never due while the probe runs (it would wake the room). */
const ALARM_IN_MS = 3_600_000;
/** Durable Objects take at most 128 KiB per value. */
const CHUNK_CHARS = 64 * 1024;

export default class OpenRead implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: true };
  private readonly instanceId = crypto.randomUUID();

  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request): Promise<Response> {
    if (req.method === "POST") {
      const bytes = Number(new URL(req.url).searchParams.get("bytes") ?? 0);
      const entries: Record<string, string> = {};
      for (let i = 0; i * CHUNK_CHARS < bytes; i++) entries[`${PREFIX}${i}`] = "x".repeat(Math.min(CHUNK_CHARS, bytes - i * CHUNK_CHARS));
      await this.room.storage.put(entries);
    }
    // Whether a write mode's write landed (a write from a timer after onConnect returned must not be dropped).
    const written = (await this.room.storage.get(WRITTEN)) !== undefined;
    return Response.json({ internals: { instanceId: this.instanceId }, written });
  }

  async onConnect(conn: Party.Connection, ctx: Party.ConnectionContext): Promise<void> {
    const read = new URL(ctx.request.url).searchParams.get("read");
    if (read === "started") void this.room.storage.list({ prefix: PREFIX });
    else if (read === "awaited") await this.room.storage.list({ prefix: PREFIX });
    else if (read === "write") void this.room.storage.put(WRITTEN, Date.now());
    else if (read === "write-unconfirmed") void this.room.storage.put(WRITTEN, Date.now(), { allowUnconfirmed: true });
    else if (read === "write-after") setTimeout(() => void this.room.storage.put(WRITTEN, Date.now()), 0);
    else if (read === "alarm") void this.room.storage.setAlarm(Date.now() + ALARM_IN_MS);
    else if (read === "alarm-unconfirmed") void this.room.storage.setAlarm(Date.now() + ALARM_IN_MS, { allowUnconfirmed: true });
  }

  /** Never due while the probe runs; here so a set alarm has a handler. */
  onAlarm(): void {}

  /** Answers the client's close frame, so its close completes instead of waiting for a timeout (as partyroom does). */
  onClose(conn: Party.Connection): void {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}
