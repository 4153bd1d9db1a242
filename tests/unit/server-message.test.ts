import assert from "node:assert/strict";
import { test } from "node:test";
import { parseServerMessage } from "../../app/src/room/server-message";

test("the client keeps the access fields of welcome and auth replies", () => {
  const welcome = parseServerMessage(
    JSON.stringify({ type: "welcome", v: 1, roomId: "r", connectionId: "c", seq: 0, presence: [], messages: [], heartbeatMs: 10000, ttlMs: 30000, serverTime: 1, role: "view", authExp: 123 }),
  );
  assert.equal(welcome?.type === "welcome" && welcome.role, "view");
  assert.equal(welcome?.type === "welcome" && welcome.authExp, 123);
  const auth = parseServerMessage(JSON.stringify({ type: "auth", role: "edit", authExp: 456 }));
  assert.deepEqual(auth, { type: "auth", role: "edit", authExp: 456 });
  assert.equal(parseServerMessage(JSON.stringify({ type: "auth", role: "admin" })), null, "an unknown role is refused");
});
