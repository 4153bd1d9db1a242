/**
 * The room's version history over HTTP (PROTOCOL.md §16), for the history
 * panel: list, read a version's text, name the current state, restore. A
 * refusal comes back as a VersionsError with the room's typed code.
 */
import { type ErrorCode, type HttpError, type VersionList, type VersionRestored, type VersionSaved, versionsPath } from "../../../party/protocol";

/** A request the room refused (or that never reached it: code "network"). */
export class VersionsError extends Error {
  constructor(
    readonly code: ErrorCode | "network",
    message: string,
  ) {
    super(message);
  }
}

export type VersionsApi = {
  list(): Promise<VersionList>;
  text(id: number): Promise<string>;
  create(name: string): Promise<VersionSaved>;
  restore(id: number): Promise<VersionRestored>;
};

type Options = {
  roomId: string;
  /** The page's room token, if it has one (sent as `?token=`: CORS does not allow `authorization`). */
  token: string | undefined;
  /** This browser's client key: in open rooms it shows who named or restored. */
  clientKey: string;
  /** Origin of the rooms; default: this page's. */
  origin?: string;
  fetch?: typeof fetch;
};

/** The API for one room. */
export function versionsApi(options: Options): VersionsApi {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const url = (id?: number, sub?: string) => {
    const u = new URL(versionsPath(options.roomId, id, sub), options.origin ?? location.origin);
    if (options.token) u.searchParams.set("token", options.token);
    return u.toString();
  };
  const request = async (target: string, init?: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(target, { cache: "no-store", ...init });
    } catch {
      throw new VersionsError("network", "The room could not be reached. Check the connection and try again.");
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as HttpError | null;
    throw new VersionsError(body?.error.code ?? "internal", body?.error.message ?? `The room answered ${res.status}.`);
  };
  const post = async <T>(target: string, body: unknown): Promise<T> =>
    (await request(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json() as Promise<T>;
  return {
    list: async () => (await request(url())).json() as Promise<VersionList>,
    text: async (id) => (await request(url(id))).text(),
    create: (name) => post<VersionSaved>(url(), { name, key: options.clientKey }),
    restore: (id) => post<VersionRestored>(url(id, "/restore"), { key: options.clientKey }),
  };
}
