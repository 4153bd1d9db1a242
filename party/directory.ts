/**
 * The directory party (`/parties/directory/rooms`): one instance that every
 * room reports to (core/directory-report.ts) and that lists them for
 * operators (core/directory.ts). From outside only admins may read it
 * (`/list`, `/metrics`); reports arrive party to party, straight to the
 * instance, so the edge refuses every other request.
 */
import type * as Party from "partykit/server";
import { Directory } from "./core/directory";
import type { RoomStorage } from "./core/ports";
import { PROMETHEUS_CONTENT_TYPE } from "./core/prometheus";
import { adminSecretOf, isAdmin, markAdmin, provesAdmin } from "./host/admin";
import { httpError, json } from "./host/http-response";
import { discardUnreadBody } from "./host/request-body";
import { DIRECTORY_ID, DIRECTORY_PATHS, DIRECTORY_PARTY, type DirectoryReport } from "./protocol";

export default class DirectoryParty implements Party.Server {
  readonly options: Party.ServerOptions = { hibernate: true };
  private directory!: Directory;

  constructor(readonly room: Party.Room) {}

  /** Only admins, only GET, only the one instance; no sockets at all. */
  static async onBeforeRequest(req: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    const secret = adminSecretOf(lobby.env);
    if (secret === null || lobby.id !== DIRECTORY_ID) return httpError("not_found", "no such endpoint");
    const admin = await provesAdmin(req as unknown as Request, secret);
    if (!admin) return httpError("unauthorized", "the directory needs the admin secret (Authorization: Bearer …)");
    if (req.method !== "GET") return httpError("method_not_allowed", "use GET", { allow: "GET" });
    return markAdmin(req as unknown as Request, true) as unknown as Party.Request;
  }

  static onBeforeConnect(): Response {
    return httpError("not_found", "the directory takes no sockets");
  }

  async onStart(): Promise<void> {
    await this.room.blockConcurrencyWhile(async () => {
      this.directory = await Directory.load(this.room.storage as unknown as RoomStorage);
    });
  }

  async onRequest(req: Party.Request): Promise<Response> {
    const res = await this.route(req as unknown as Request);
    await discardUnreadBody(req as unknown as Request);
    return res;
  }

  private async route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.slice(`/parties/${DIRECTORY_PARTY}/${DIRECTORY_ID}`.length).replace(/\/$/, "");
    // Reports come party to party (never through onBeforeRequest, which lets only admin GETs in).
    if (request.method === "POST" && path === "/report" && !isAdmin(request)) return this.report(request);
    if (!isAdmin(request)) return httpError("unauthorized", "the directory needs the admin secret");
    if (path === DIRECTORY_PATHS.list || path === "") return json(this.directory.list());
    if (path === DIRECTORY_PATHS.metrics) return new Response(this.directory.metrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
    return httpError("not_found", `no such endpoint: ${path}`);
  }

  private async report(req: Request): Promise<Response> {
    let report: DirectoryReport;
    try {
      report = (await req.json()) as DirectoryReport;
    } catch {
      return httpError("bad_json", "a report is JSON");
    }
    if (typeof report?.room !== "string" || typeof report.connections !== "number" || typeof report.reportedAt !== "number" || (report.startedAt !== undefined && typeof report.startedAt !== "number")) return httpError("bad_message", "not a room report");
    await this.directory.apply(report, Date.now());
    return new Response(null, { status: 204 });
  }
}
