import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as syncProtocol from "y-protocols/sync";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { DOC_TEXT_NAME } from "../../party/protocol";
import { type PollClient as PollClientT, PollClient, SseClient } from "../helpers/http-session";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

/**
 * Binds a Y.Doc to an HTTP session: Yjs frames from the stream are applied
 * (answering sync step 1), local updates go out as binary POSTs.
 */
function bindDoc(client: SseClient | PollClientT) {
  const doc = new Y.Doc();
  const frame = (write: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    write(e);
    return encoding.toUint8Array(e);
  };
  const onEvent = ({ yjs }: { yjs?: Uint8Array }) => {
    if (!yjs) return;
    const decoder = decoding.createDecoder(yjs);
    if (decoding.readVarUint(decoder) !== 0) return;
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, 0);
    syncProtocol.readSyncMessage(decoder, reply, doc, "server");
    if (encoding.length(reply) > 1) void client.send(encoding.toUint8Array(reply));
  };
  // Frames that arrived before binding (the server's step 1), then every new one.
  for (const r of client.received) onEvent(r);
  client.listeners.add(onEvent);
  doc.on("update", (update: Uint8Array, origin: unknown) => {
    if (origin !== "server") void client.send(frame((e) => syncProtocol.writeUpdate(e, update)));
  });
  void client.send(frame((e) => syncProtocol.writeSyncStep1(e, doc)));
  return { doc, text: doc.getText(DOC_TEXT_NAME), stop: () => client.listeners.delete(onEvent) };
}

test("the document syncs between a WebSocket client, an SSE client and a polling client", async () => {
  const room = uniqueRoom();
  const wsDoc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.ws}/parties/main`, room, wsDoc, { WebSocketPolyfill: WebSocket as never });
  const sse = await SseClient.open(server.http, room, { clientId: "sse0001" });
  const poll = await PollClient.open(server.http, room, { clientId: "poll001" }, 5);
  const a = bindDoc(sse);
  const b = bindDoc(poll);
  try {
    wsDoc.getText(DOC_TEXT_NAME).insert(0, "ws;");
    await until(() => a.text.toString() === "ws;" && b.text.toString() === "ws;", "the WebSocket edit on SSE and polling");
    a.text.insert(a.text.length, "sse;");
    await until(() => b.text.toString() === "ws;sse;" && wsDoc.getText(DOC_TEXT_NAME).toString() === "ws;sse;", "the SSE edit everywhere");
    b.text.insert(b.text.length, "poll;");
    await until(() => a.text.toString() === "ws;sse;poll;" && wsDoc.getText(DOC_TEXT_NAME).toString() === "ws;sse;poll;", "the polling edit everywhere");
    // Concurrent edits converge.
    a.text.insert(0, "A");
    b.text.insert(0, "B");
    wsDoc.getText(DOC_TEXT_NAME).insert(0, "W");
    const server_ = async () => (await fetch(`${server.http}/parties/main/${room}/doc`)).text();
    await until(async () => {
      const s = await server_();
      return s.length === 15 && a.text.toString() === s && b.text.toString() === s && wsDoc.getText(DOC_TEXT_NAME).toString() === s;
    }, "all four replicas to converge");
  } finally {
    a.stop();
    b.stop();
    sse.close();
    const stopping = poll.stop();
    await poll.send({ type: "heartbeat" });
    await stopping;
    const socket = provider.ws;
    provider.destroy();
    (socket as unknown as WebSocket | null)?.terminate();
    wsDoc.destroy();
  }
});
