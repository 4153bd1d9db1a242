/**
 * Version history's timing, retention and budget on a real `partykit dev`,
 * with the windows shrunk by env vars so real time can cover them (the rules
 * themselves are unit-tested on a fake clock: tests/unit/version-rules.test.ts):
 * automatic versions at most every PARTYROOM_VERSIONS_EVERY_MS while edits
 * arrive; everything of the last KEEP_ALL_MS kept, then one per PERIOD_MS,
 * nothing automatic past KEEP_MS; the budget dropping automatic versions
 * first and a named one only with a notice; roles (this server needs tokens).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { mintToken } from "../../party/host/auth";
import type { Role, VersionInfo, VersionList, VersionSaved } from "../../party/protocol";
import { Clients, connected, docText } from "../helpers/room";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

const SECRET = "versions-secret-0123456789";
const EVERY_MS = 1_000;
const KEEP_ALL_MS = 3_000;
const PERIOD_MS = 2_000;
const KEEP_MS = 8_000;
const BUDGET = 150_000;
/** Slack for the few milliseconds between a version's time and the moment the room prunes. */
const SLACK_MS = 300;

let server: DevServer;
const clients = new Clients();
before(async () => {
  server = await startServer({
    vars: {
      PARTYROOM_TOKEN_SECRET: SECRET,
      PARTYROOM_VERSIONS_EVERY_MS: String(EVERY_MS),
      PARTYROOM_VERSIONS_KEEP_ALL_MS: String(KEEP_ALL_MS),
      PARTYROOM_VERSIONS_PERIOD_MS: String(PERIOD_MS),
      PARTYROOM_VERSIONS_KEEP_MS: String(KEEP_MS),
      PARTYROOM_VERSIONS_BUDGET_BYTES: String(BUDGET),
    },
  });
});
after(async () => {
  clients.destroyAll();
  await server.stop();
});

const token = (room: string, role: Role, userId = `user-${role}`) => mintToken(SECRET, { room, role, userId, name: userId, ttlSeconds: 600 });
const host = () => server.http.replace(/^http:\/\//, "");

async function call<T>(room: string, path: string, role: Role, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await withTimeout(fetch(`${server.http}/parties/main/${room}/versions${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${await token(room, role)}` } }), 15_000, "versions request");
  return { status: res.status, body: ((res.headers.get("content-type") ?? "").startsWith("application/json") ? await res.json() : await res.text()) as T };
}
const list = async (room: string) => (await call<VersionList>(room, "", "view")).body;
const name = (room: string, versionName: string) => call<VersionSaved>(room, "", "edit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: versionName }) });

/** An editor with a token who appends `piece` every `everyMs` until stopped. */
async function typist(room: string, user: string, piece: string, everyMs: number) {
  const c = clients.join(host(), room, user, { token: await token(room, "edit", user) });
  await connected(c, user);
  const timer = setInterval(() => c.doc.getText("content").insert(docText(c).length, piece), everyMs);
  return { client: c, stop: () => clearInterval(timer) };
}

test("roles: view may list and read; only edit may name or restore", async () => {
  const room = uniqueRoom("ver-roles");
  const ada = await typist(room, "ada", "a", 10_000);
  ada.client.doc.getText("content").insert(0, "some text");
  await until(async () => !ada.client.getSnapshot().docUnsynced, "the room to hold the text");
  const saved = await name(room, "by the editor");
  assert.equal(saved.status, 201);
  assert.deepEqual(saved.body.version.by, { id: "user-edit", name: "user-edit" }, "the token says who");
  const id = saved.body.version.id;
  for (const role of ["view", "chat"] as const) {
    assert.equal((await call(room, "", role)).status, 200, `${role} lists`);
    assert.equal((await call<string>(room, `/${id}`, role)).body, "some text", `${role} reads`);
    const create = await call<{ error: { code: string } }>(room, "", role, { method: "POST", body: JSON.stringify({ name: "no" }) });
    assert.deepEqual([create.status, create.body.error.code], [403, "forbidden"], `${role} cannot name`);
    const restore = await call<{ error: { code: string } }>(room, `/${id}/restore`, role, { method: "POST" });
    assert.deepEqual([restore.status, restore.body.error.code], [403, "forbidden"], `${role} cannot restore`);
  }
  assert.equal((await list(room)).versions.length, 1);
  const noToken = await fetch(`${server.http}/parties/main/${room}/versions`);
  assert.equal(noToken.status, 401, "no token, no history");
  ada.stop();
  clients.leave(ada.client);
});

test("while edits keep arriving, an automatic version at most every PARTYROOM_VERSIONS_EVERY_MS; retention thins them by age, keeping the named one", async () => {
  const room = uniqueRoom("ver-age");
  const ada = await typist(room, "ada", "x", 150);
  await until(async () => (await list(room)).versions.length >= 1, "the first automatic version", 10_000);
  const named = await name(room, "kept for ever");
  const seen = new Map<number, VersionInfo>();
  // Real time must pass for versions to age past KEEP_MS: the room is edited throughout.
  const end = Date.now() + KEEP_MS + 4_000;
  while (Date.now() < end) {
    const now = await list(room);
    for (const v of now.versions) seen.set(v.id, v);
    const newest = now.versions[0]!;
    const t = newest.at;
    const present = new Set(now.versions.map((v) => v.id));
    for (const v of seen.values()) {
      const age = t - v.at;
      if (v.id <= newest.id && age < KEEP_ALL_MS - SLACK_MS) assert.ok(present.has(v.id), `version ${v.id} (${age} ms old) is within the keep-all window`);
    }
    const thinned = new Map<number, number>();
    for (const v of now.versions) {
      const age = t - v.at;
      if (v.kind === "named" || v === newest) continue;
      assert.ok(age < KEEP_MS + SLACK_MS, `version ${v.id} is ${age} ms old, past KEEP_MS`);
      if (age > KEEP_ALL_MS + SLACK_MS) {
        const period = Math.floor(v.at / PERIOD_MS);
        assert.equal(thinned.get(period), undefined, `one version per period (period ${period})`);
        thinned.set(period, v.id);
      }
    }
    assert.ok(present.has(named.body.version.id), "the named version is never dropped for its age");
    await new Promise((r) => setTimeout(r, 400));
  }
  ada.stop();
  const autos = [...seen.values()].filter((v) => v.kind === "auto").sort((a, b) => a.id - b.id);
  assert.ok(autos.length >= 8, `${autos.length} automatic versions in ${KEEP_MS + 4_000} ms of editing`);
  for (let i = 1; i < autos.length; i++) {
    const gap = autos[i]!.at - autos[i - 1]!.at;
    if (autos[i]!.id === autos[i - 1]!.id + 1) assert.ok(gap >= EVERY_MS, `automatic versions ${gap} ms apart`);
  }
  const final = await list(room);
  assert.ok(final.versions.length < seen.size, "old automatic versions were dropped");
  assert.ok(final.versions.some((v) => v.id === named.body.version.id));
  clients.leave(ada.client);
});

test("at the budget the oldest automatic versions go first; a named one goes only when nothing else is left, and the list says so", async () => {
  const room = uniqueRoom("ver-budget");
  const ada = await typist(room, "ada", "y".repeat(500), 50);
  // ~30 KB of text: about five versions fit the 150 KB budget.
  await until(() => docText(ada.client).length >= 30_000, "30 KB of text", 20_000);
  const first = await name(room, "first");
  await until(async () => (await list(room)).versions.filter((v) => v.kind === "auto").length >= 4, "automatic versions to pile up", 20_000);
  ada.stop();
  const mid = await list(room);
  assert.ok(mid.usedBytes <= BUDGET + 60_000, `within the budget but for the newest (${mid.usedBytes})`);
  assert.ok(mid.versions.some((v) => v.id === first.body.version.id), "the named version outlived newer automatic ones");
  assert.deepEqual(mid.droppedNamed, []);
  const dropped: VersionInfo[] = [];
  for (const n of ["second", "third", "fourth", "fifth", "sixth"]) dropped.push(...(await name(room, n)).body.dropped);
  const after = await list(room);
  assert.deepEqual(after.versions.filter((v) => v.kind !== "named"), [], "every automatic version went before a named one");
  assert.ok(dropped.some((v) => v.id === first.body.version.id), "the reply of the save that dropped it says so");
  assert.equal(after.droppedNamed[after.droppedNamed.length - 1]?.name, "first", "and so does the list");
  assert.ok(after.usedBytes <= BUDGET, `${after.usedBytes} bytes`);
  // The room's log line reaches us through workerd's and partykit dev's pipes, and may come after the HTTP answer.
  await until(() => /dropped named versions \d+ "first"/.test(server.output()), "the log to say a named version was dropped", 10_000);
  clients.leave(ada.client);
});
