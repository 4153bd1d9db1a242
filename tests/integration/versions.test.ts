/**
 * Version history on a real `partykit dev` (PROTOCOL.md §16): saving (the
 * last editor leaving), naming, listing, reading as text and as a Yjs update,
 * typed errors, and a restore with two live editors and one editor who is
 * offline through it and merges on top when back.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as Y from "yjs";
import type { VersionList, VersionRestored, VersionSaved } from "../../party/protocol";
import { TcpProxy } from "../helpers/proxy";
import { Clients, connected, docText, serverDoc } from "../helpers/room";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
const clients = new Clients();
before(async () => {
  server = await sharedServer();
});
after(async () => {
  clients.destroyAll();
  await server.stop();
});

const host = () => server.http.replace(/^http:\/\//, "");
const url = (room: string, path = "") => `${server.http}/parties/main/${room}/versions${path}`;

/** A request to the versions API; the JSON body (or null) and the status. */
async function call<T>(room: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await withTimeout(fetch(url(room, path), init), 15_000, `${init.method ?? "GET"} versions${path}`);
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, body: (type.startsWith("application/json") ? await res.json() : null) as T };
}

const post = <T>(room: string, path: string, body: unknown) => call<T>(room, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const list = async (room: string) => (await call<VersionList>(room, "")).body;
const textOf = async (room: string, id: number) => withTimeout(fetch(url(room, `/${id}`)).then((r) => r.text()), 10_000, "GET version text");

test("a named version, an automatic one when the last editor leaves, listed newest first and readable as text and as a Yjs update", async () => {
  const room = uniqueRoom("ver");
  const ada = clients.join(host(), room, "Ada");
  await connected(ada, "Ada");
  ada.doc.getText("content").insert(0, "# Notes\n\nfirst draft\n");
  await until(async () => (await serverDoc(server.http, room)) === "# Notes\n\nfirst draft\n", "the server to hold the draft");
  const named = await post<VersionSaved>(room, "", { name: "  first draft  ", key: ada.identity.key });
  assert.equal(named.status, 201);
  assert.deepEqual([named.body.version.kind, named.body.version.name, named.body.version.by?.name], ["named", "first draft", "Ada"]);
  assert.deepEqual(named.body.version.editors.map((e) => e.name), ["Ada"], "who edited since the previous version");
  ada.doc.getText("content").insert(docText(ada).length, "more words\n");
  await until(async () => (await serverDoc(server.http, room)).endsWith("more words\n"), "the server to hold the edit");
  clients.leave(ada);
  // The last editor left: the automatic version is saved through the room's alarm, at once.
  const listed = await until(async () => ((await list(room)).versions.length === 2 ? list(room) : null), "the automatic version", 15_000);
  assert.deepEqual(listed.versions.map((v) => v.kind), ["auto", "named"], "newest first");
  const auto = listed.versions[0]!;
  assert.deepEqual(auto.editors.map((e) => e.name), ["Ada"]);
  assert.equal(listed.usedBytes, auto.bytes + named.body.version.bytes);
  assert.equal(await textOf(room, named.body.version.id), "# Notes\n\nfirst draft\n");
  assert.equal(await textOf(room, auto.id), "# Notes\n\nfirst draft\nmore words\n");
  const yjs = await fetch(url(room, `/${auto.id}?format=yjs`));
  assert.equal(yjs.headers.get("content-type"), "application/octet-stream");
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await yjs.arrayBuffer()));
  assert.equal(doc.getText("content").toString(), "# Notes\n\nfirst draft\nmore words\n");
});

test("bad requests get typed errors and change nothing", async () => {
  const room = uniqueRoom("ver");
  const ada = clients.join(host(), room, "Ada");
  await connected(ada, "Ada");
  ada.doc.getText("content").insert(0, "text");
  const ok = await post<VersionSaved>(room, "", { name: "one" });
  assert.equal(ok.status, 201);
  const code = (r: { status: number; body: unknown }) => [r.status, (r.body as { error?: { code: string } } | null)?.error?.code];
  assert.deepEqual(code(await post(room, "", { name: "   " })), [400, "bad_message"], "an empty name");
  assert.deepEqual(code(await post(room, "", { name: "x".repeat(81) })), [400, "bad_message"], "a name too long");
  assert.deepEqual(code(await call(room, "", { method: "POST", body: "{not json" })), [400, "bad_json"]);
  assert.deepEqual(code(await call(room, "", { method: "POST", body: JSON.stringify({ name: "big", author: "x".repeat(20_000) }) })), [413, "too_large"]);
  assert.deepEqual(code(await call(room, "/999")), [404, "version_not_found"]);
  assert.deepEqual(code(await post(room, "/999/restore", {})), [404, "version_not_found"]);
  assert.deepEqual(code(await call(room, "/01")), [404, "not_found"], "ids have no leading zeros");
  assert.deepEqual(code(await call(room, `/${ok.body.version.id}?format=pdf`)), [400, "bad_message"]);
  assert.deepEqual(code(await call(room, "", { method: "DELETE" })), [405, "method_not_allowed"]);
  assert.deepEqual(code(await call(room, `/${ok.body.version.id}/restore`)), [405, "method_not_allowed"]);
  assert.deepEqual((await list(room)).versions.map((v) => v.name), ["one"], "nothing else was saved");
  assert.equal(await serverDoc(server.http, room), "text");
  clients.leave(ada);
});

test("restore with two live editors and one offline: the live ones see it at once, the offline one merges on top when back, and it can be undone", async () => {
  const room = uniqueRoom("ver");
  const port = Number(new URL(server.http).port);
  const proxy = await TcpProxy.start(port);
  try {
    const ada = clients.join(host(), room, "Ada");
    const bob = clients.join(host(), room, "Bob");
    const cy = clients.join(proxy.host, room, "Cy", { backoff: { baseMs: 100, capMs: 500, floorMs: 20 } });
    await Promise.all([connected(ada, "Ada"), connected(bob, "Bob"), connected(cy, "Cy")]);
    const v1Text = "line one\nline two\nline three\n";
    ada.doc.getText("content").insert(0, v1Text);
    await until(() => docText(cy) === v1Text && docText(bob) === v1Text, "everyone to have the first text");
    const v1 = await post<VersionSaved>(room, "", { name: "v1", key: ada.identity.key });
    bob.doc.getText("content").insert(v1Text.length, "line four by Bob\n");
    const beforeText = `${v1Text}line four by Bob\n`;
    await until(() => docText(cy) === beforeText, "Cy to have Bob's line");
    // Cy goes offline and keeps editing a line the restore keeps.
    proxy.refuse();
    await until(() => cy.getSnapshot().connection.state !== "connected", "Cy to notice the outage");
    const cyText = cy.doc.getText("content");
    cyText.insert("line one\nline two".length, " (Cy, offline)");
    const restored = await post<VersionRestored>(room, `/${v1.body.version.id}/restore`, { key: bob.identity.key });
    assert.equal(restored.status, 201);
    assert.deepEqual([restored.body.version.kind, restored.body.version.restoredFrom, restored.body.version.by?.name], ["restore", v1.body.version.id, "Bob"]);
    // The two live editors see the restore as a change, without reconnecting.
    await until(() => docText(ada) === v1Text && docText(bob) === v1Text, "the live editors to see the restore");
    assert.equal(await serverDoc(server.http, room), v1Text);
    assert.equal(await textOf(room, restored.body.before!.id), beforeText, "the state before the restore was kept");
    // Cy comes back: the offline edit merges on top of the restored text, everywhere.
    proxy.forward();
    const merged = "line one\nline two (Cy, offline)\nline three\n";
    await until(() => docText(cy) === merged && docText(ada) === merged && docText(bob) === merged, "the offline edit to merge on top", 20_000);
    assert.equal(await serverDoc(server.http, room), merged);
    // Undo: restoring the version saved just before brings Bob's line back (and, as that version never had it, drops Cy's note).
    const undo = await post<VersionRestored>(room, `/${restored.body.before!.id}/restore`, { key: ada.identity.key });
    assert.equal(undo.status, 201);
    assert.ok(undo.body.before, "Cy's merge was saved before the undo");
    await until(() => docText(ada) === beforeText && docText(cy) === beforeText, "everyone to see the undo");
    const kinds = (await list(room)).versions.map((v) => v.kind);
    assert.deepEqual(kinds, ["restore", "auto", "restore", "auto", "named"]);
    clients.leave(ada, bob, cy);
  } finally {
    await proxy.close();
  }
});
