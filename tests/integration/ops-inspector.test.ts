/**
 * Issue 15, the room's operator endpoints on the shared server (which runs
 * with an admin secret): the public state hides `internals` from everyone
 * but an admin; `…/inspect` and `…/metrics` answer only an admin; the
 * inspector shows each connection (kind, transport, user, bytes, strikes),
 * presence, chat, the document, budgets and refusals with their codes, and
 * pages its connection table; the metrics text parses with a Prometheus
 * parser and says the same.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { InspectData } from "../../party/protocol";
import { getJson, pub, TestClient } from "../helpers/client";
import { updateFrame } from "../helpers/core";
import { SseClient } from "../helpers/http-session";
import { sample, scrape } from "../helpers/prometheus";
import { ADMIN_HEADERS, sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
const open: Array<{ close(): unknown }> = [];

before(async () => {
  server = await sharedServer();
});
after(async () => {
  for (const c of open) await c.close();
  await server.stop();
});

const inspect = async (room: string, query = "") => (await getJson<InspectData>(server.http, `/parties/main/${room}/inspect${query}`)).body;

test("the public state has no internals; an admin's has them; operator endpoints refuse anyone else", async () => {
  const room = uniqueRoom("ops-guard");
  const anyone = await getJson(server.http, `/parties/main/${room}`, {});
  assert.equal(anyone.status, 200);
  assert.equal(anyone.body.internals, undefined, "no internal counters for a non-admin");
  const admin = await getJson(server.http, `/parties/main/${room}`);
  assert.equal(typeof admin.body.internals.sockets, "number");

  for (const path of ["inspect", "metrics"]) {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer not-the-secret" }, { "x-partyroom-admin": "1" }, { cookie: "partyroom_admin=99999999999999.00" }];
    for (const headers of attempts) {
      const res = await fetch(`${server.http}/parties/main/${room}/${path}`, { headers });
      assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "unauthorized");
    }
    const res = await fetch(`${server.http}/parties/main/${room}/${path}`, { headers: ADMIN_HEADERS });
    assert.equal(res.status, 200, `${path} as admin`);
    await res.body?.cancel();
  }
  // A forged admin mark never reaches the room: the edge strips it.
  const forged = await getJson(server.http, `/parties/main/${room}`, { "x-partyroom-admin": "1" });
  assert.equal(forged.body.internals, undefined);
});

test("the inspector shows every connection with its bytes, presence, chat, document, budgets and refusals", async () => {
  const room = uniqueRoom("ops-inspect");
  const a = await TestClient.join(server.ws, room, { clientId: "ada-key-0000000000000000", name: "Ada" });
  open.push(a.client);
  await a.client.chat("m1", "hello inspector");
  const yjs = await TestClient.open(server.ws, room);
  open.push(yjs);
  yjs.ws.send(updateFrame("shared text"));
  const sse = await SseClient.open(server.http, room, { name: "Sse" });
  open.push(sse);
  // A bad frame: refused with bad_json, one strike.
  a.client.send("{not json");
  await a.client.next("error");

  const data = await until(async () => {
    const d = await inspect(room);
    return d.connections.total === 3 && d.doc.bytes > 2 && d.refusals.byCode.bad_json === 1 ? d : null;
  }, "the inspector to see three connections, the edit and the refusal");

  assert.equal(data.room, room);
  assert.deepEqual(data.totals.byKind, { app: 2, yjs: 1 });
  assert.deepEqual(data.totals.byTransport, { websocket: 2, sse: 1 });
  const ada = data.connections.items.find((c) => c.clientId === pub("ada-key-0000000000000000"));
  assert.ok(ada, "Ada's connection is listed under her public id");
  assert.equal(ada.kind, "app");
  assert.equal(ada.transport, "websocket");
  assert.equal(ada.role, "edit");
  assert.ok(ada.bytesIn > 0 && ada.bytesOut > 0, `Ada's bytes in/out: ${ada.bytesIn}/${ada.bytesOut}`);
  assert.equal(ada.strikes, 1);
  assert.ok(ada.lastSeen >= ada.connectedAt);
  const peer = data.connections.items.find((c) => c.kind === "yjs");
  assert.ok(peer && peer.bytesIn > 0, "the Yjs peer's update counted in");
  assert.deepEqual(data.presence.map((p) => p.name).sort(), ["Ada", "Sse"]);
  assert.equal(data.chat.seq, 1);
  assert.equal(data.chat.latest[0]?.text, "hello inspector");
  assert.ok(data.storage.bytes > 0 && data.storage.keys > 0);
  const budget = (name: string) => data.budgets.find((b) => b.name === name);
  assert.equal(budget("connections")?.used, 3);
  assert.equal(budget("docBytes")?.used, data.doc.bytes);
  assert.equal(budget("httpSessions")?.used, 1);
  assert.equal(data.refusals.recent.at(-1)?.code, "bad_json");
  assert.equal(data.refusals.recent.at(-1)?.session, ada.id);
  assert.ok(data.instance.wakeups >= 1 && data.instance.id.length > 0);
  assert.equal(data.webhooks.configured, false);

  const metrics = await scrape(`${server.http}/parties/main/${room}/metrics`);
  assert.equal(sample(metrics, "partyroom_connections", { room, kind: "app", transport: "websocket" }), 1);
  assert.equal(sample(metrics, "partyroom_connections", { room, kind: "app", transport: "sse" }), 1);
  assert.equal(sample(metrics, "partyroom_connections", { room, kind: "yjs", transport: "websocket" }), 1);
  assert.equal(sample(metrics, "partyroom_refusals_total", { room, code: "bad_json" }), 1);
  assert.equal(sample(metrics, "partyroom_chat_seq", { room }), 1);
  assert.ok((sample(metrics, "partyroom_document_bytes", { room }) ?? 0) > 2);
  assert.ok((sample(metrics, "partyroom_wakeups_total", { room }) ?? 0) >= 1);
  assert.equal(metrics.get("partyroom_refusals_total")?.type, "COUNTER");
  assert.equal(metrics.get("partyroom_connections")?.type, "GAUGE");
  for (const [name, family] of metrics) assert.ok(family.help.length > 10, `${name} has a HELP text`);
});

test("the connection table pages: offset and limit cover every connection once", async () => {
  const room = uniqueRoom("ops-page");
  const clients = await Promise.all(Array.from({ length: 7 }, () => TestClient.join(server.ws, room)));
  open.push(...clients.map((c) => c.client));
  const seen: string[] = [];
  for (let offset = 0; offset < 7; offset += 3) {
    const d = await inspect(room, `?offset=${offset}&limit=3`);
    assert.equal(d.connections.total, 7);
    assert.equal(d.connections.limit, 3);
    seen.push(...d.connections.items.map((c) => c.id));
  }
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7, "no connection shows on two pages");
  const past = await inspect(room, "?offset=100&limit=3");
  assert.equal(past.connections.items.length, 0);
});
