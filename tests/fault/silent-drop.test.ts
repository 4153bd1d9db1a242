/**
 * A silent drop: the link stops carrying anything but nobody closes it (a
 * dead NAT, a frozen proxy). The TCP proxy blackholes the live connection:
 * no bytes either way, and the server side stays open even after the client
 * gives up. The client's watchdog must notice within a bounded time and
 * reconnect; the server's presence TTL must then remove the ghost socket.
 * Its own server with a short heartbeat (400 ms, TTL 1.2 s) keeps this fast;
 * the bounds scale with the heartbeat.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WATCHDOG_HEARTBEATS } from "../../app/src/room/liveness";
import { TcpProxy } from "../helpers/proxy";
import { assertCleanLog, Clients, connected, internals, messagesOf, recordStates } from "../helpers/room";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

const HEARTBEAT_MS = 400;
const TTL_MS = 1_200;
/** The server's sweep fires 250 ms after a deadline (SWEEP_GRACE_MS). */
const SWEEP_GRACE_MS = 250;

let server: DevServer;
let proxy: TcpProxy;
const clients = new Clients();

before(async () => {
  server = await startServer({ vars: { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), PRESENCE_TTL_MS: String(TTL_MS) } });
  proxy = await TcpProxy.start(server.port);
});

after(async () => {
  clients.destroyAll();
  await proxy?.close();
  await server?.stop();
});

test("a blackholed link is detected by the watchdog, replaced, and its ghost swept by the TTL", async (t) => {
  const room = uniqueRoom("fault-silent");
  const direct = `127.0.0.1:${server.port}`;
  const ada = clients.join(direct, room, "Ada");
  const cy = clients.join(proxy.host, room, "Cy");
  await connected(ada, "Ada");
  await connected(cy, "Cy");
  ada.sendChat("before the drop");
  await until(() => messagesOf(cy).length === 1, "Cy to get the first message");
  const before = await internals(server.http, room);
  assert.deepEqual([before.appSockets, before.presenceEntries], [2, 2]);
  const firstConnection = cy.getSnapshot().connectionId;
  const states = recordStates(cy);

  const droppedAt = Date.now();
  proxy.blackhole();
  ada.sendChat("during the drop");
  // Detection: the watchdog closes the silent socket (code 4000) and the client starts over.
  const noticed = await until(() => states.find((s) => s.state !== "connected"), "Cy's watchdog to fire", 10_000);
  const detectMs = noticed.at - droppedAt;
  const reconnected = await until(() => {
    const s = cy.getSnapshot();
    return s.connection.state === "connected" && s.connectionId !== firstConnection ? Date.now() : 0;
  }, "Cy to reconnect on a new socket", 10_000);
  const lastClose = states.flatMap((s) => ("lastClose" in s && s.lastClose ? [s.lastClose] : []))[0];
  assert.equal(lastClose?.code, 4000, `closed by the watchdog: ${JSON.stringify(states)}`);
  // Bound: the last frame came at most one heartbeat before the drop; the watchdog
  // needs WATCHDOG_HEARTBEATS of silence and checks every half heartbeat.
  const bound = (WATCHDOG_HEARTBEATS + 1.5) * HEARTBEAT_MS;
  assert.ok(detectMs <= bound + 300, `detected in ${detectMs} ms, bound ${bound} ms`);

  // Right after the reconnect the server still holds the ghost: three app sockets for two people.
  const ghostly = await internals(server.http, room);
  t.diagnostic(`after reconnect: ${JSON.stringify(ghostly)}`);
  const swept = await until(async () => {
    const i = await internals(server.http, room);
    return i.appSockets === 2 && i.presenceEntries === 2 && i.sockets === 2 ? Date.now() : 0;
  }, "the ghost socket to be swept", 10_000);
  const ghostMs = swept - droppedAt;
  // The ghost's last frame was at most a heartbeat before the drop; TTL + sweep grace + HTTP polling after that.
  assert.ok(ghostMs <= TTL_MS + SWEEP_GRACE_MS + HEARTBEAT_MS + 500, `ghost removed after ${ghostMs} ms`);
  // (The ghost's TCP connection itself stays open: the server's close frame goes into the
  // blackhole and workerd waits for a reply that never comes. Room state is clean regardless.)
  t.diagnostic(`TCP connections still held by the proxy: ${proxy.open}`);
  t.diagnostic(`heartbeat ${HEARTBEAT_MS} ms: watchdog detected the drop in ${detectMs} ms (bound ${bound}), new socket ${reconnected - droppedAt} ms after the drop, ghost swept after ${ghostMs} ms (TTL ${TTL_MS})`);

  // Nothing was lost across the swap.
  await until(() => messagesOf(cy).length === 2, "Cy to get the message sent during the drop");
  cy.sendChat("after the drop");
  await until(() => messagesOf(ada).length === 3 && messagesOf(cy).length === 3, "both to hold Cy's message");
  for (const [c, n] of [[ada, "Ada"], [cy, "Cy"]] as const) assertCleanLog(messagesOf(c), n, 1);
  assert.deepEqual(messagesOf(cy), messagesOf(ada));
  // Presence: one person each, the swept ghost did not take Cy with it.
  const people = ada.getSnapshot().people.map((p) => `${p.name}:${p.connections}`).sort();
  await until(() => ada.getSnapshot().people.map((p) => `${p.name}:${p.connections}`).sort().join() === "Ada:1,Cy:1", `Ada to see two people with one connection each (${people.join()})`);
  clients.leave(ada, cy);
});
