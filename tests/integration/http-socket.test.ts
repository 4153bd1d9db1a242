import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EventSource } from "eventsource";
import PartySocket from "partysocket";
import { httpSocketClass, type HttpTransport } from "../../app/src/room/http-socket";
import { PROTOCOL_VERSION, type ServerMessage } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

// Its own server: one test restarts it.
let server: DevServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** partysocket driving the HTTP socket, as the app does when WebSockets are blocked. */
function open(transport: HttpTransport, room: string, clientId: string) {
  const received: ServerMessage[] = [];
  const socket = new PartySocket({
    host: `127.0.0.1:${server.port}`,
    room,
    party: "main",
    WebSocket: httpSocketClass(transport, { EventSource: EventSource as unknown as typeof globalThis.EventSource }),
    minReconnectionDelay: 100,
    maxReconnectionDelay: 500,
  });
  const hello = () => socket.send(JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, clientId, name: transport, color: "#123456", lastSeq: lastSeq() }));
  const lastSeq = () => Math.max(0, ...received.flatMap((m) => (m.type === "chat" ? [m.message.seq] : m.type === "welcome" ? m.messages.map((x) => x.seq) : [])));
  socket.addEventListener("open", hello);
  socket.addEventListener("message", (e) => {
    if (typeof e.data === "string") received.push(JSON.parse(e.data) as ServerMessage);
  });
  return { socket, received, welcomes: () => received.filter((m) => m.type === "welcome").length };
}

for (const transport of ["sse", "poll"] as const) {
  test(`partysocket over ${transport}: hello, chat both ways, and a reconnect after a server restart resumes by seq`, async () => {
    const room = uniqueRoom();
    const c = open(transport, room, `${transport}-client`);
    try {
      await until(() => c.welcomes() === 1, "the welcome over HTTP");
      const { client: ws } = await TestClient.join(server.ws, room);
      c.socket.send(JSON.stringify({ type: "chat", id: "h1", text: `hello over ${transport}` }));
      assert.equal((await ws.next("chat")).message.text, `hello over ${transport}`);
      await ws.chat("w1", "hello over websocket");
      await until(() => c.received.some((m) => m.type === "chat" && m.message.id === "w1"), "the WebSocket message over HTTP");
      const state = await getJson(server.http, `/parties/main/${room}`);
      assert.equal(state.body.internals.httpSessions, 1);
      ws.terminate();

      // The server dies and comes back. The session's record survived in storage: the client resumes it
      // (its outbox restarted, so that is a gap and a fresh welcome) or, if it gave up on it, opens a new
      // one with hello + lastSeq. Either way the welcome brings it up to date, and nothing it had is lost.
      await server.restart();
      await until(() => c.welcomes() === 2, "a second welcome after the restart", 20_000);
      const again = c.received.filter((m) => m.type === "welcome").at(-1);
      assert.ok(again?.type === "welcome" && again.seq === 2, "the welcome knows seq 2");
      assert.ok(again.messages.every((m) => m.seq <= 2), "and brings nothing that did not happen");
      const { client: ws2 } = await TestClient.join(server.ws, room);
      await ws2.chat("w2", "after the restart");
      await until(() => c.received.some((m) => m.type === "chat" && m.message.seq === 3), "new messages after the restart");
      const seqs = c.received.flatMap((m) => (m.type === "chat" ? [m.message.seq] : []));
      assert.deepEqual(seqs, [1, 2, 3]);
      await ws2.close();
    } finally {
      c.socket.close();
      await withTimeout(until(() => c.socket.readyState === 3, "closed"), 5_000, "close");
    }
  });
}
