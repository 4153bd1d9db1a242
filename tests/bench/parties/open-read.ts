/**
 * A probe of the platform for the cold document load (bench:open-read): does
 * a socket's open wait for a storage read its room started while connecting,
 * when the room does not wait for it? A room reading its document at the
 * connect, to have it by the client's sync step 1, is only faster if not (and
 * if applying the document, CPU in the same isolate, does not hold it instead:
 * this probe reads and applies nothing).
 * POST seeds a document-sized value; a socket's `?read=` says what its
 * onConnect does with it: `none` (nothing), `started` (starts a `list`, not
 * awaited), `awaited` (awaits the `list`, as y-partykit reads its document).
 * GET gives the instance id, as partyroom's state does, so the probe can
 * check the room was evicted before the open it times. Hibernating, as
 * partyroom is. Bench-only (tests/bench/partykit.json).
 */
import type * as Party from "partykit/server";

/** Where the seeded value lives; a `list` of it reads storage, not a cache, on a new instance. */
const PREFIX = "doc:";
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
    return Response.json({ internals: { instanceId: this.instanceId } });
  }

  async onConnect(conn: Party.Connection, ctx: Party.ConnectionContext): Promise<void> {
    const read = new URL(ctx.request.url).searchParams.get("read");
    if (read === "started") void this.room.storage.list({ prefix: PREFIX });
    else if (read === "awaited") await this.room.storage.list({ prefix: PREFIX });
  }

  /** Answers the client's close frame, so its close completes instead of waiting for a timeout (as partyroom does). */
  onClose(conn: Party.Connection): void {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}
