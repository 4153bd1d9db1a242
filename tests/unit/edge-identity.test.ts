/**
 * What the edge hands a room about who is asking (party/host/auth.ts): an
 * open room's plain HTTP request goes on untouched, and the room reads the
 * same address from it that the edge would have attached; anything a client
 * could use to pose as someone (identity headers, a token) makes the edge
 * copy the request without it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addressFrom, grantFrom, OPEN_GRANT, withGrant } from "../../party/host/auth";

const URL_BASE = "http://127.0.0.1:1999/parties/main/room1/sessions/abc/poll?after=3&wait=20";

test("an open room's plain HTTP request passes the edge untouched; the room reads its address from cf-connecting-ip", () => {
  const req = new Request(URL_BASE, { headers: { "cf-connecting-ip": "198.51.100.7" } });
  const out = withGrant(req, null);
  assert.equal(out, req, "no copy");
  assert.equal(addressFrom(out.headers), "198.51.100.7");
  assert.deepEqual(grantFrom(out.headers), OPEN_GRANT);
  assert.equal(addressFrom(withGrant(new Request(URL_BASE), null).headers), "", "no address known");
});

test("forged identity headers, a token or an authorization header make the edge copy the request without them", () => {
  const forged = new Request(URL_BASE, {
    headers: { "cf-connecting-ip": "198.51.100.7", "x-partyroom-address": "203.0.113.1", "x-partyroom-role": "edit", "x-partyroom-user": "victim" },
  });
  const out = withGrant(forged, null);
  assert.notEqual(out, forged);
  assert.equal(addressFrom(out.headers), "198.51.100.7", "the forged address is replaced by the connecting one");
  assert.deepEqual(grantFrom(out.headers), OPEN_GRANT, "the forged role and user are gone");
  const tokened = withGrant(new Request(`${URL_BASE}&token=abc`, { headers: { authorization: "Bearer x" } }), null);
  assert.equal(new URL(tokened.url).searchParams.has("token"), false);
  assert.equal(tokened.headers.has("authorization"), false);
});

test("a verified grant, and every socket, still go through the copy", () => {
  const req = new Request(URL_BASE);
  const granted = withGrant(req, { role: "chat", userId: "u1", exp: 1_000 });
  assert.deepEqual(grantFrom(granted.headers), { role: "chat", userId: "u1", exp: 1_000 });
  const socket = withGrant(new Request("http://127.0.0.1:1999/parties/main/room1?_pk=abc"), null, true);
  assert.equal(new URL(socket.url).search, "", "a socket's URL keeps no query in its hibernation state");
});
