/**
 * Issue 11, item 5: borrowed identities in open rooms. A clientId is public
 * (presence, chat); the room derives it from a secret the client keeps
 * (`clientIdFromKey`), so an attacker who shows someone's public id, over a
 * socket, an HTTP session or `POST …/messages`, with or without a key of its
 * own, or with forged identity headers, gets an identity of its own: the
 * victim is never renamed, and nothing is posted as the victim.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clientIdFromKey, type ChatMessage } from "../../party/protocol";
import { getJson, pub, TestClient } from "../helpers/client";
import { openSession, PollClient } from "../helpers/http-session";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until, withTimeout } from "../helpers/wait";

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

const VICTIM_SECRET = "victim-secret-key-0123456789abcdef";
const victimId = pub(VICTIM_SECRET);

/** Headers a client could send to claim an identity; the edge must drop them. */
const FORGED = { "x-partyroom-user": victimId, "x-partyroom-role": "edit", "x-partyroom-name": "Victim" };

test("a hello with someone else's public clientId, with or without a key of its own or forged headers, never becomes them", async () => {
  const room = uniqueRoom("borrow");
  const { client: victim, welcome } = await TestClient.join(server.ws, room, { clientId: VICTIM_SECRET, name: "Victim" });
  assert.equal(welcome.clientId, victimId, "the victim's public id is derived from its secret");

  const attempts: Array<{ what: string; hello: Record<string, unknown>; headers?: Record<string, string> }> = [
    { what: "the public id as clientId", hello: { clientId: victimId } },
    { what: "the public id with a key of its own", hello: { clientId: victimId, key: "attacker-own-key-0123456789" } },
    { what: "the public id with forged identity headers", hello: { clientId: victimId }, headers: FORGED },
  ];
  for (const [i, { what, hello, headers }] of attempts.entries()) {
    const attacker = await TestClient.open(server.ws, room, "", headers);
    attacker.send({ type: "hello", v: 1, name: "Mallory", color: "#000000", ...hello });
    const w = await attacker.next("welcome");
    assert.notEqual(w.clientId, victimId, `${what}: the room knows the attacker by an id of its own`);
    const expected = typeof hello.key === "string" ? clientIdFromKey(hello.key) : clientIdFromKey(victimId);
    assert.equal(w.clientId, expected, `${what}: the id derived from what the attacker showed`);
    const ack = await attacker.chat(`as-victim-${i}`, "I am the victim");
    const seen = await until(() => victim.chats().find((m) => m.seq === ack.seq), "the victim to see the attacker's message");
    assert.equal(seen.clientId, w.clientId, `${what}: the message is the attacker's, not the victim's`);
    await attacker.close();
  }
  // The victim was never renamed: presence still shows its own name under its id.
  const { body } = await getJson(server.http, `/parties/main/${room}/state`);
  const entries = body.presence.filter((p: { clientId: string }) => p.clientId === victimId);
  assert.deepEqual(entries.map((p: { name: string }) => p.name), ["Victim"]);
  assert.ok(!victim.messages.some((m) => m.type === "presence" && [...(m.join ?? []), ...(m.update ?? [])].some((p) => p.clientId === victimId && p.name !== "Victim")), "no presence update renamed the victim");
  await victim.close();
});

test("HTTP: a post or a session showing someone else's public clientId (or forged headers) is stored and known under another id", async () => {
  const room = uniqueRoom("borrow-http");
  const { client: victim } = await TestClient.join(server.ws, room, { clientId: VICTIM_SECRET, name: "Victim" });
  const posted = await withTimeout(
    fetch(`${server.http}/parties/main/${room}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...FORGED },
      body: JSON.stringify({ clientId: victimId, id: "http-borrow", text: "posted as the victim?", name: "Victim" }),
    }),
    10_000,
    "the POST",
  );
  assert.equal(posted.status, 201);
  const { message } = (await posted.json()) as { message: ChatMessage };
  assert.equal(message.clientId, clientIdFromKey(victimId), "the post is the poster's, derived from what it showed");

  const opened = await openSession(server.http, room, { clientId: victimId, name: "Victim" }, "poll");
  assert.ok(opened.session);
  const poller = await PollClient.open(server.http, room, { clientId: victimId, name: "Mallory" }, 1);
  const w = await poller.next("welcome");
  assert.notEqual(w.clientId, victimId, "an HTTP session showing the public id is someone else");
  await poller.stop();
  await fetch(`${server.http}/parties/main/${room}/sessions/${opened.session}`, { method: "DELETE" });
  assert.ok(!victim.chats().some((m) => m.clientId === victimId), "nothing was posted as the victim");
  await victim.close();
});
