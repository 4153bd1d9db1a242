import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CloseCode } from "../../party/protocol";
import { getJson, TestClient } from "../helpers/client";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("each bad frame gets a typed error, the socket stays open, and other clients notice nothing", async () => {
  const room = uniqueRoom();
  const { client: good } = await TestClient.join(server.ws, room, { clientId: "good001" });
  const { client: bad } = await TestClient.join(server.ws, room, { clientId: "bad0001" });
  await good.chat("g1", "before");
  const cases: Array<[string | Buffer, string]> = [
    ["{oops", "bad_json"],
    ["42", "bad_message"],
    ['{"type":"teleport"}', "unknown_type"],
    ['{"type":"chat","id":"x1","text":17}', "bad_message"],
    ['{"type":"chat","id":"x2","text":""}', "bad_message"],
    [JSON.stringify({ type: "chat", id: "x3", text: "a".repeat(2001) }), "bad_message"],
    [JSON.stringify({ type: "chat", id: "x4", text: "a".repeat(17_000) }), "too_large"],
    ['{"type":"history","before":"yesterday"}', "bad_message"],
    ['{"type":"hello","v":1,"clientId":"bad0001","name":"Again","color":"#000000"}', "already_hello"],
  ];
  for (const [frame, expected] of cases) {
    bad.sendRaw(frame);
    const err = await bad.next("error");
    assert.equal(err.code, expected, `frame ${String(frame).slice(0, 40)}`);
  }
  assert.equal((await bad.next("error", undefined, 1).catch(() => null)), null, "one error per bad frame");
  // Refused chat ids are echoed so a client can mark that message failed.
  assert.deepEqual(bad.messages.flatMap((m) => (m.type === "error" && m.ref?.startsWith("x") ? [m.ref] : [])), ["x1", "x2", "x3"]);
  // Still open and serving.
  const ack = await bad.chat("b1", "still here");
  assert.equal(ack.seq, 2);
  await good.chat("g2", "after");
  assert.deepEqual(good.chats().map((m) => m.text), ["before", "still here", "after"]);
  assert.equal(good.messages.filter((m) => m.type === "error").length, 0, "the good client saw no errors");
  const { body } = await getJson(server.http, `/parties/main/${room}/messages?after=0`);
  assert.deepEqual(body.messages.map((m: { text: string }) => m.text), ["before", "still here", "after"], "storage holds only valid messages");
  await Promise.all([good.close(), bad.close()]);
});

test("a flood is rate limited with typed errors; sustained abuse is closed with 4429 while others carry on", async () => {
  const room = uniqueRoom();
  const { client: good } = await TestClient.join(server.ws, room, { clientId: "good001" });
  const { client: flood } = await TestClient.join(server.ws, room, { clientId: "flood01" });
  for (let i = 0; i < 200; i++) flood.send({ type: "chat", id: `f${i}`, text: `flood ${i}` });
  const { code } = await flood.waitClose();
  assert.equal(code, CloseCode.Abuse.code);
  const limited = flood.messages.filter((m) => m.type === "error" && m.code === "rate_limited");
  assert.ok(limited.length > 0 && limited.every((m) => m.type === "error" && m.ref?.startsWith("f")), "rate limit errors name the refused message");
  const acked = flood.messages.filter((m) => m.type === "ack").length;
  assert.ok(acked >= 20 && acked <= 60, `the burst was accepted (${acked})`);
  // Every accepted message is stored exactly once, and the room still serves.
  const ack = await good.chat("g1", "business as usual");
  assert.equal(ack.seq, acked + 1);
  await good.close();
});

test("binary garbage on a Yjs socket is refused without corrupting the document", async () => {
  const room = uniqueRoom();
  const { client: app } = await TestClient.join(server.ws, room);
  const junk = await TestClient.open(server.ws, room);
  for (const frame of [Buffer.from([0, 2, 250, 250, 250]), Buffer.from([7, 1, 2]), Buffer.from([1, 255]), Buffer.alloc(0)]) junk.sendRaw(frame);
  // The junk socket is treated as a Yjs socket and never receives text.
  await until(() => junk.binary.length > 0, "the Yjs handshake on the junk socket");
  assert.equal(junk.messages.length, 0);
  const res = await fetch(`${server.http}/parties/main/${room}/doc`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "");
  assert.equal((await app.chat("ok1", "fine")).seq, 1);
  await Promise.all([app.close(), junk.close()]);
});
