import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidRoomId, LIMITS, parseClientMessage, utf8Length } from "../../party/protocol";

test("valid messages parse", () => {
  const hello = parseClientMessage(JSON.stringify({ type: "hello", v: 1, clientId: "abc_123", name: " Ada ", color: "#a1b2c3", lastSeq: 4 }));
  assert.ok(hello.ok);
  assert.equal(hello.ok && hello.message.type === "hello" && hello.message.name, "Ada", "names are trimmed");
  assert.ok(parseClientMessage('{"type":"chat","id":"m1","text":"hi"}').ok);
  assert.ok(parseClientMessage('{"type":"sync","after":0}').ok);
});

test("each kind of bad frame gets its own typed error", () => {
  const code = (raw: string) => {
    const r = parseClientMessage(raw);
    return r.ok ? "ok" : r.code;
  };
  assert.equal(code("{nope"), "bad_json");
  assert.equal(code("[1,2]"), "bad_message");
  assert.equal(code('{"kind":"chat"}'), "bad_message");
  assert.equal(code('{"type":"dance"}'), "unknown_type");
  assert.equal(code('{"type":"chat","id":"m1","text":5}'), "bad_message");
  assert.equal(code('{"type":"chat","id":"has space","text":"x"}'), "bad_message");
  assert.equal(code(JSON.stringify({ type: "chat", id: "m1", text: "x".repeat(LIMITS.chatTextMax + 1) })), "bad_message");
  assert.equal(code(JSON.stringify({ type: "chat", id: "m1", text: "x".repeat(LIMITS.textFrameBytes) })), "too_large");
  assert.equal(code('{"type":"hello","v":1,"clientId":"a","name":"A","color":"red"}'), "bad_message");
  assert.equal(code('{"type":"sync","after":-1}'), "bad_message");
});

test("a refused chat names its id so the sender can match the error", () => {
  const r = parseClientMessage(JSON.stringify({ type: "chat", id: "m9", text: "" }));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.ref, "m9");
});

test("room ids and UTF-8 lengths", () => {
  for (const ok of ["a", "Room_1-x", "x".repeat(64)]) assert.ok(isValidRoomId(ok), ok);
  for (const bad of ["", "x".repeat(65), "a.b", "a b", "é", "a%20b"]) assert.ok(!isValidRoomId(bad), bad);
  assert.equal(utf8Length("aé😀"), 1 + 2 + 4);
  assert.equal(utf8Length("中"), 3);
});

test("heartbeats and read reports take the quick path and parse exactly as the schema would; anything odd gets the schema's error", async () => {
  const { parseClientMessage: parse, clientMessageSchema } = await import("../../party/protocol");
  for (const raw of ['{"type":"heartbeat"}', '{"type":"heartbeat","status":"idle","read":123}', '{"type":"read","bytes":0}', '{"type":"heartbeat","extra":1}']) {
    const quick = parse(raw);
    const schema = clientMessageSchema.safeParse(JSON.parse(raw));
    assert.ok(quick.ok && schema.success, raw);
    assert.deepEqual({ ...quick.message, extra: undefined }, { ...schema.data, extra: undefined }, raw);
  }
  for (const raw of ['{"type":"heartbeat","status":"asleep"}', '{"type":"heartbeat","read":-1}', '{"type":"read","bytes":1.5}', '{"type":"read"}']) {
    const r = parse(raw);
    assert.ok(!r.ok && r.code === "bad_message", raw);
  }
});

test("a plain heartbeat (answered without the frame queue) is recognised only where the full parse would read the same", async () => {
  const { plainHeartbeat } = await import("../../party/core/app-messages");
  const { parseClientMessage: parse } = await import("../../party/protocol");
  for (const raw of ['{"type":"heartbeat"}', '{"type":"heartbeat","read":0}', '{"type":"heartbeat","read":123456789012345}']) {
    const full = parse(raw);
    assert.ok(full.ok && full.message.type === "heartbeat", raw);
    assert.deepEqual(plainHeartbeat(raw), { read: full.message.read }, raw);
  }
  // Anything else goes through the full parse: a status, other keys, spacing, a number JSON refuses or one past 15 digits.
  for (const raw of ['{"type":"heartbeat","status":"idle"}', '{"type":"heartbeat","read":1,"x":1}', '{ "type":"heartbeat"}', '{"type":"heartbeat","read":007}', '{"type":"heartbeat","read":1234567890123456}', '{"type":"heartbeat","read":-1}']) {
    assert.equal(plainHeartbeat(raw), null, raw);
  }
});
