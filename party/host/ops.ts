/**
 * A room's operator tools, wired to its core when it starts: webhooks (when
 * PARTYROOM_WEBHOOK_URL and PARTYROOM_WEBHOOK_SECRET are set), the directory
 * reporter, the storage meter, the wake-up count kept in storage, and the
 * admin-only routes `…/inspect` and `…/metrics` (PROTOCOL.md §15).
 */
import { DirectoryReporter } from "../core/directory-report";
import { inspect, type OpsParts } from "../core/inspect";
import { roomMetrics } from "../core/metrics";
import { PROMETHEUS_CONTENT_TYPE } from "../core/prometheus";
import type { RoomCore } from "../core/room";
import { StorageMeter } from "../core/storage-usage";
import { webhookSigner } from "../core/webhook-signing";
import { type Post, Webhooks } from "../core/webhooks";
import { INSPECT_PAGE_DEFAULT, ROOM_ADMIN_PATHS, roomPath } from "../protocol";
import { adminSecretOf, isAdmin } from "./admin";
import { directorySender } from "./directory-link";
import { httpError, json } from "./http-response";

/** Environment variables for webhooks. */
export const WEBHOOK_ENV = { url: "PARTYROOM_WEBHOOK_URL", secret: "PARTYROOM_WEBHOOK_SECRET" } as const;

const WAKEUPS_KEY = "ops:wakeups";

/** What the host keeps of a room's operator tools. */
export class RoomOps implements OpsParts {
  private constructor(
    private readonly core: RoomCore,
    readonly meter: StorageMeter,
    readonly webhooks: Webhooks | null,
    readonly reporter: DirectoryReporter,
    readonly wakeupsTotal: number,
  ) {}

  /** Attaches everything to a core that was just built (every wake counts one wake-up). */
  static async attach(core: RoomCore, env: Record<string, unknown>, track: (p: Promise<unknown>) => void): Promise<RoomOps> {
    const log = (message: string, err?: unknown) => core.deps.log?.(message, err);
    // Read together and not waited on to write: this runs before a woken room serves its first client.
    const [stored, reporter, webhooks] = await Promise.all([
      core.deps.storage.get<number>(WAKEUPS_KEY),
      DirectoryReporter.attach(core, directorySender(track, log)),
      attachWebhooks(core, env, log),
    ]);
    const wakeups = (stored ?? 0) + 1;
    // Written after the wake's first event has answered: a write during it held the first client's open (bench:open-read).
    const later = core.deps.afterReply ?? ((fn: () => void) => fn());
    later(() => void core.deps.storage.put(WAKEUPS_KEY, wakeups).catch((err: unknown) => log("partyroom: counting a wake-up failed", err)));
    return new RoomOps(core, new StorageMeter(core.deps.storage), webhooks, reporter, wakeups);
  }

  /** Answers an admin route (`/inspect`, `/metrics`), or null when `path` is not one. */
  async route(req: Request, env: Record<string, unknown>): Promise<Response | null> {
    const url = new URL(req.url);
    const path = url.pathname.slice(roomPath(this.core.deps.roomId).length).replace(/\/$/, "");
    if (path !== ROOM_ADMIN_PATHS.inspect && path !== ROOM_ADMIN_PATHS.metrics) return null;
    // Without an admin secret these routes do not exist at all.
    if (adminSecretOf(env) === null) return httpError("not_found", `no such endpoint: ${path}`);
    if (!isAdmin(req)) return httpError("unauthorized", "operator endpoints need the admin secret (Authorization: Bearer …)");
    if (req.method !== "GET") return httpError("method_not_allowed", "use GET", { allow: "GET" });
    const now = this.core.now();
    if (path === ROOM_ADMIN_PATHS.inspect) {
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? INSPECT_PAGE_DEFAULT);
      return json(await inspect(this.core, this, offset, limit));
    }
    await this.core.loadDoc();
    const text = roomMetrics(this.core, { wakeupsTotal: this.wakeupsTotal, storage: await this.meter.usage(now), webhooks: this.webhooks?.status() ?? null });
    return new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
  }
}

async function attachWebhooks(core: RoomCore, env: Record<string, unknown>, log: (message: string, err?: unknown) => void): Promise<Webhooks | null> {
  const url = env[WEBHOOK_ENV.url];
  const secret = env[WEBHOOK_ENV.secret];
  if (typeof url !== "string" || url === "") return null;
  if (typeof secret !== "string" || secret === "") {
    log(`partyroom: ${WEBHOOK_ENV.url} is set without ${WEBHOOK_ENV.secret}: webhooks are off (they are never sent unsigned)`);
    return null;
  }
  try {
    return await Webhooks.attach(core, { url, signer: webhookSigner(secret), post: postWithFetch });
  } catch (err) {
    log("partyroom: webhooks are off", err);
    return null;
  }
}

/** One POST with a deadline; never throws. */
const postWithFetch: Post = async (url, headers, body, timeoutMs) => {
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await res.body?.cancel();
    return { status: res.status };
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : "request failed" };
  }
};
