/**
 * The version history's HTTP routes (PROTOCOL.md §16), under
 * `/parties/main/<room>/versions`: list, read one (text or Yjs update), name
 * the current state, restore. Reading takes any role; naming and restoring
 * take the edit role, as editing does.
 */
import { z } from "zod";
import type { Grant } from "../core/ports";
import type { RoomCore } from "../core/room";
import { versionText } from "../core/versions";
import { can, clientIdFromKey, LIMITS, VERSION_ID_PATTERN, versionCreateSchema, versionRestoreSchema, type VersionList, type VersionPerson, type VersionRestored, type VersionSaved } from "../protocol";
import { grantFrom } from "./auth";
import { methodNotAllowed } from "./http";
import { readBody } from "./request-body";
import { CORS, httpError, json } from "./http-response";

/** Routes `…/versions<sub>` (sub: "", "/<id>", "/<id>/restore"). */
export async function versionsRoute(req: Request, url: URL, core: RoomCore, sub: string): Promise<Response> {
  if (sub === "") {
    if (req.method === "GET") return json((await core.versions.list()) satisfies VersionList);
    if (req.method === "POST") return create(req, core);
    return methodNotAllowed("GET, POST");
  }
  const m = /^\/([^/]+)(\/restore)?$/.exec(sub);
  if (!m || !VERSION_ID_PATTERN.test(m[1]!)) return httpError("not_found", `no such endpoint: /versions${sub}`);
  const id = Number(m[1]);
  if (m[2]) return req.method === "POST" ? restore(req, core, id) : methodNotAllowed("POST");
  return req.method === "GET" ? read(url, core, id) : methodNotAllowed("GET");
}

async function read(url: URL, core: RoomCore, id: number): Promise<Response> {
  const format = url.searchParams.get("format") ?? "text";
  if (format !== "text" && format !== "yjs") return httpError("bad_message", "format is text or yjs");
  const state = await core.versions.read(id);
  if (!state) return missing(id);
  const headers = { "cache-control": "no-store", ...CORS };
  if (format === "yjs") return new Response(new Blob([state as Uint8Array<ArrayBuffer>]), { headers: { "content-type": "application/octet-stream", ...headers } });
  return new Response(versionText(state), { headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

async function create(req: Request, core: RoomCore): Promise<Response> {
  const grant = grantFrom(req.headers);
  if (!can(grant.role, "edit")) return httpError("forbidden", `a ${grant.role} connection cannot save versions`);
  const body = await parse(req, versionCreateSchema);
  if (body instanceof Response) return body;
  const saved = await core.versions.create(body.name, actor(core, grant, body));
  return json(saved satisfies VersionSaved, 201);
}

async function restore(req: Request, core: RoomCore, id: number): Promise<Response> {
  const grant = grantFrom(req.headers);
  if (!can(grant.role, "edit")) return httpError("forbidden", `a ${grant.role} connection cannot restore versions`);
  const body = await parse(req, versionRestoreSchema);
  if (body instanceof Response) return body;
  const result = await core.versions.restore(id, actor(core, grant, body));
  if ("error" in result) return httpError(result.error, result.message);
  return json(result satisfies VersionRestored, 201);
}

/** Reads a JSON body (an empty one is `{}`) and checks it against `schema`. */
async function parse<T>(req: Request, schema: z.ZodType<T>): Promise<T | Response> {
  const raw = await readBody(req, LIMITS.httpBodyBytes);
  if (raw instanceof Response) return raw;
  let data: unknown = {};
  if (raw.byteLength > 0) {
    try {
      data = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return httpError("bad_json", "body is not valid JSON");
    }
  }
  const parsed = schema.safeParse(data);
  return parsed.success ? parsed.data : httpError("bad_message", z.prettifyError(parsed.error).slice(0, 300));
}

/** Who names or restores: the token's user, else the clientId the key proves (as in hello), else nobody in particular; named as they are in the room. */
function actor(core: RoomCore, grant: Grant, body: { key?: string | undefined; author?: string | undefined }): VersionPerson {
  const id = grant.userId || (body.key ? clientIdFromKey(body.key) : "");
  return { id, name: grant.name ?? (id ? core.presence.person(id)?.name : undefined) ?? body.author ?? "" };
}

function missing(id: number): Response {
  return httpError("version_not_found", `this room has no version ${id} (it may have been dropped by the retention rule)`);
}
