/**
 * kill -9 of the server mid-conversation, with three people typing chat and
 * document edits before, during and after the outage. Every client must
 * reconnect by itself; every message acknowledged before the crash keeps its
 * seq; in the end the server stores every message written exactly once with
 * contiguous seqs, and every document (clients and server) is identical with
 * every edit exactly once. Its own server: this file kills it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ChatMessage } from "../../party/protocol";
import { DOC_TEXT_NAME } from "../../party/protocol";
import type { RoomClient } from "../../app/src/room/types";
import { seededRandom } from "../../app/src/room/backoff";
import { assertCleanLog, Clients, connected, docText, messagesOf, pendingOf, serverDoc, serverMessages } from "../helpers/room";
import { type DevServer, startServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let server: DevServer;
const clients = new Clients();

before(async () => {
  server = await startServer();
});

after(async () => {
  clients.destroyAll();
  await server?.stop();
});

/** One person typing: a chat message or a document edit every `everyMs`, until stopped. */
function typist(c: RoomClient, name: string, random: () => number, everyMs: number) {
  const written: string[] = [];
  const tokens: string[] = [];
  let n = 0;
  const timer = setInterval(() => {
    n++;
    if (n % 2 === 0) {
      const text = `${name} says ${n}`;
      written.push(text);
      c.sendChat(text);
    } else {
      // Insert at a random token boundary, so concurrent edits interleave but never split a token.
      const ytext = c.doc.getText(DOC_TEXT_NAME);
      const s = ytext.toString();
      const bounds = [0, ...[...s.matchAll(/\]/g)].map((m) => m.index! + 1)];
      const token = `[${name}${n}]`;
      tokens.push(token);
      ytext.insert(bounds[Math.floor(random() * bounds.length)]!, token);
    }
  }, everyMs);
  return { written, tokens, stop: () => clearInterval(timer) };
}

test("kill -9 while three people type: all reconnect by themselves, nothing acknowledged is lost, nothing doubles", async (t) => {
  const room = uniqueRoom("fault-restart");
  const host = `127.0.0.1:${server.port}`;
  const backoff = { baseMs: 200, capMs: 2_000, floorMs: 50 };
  const people = ["ada", "bo", "cy"].map((name) => ({ name, c: clients.join(host, room, name, { backoff }) }));
  for (const p of people) await connected(p.c, p.name);
  await until(() => people.every((p) => p.c.getSnapshot().docSynced), "documents to sync");
  const random = seededRandom(42);
  const typists = people.map((p, i) => typist(p.c, p.name, random, 70 + i * 15));

  // Type for a while, then crash the server while everyone keeps typing.
  await until(() => people.every((p) => messagesOf(p.c).length >= 12), "a dozen messages before the crash", 15_000);
  const ackedBefore = new Map<number, ChatMessage>();
  for (const p of people) for (const m of messagesOf(p.c)) ackedBefore.set(m.seq, m);
  await server.kill9();
  const killedAt = Date.now();
  await until(() => people.every((p) => p.c.getSnapshot().connection.state !== "connected"), "everyone to notice the crash");
  await new Promise((r) => setTimeout(r, 500)); // typing goes on while the server is down
  await server.restart();
  const upAt = Date.now();
  const reconnectMs = await Promise.all(people.map(async (p) => (await connected(p.c, `${p.name} after the restart`, 30_000), Date.now() - upAt)));
  t.diagnostic(`server down for ${upAt - killedAt} ms; clients reconnected ${reconnectMs.join(", ")} ms after it answered again`);
  await new Promise((r) => setTimeout(r, 700)); // and typing goes on after the reconnect
  for (const ty of typists) ty.stop();

  const written = typists.flatMap((ty) => ty.written);
  const tokens = typists.flatMap((ty) => ty.tokens);
  await until(
    () => people.every((p) => pendingOf(p.c) === 0 && !p.c.hasUnsyncedWork() && messagesOf(p.c).length === written.length),
    `every one of ${written.length} messages delivered everywhere`,
    30_000,
  );
  await until(() => people.every((p) => docText(p.c) === docText(people[0]!.c)), "documents to converge");

  const stored = await serverMessages(server.http, room);
  assertCleanLog(stored, "server", 1);
  assert.deepEqual(stored.map((m) => m.text).sort(), [...written].sort(), "the server stores every message written, each once");
  for (const [seq, m] of ackedBefore) assert.deepEqual(stored[seq - 1], m, `message ${seq}, acknowledged before the crash, is unchanged`);
  for (const p of people) assert.deepEqual(messagesOf(p.c), stored, `${p.name} holds exactly the server's log`);
  const doc = await serverDoc(server.http, room);
  for (const p of people) assert.equal(docText(p.c), doc, `${p.name}'s document is the server's`);
  for (const token of tokens) assert.equal(doc.split(token).length - 1, 1, `edit ${token} exactly once`);
  assert.equal(doc.length, tokens.join("").length, "nothing but the edits in the document");
  t.diagnostic(`${written.length} messages (${ackedBefore.size} acknowledged before the crash), ${tokens.length} document edits`);
  clients.leave(...people.map((p) => p.c));
});
