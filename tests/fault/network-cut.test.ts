/**
 * A network cut and its recovery, through the TCP proxy: two of three people
 * lose the server (connections dropped, new ones refused) while all three
 * keep chatting and editing. Afterwards every message is in every log exactly
 * once with contiguous seqs, the server stores exactly those, and the three
 * documents equal the server's, every edit once. Also the retry schedule:
 * jittered, capped, growing while it fails, back to the first step after a
 * stable connection.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DOC_TEXT_NAME } from "../../party/protocol";
import type { ConnectionState, RoomClient } from "../../app/src/room/types";
import { TcpProxy } from "../helpers/proxy";
import { assertCleanLog, Clients, connected, docText, messagesOf, pendingOf, recordStates, serverDoc, serverMessages } from "../helpers/room";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { until } from "../helpers/wait";

let shared: Awaited<ReturnType<typeof sharedServer>>;
let proxy: TcpProxy;
const clients = new Clients();

before(async () => {
  shared = await sharedServer();
  proxy = await TcpProxy.start(Number(new URL(shared.http).port));
});

after(async () => {
  clients.destroyAll();
  await proxy?.close();
  await shared?.stop();
});

/** Appends a token to the client's document (its own edit, merged by Yjs). */
function edit(c: RoomClient, token: string): void {
  const text = c.doc.getText(DOC_TEXT_NAME);
  text.insert(text.length, token);
}

type Retry = Extract<ConnectionState, { state: "reconnecting" }> & { at: number };
function retries(states: Array<ConnectionState & { at: number }>, since = 0): Retry[] {
  const seen = new Map<string, Retry>();
  for (const s of states) if (s.at >= since && s.state === "reconnecting" && !seen.has(`${s.attempt}@${s.nextRetryAt}`)) seen.set(`${s.attempt}@${s.nextRetryAt}`, s);
  return [...seen.values()];
}

test("cut and recovery while everyone keeps writing: zero loss, zero duplicates, identical documents", async (t) => {
  const room = uniqueRoom("fault-cut");
  const backoff = { baseMs: 100, capMs: 400, floorMs: 20 };
  const ada = clients.join(new URL(shared.http).host, room, "Ada");
  const bo = clients.join(proxy.host, room, "Bo", { backoff, stableAfterMs: 500 });
  const cy = clients.join(proxy.host, room, "Cy", { backoff, stableAfterMs: 500 });
  for (const [c, n] of [[ada, "Ada"], [bo, "Bo"], [cy, "Cy"]] as const) await connected(c, n);
  await until(() => [ada, bo, cy].every((c) => c.getSnapshot().docSynced), "documents to sync");
  const written: string[] = [];
  const say = (c: RoomClient, text: string) => {
    written.push(text);
    c.sendChat(text);
  };
  say(ada, "before the cut");
  edit(bo, "[bo-0]");
  await until(() => [ada, bo, cy].every((c) => messagesOf(c).length === 1 && docText(c) === "[bo-0]"), "everyone to see the first message and edit");
  const boStates = recordStates(bo);

  for (let round = 1; round <= 2; round++) {
    const cutAt = Date.now();
    proxy.refuse();
    await until(() => bo.getSnapshot().connection.state !== "connected" && cy.getSnapshot().connection.state !== "connected", "Bo and Cy to notice the cut");
    for (let i = 1; i <= 5; i++) say(ada, `ada r${round} #${i}`);
    for (let i = 1; i <= 3; i++) say(bo, `bo r${round} #${i}`);
    for (let i = 1; i <= 2; i++) say(cy, `cy r${round} #${i}`);
    for (const [c, n] of [[ada, "ada"], [bo, "bo"], [cy, "cy"]] as const) edit(c, `[${n}-r${round}]`);
    assert.ok(bo.hasUnsyncedWork() && cy.hasUnsyncedWork(), "queued chat and offline edits count as unsynced work");
    const acceptsAtCut = proxy.accepts.length;
    // Long enough for the retry delays to grow to the cap (0.1, 0.2, 0.4, 0.4 s windows) and several attempts to fail.
    // (The proxy also sees the clients' HTTP checks before any transport fallback, so count Bo's own retries too.)
    // Four delays at the cap: full jitter draws each from about 400 ms of window, so two of them lie within 10 ms of each
    // other about one time in twenty (a CI run drew 345 and 339); all four, well under one time in 10,000.
    await until(() => proxy.accepts.length - acceptsAtCut >= 8 && retries(boStates, cutAt).filter((s) => s.attempt >= 3).length >= 4, "refused reconnect attempts up to the cap", 15_000);
    const scheduled = retries(boStates, cutAt);
    const delays = scheduled.map((s) => s.nextRetryAt - s.at);
    t.diagnostic(`round ${round}: Bo's scheduled retries (attempt:delay ms) ${scheduled.map((s, i) => `${s.attempt}:${delays[i]}`).join(" ")}`);
    assert.equal(scheduled[0]?.attempt, 1, "the first retry after a stable connection is attempt 1 (the backoff was reset)");
    assert.ok(delays[0]! <= backoff.baseMs, `first retry within the base window: ${delays[0]}`);
    for (const d of delays) assert.ok(d >= 0 && d <= backoff.capMs, `delay ${d} outside [0, cap]`);
    const atCap = scheduled.filter((s) => s.attempt >= 3).map((s) => s.nextRetryAt - s.at);
    assert.ok(atCap.length >= 4 && Math.max(...atCap) - Math.min(...atCap) > 10, `delays at the cap are jittered: ${atCap.join(", ")}`);

    const backAt = Date.now();
    proxy.forward();
    await Promise.all([connected(bo, "Bo after the cut"), connected(cy, "Cy after the cut")]);
    t.diagnostic(`round ${round}: reconnected ${Date.now() - backAt} ms after the network came back`);
    await until(() => [ada, bo, cy].every((c) => messagesOf(c).length === written.length && pendingOf(c) === 0 && !c.hasUnsyncedWork()), "every message everywhere, nothing unsynced", 15_000);
    await until(() => docText(ada) === docText(bo) && docText(bo) === docText(cy), "documents to converge");
    // Stay connected past stableAfterMs, so the next cut starts the backoff over.
    await new Promise((r) => setTimeout(r, 700));
  }

  const stored = await serverMessages(shared.http, room);
  assertCleanLog(stored, "server", 1);
  assert.deepEqual(stored.map((m) => m.text).sort(), [...written].sort(), "the server stores exactly what was written, each once");
  for (const [c, n] of [[ada, "Ada"], [bo, "Bo"], [cy, "Cy"]] as const) {
    assertCleanLog(messagesOf(c), n, 1);
    assert.deepEqual(messagesOf(c), stored, `${n} holds exactly the server's log`);
  }
  // Each sender's messages keep their written order.
  for (const who of ["ada", "bo", "cy"]) {
    const mine = stored.filter((m) => m.text.startsWith(`${who} `)).map((m) => m.text);
    assert.deepEqual(mine, written.filter((w) => w.startsWith(`${who} `)), `${who}'s order`);
  }
  const doc = await serverDoc(shared.http, room);
  assert.equal(docText(ada), doc, "Ada's document is the server's");
  for (const token of ["[bo-0]", "[ada-r1]", "[bo-r1]", "[cy-r1]", "[ada-r2]", "[bo-r2]", "[cy-r2]"]) {
    assert.equal(doc.split(token).length - 1, 1, `edit ${token} once in "${doc}"`);
  }
  clients.leave(ada, bo, cy);
});
