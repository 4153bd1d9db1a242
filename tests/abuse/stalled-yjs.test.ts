/**
 * Issue 18 for the peers we cannot change: stock y-websocket and y-partykit
 * providers whose TCP socket stops reading while another peer edits. They
 * never report reads, so the room probes them with sync step 1 (flow.ts);
 * unanswered, they are closed 1013 at their budget, and the room's memory
 * stays flat. What happens next is theirs: under `partykit dev` a close the
 * room starts outside the socket's own event never reaches the client, and a
 * stock provider gets no `close` message, so each finds out by its own
 * watchdog (no message for 30 s), reconnects and resyncs the whole document.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DOC_TEXT_NAME, FLOW } from "../../party/protocol";
import { getJson } from "../helpers/client";
import { MemoryWatch, MiB, mib } from "../helpers/memory";
import { startServer, uniqueRoom } from "../helpers/server";
import { dispose, providerTcp, type StockProvider, stockProvider, synced } from "../helpers/yjs-peers";
import { until } from "../helpers/wait";

const STALLED = { "y-websocket": 8, "y-partykit": 2 } as const;
/** What the stalled peers may add to the room's memory: they are closed at FLOW.budgetBytes each. */
const MEMORY_BUDGET = 32 * MiB;
/** An edit of this many characters, then its deletion, ten times a second: about 80 KB/s to every peer, with a small document. */
const EDIT_CHARS = 8_000;

test("stock Yjs providers that stop reading are closed 1013 at their budget, then reconnect by their own watchdog and resync", { timeout: 240_000 }, async () => {
  const server = await startServer();
  const peers: StockProvider[] = [];
  let editor: NodeJS.Timeout | undefined;
  try {
    const room = uniqueRoom("yjs-stall");
    const writer = stockProvider("y-websocket", server.http, room);
    peers.push(writer);
    await synced(writer, "the writer to sync");
    const writerSocket = writer.ws;
    const stalled: StockProvider[] = [];
    for (const [kind, n] of Object.entries(STALLED) as [StockProvider["kind"], number][]) {
      for (let i = 0; i < n; i++) stalled.push(stockProvider(kind, server.http, room));
    }
    peers.push(...stalled);
    await Promise.all(stalled.map((p) => synced(p, `${p.kind} to sync`)));
    const pausedSockets = stalled.map((p) => {
      providerTcp(p).pause();
      return p.ws;
    });
    const memory = new MemoryWatch(server.pid);
    const started = Date.now();
    const text = writer.doc.getText(DOC_TEXT_NAME);

    let edits = 0;
    editor = setInterval(() => {
      text.insert(0, `${edits++ % 10}`.repeat(EDIT_CHARS));
      text.delete(0, EDIT_CHARS);
    }, 100);
    // The room closes every stalled peer; only the writer stays.
    await until(async () => (await getJson(server.http, `/parties/main/${room}/state`)).body.internals.yjsSockets === 1, "the room to close the stalled peers", 60_000, 250);
    const closedAfter = Date.now() - started;
    const { body } = await getJson(server.http, `/parties/main/${room}/state`);
    assert.equal(body.internals.unreadBytes < 2 * FLOW.budgetBytes, true, `unread ${body.internals.unreadBytes}`);
    // Each stalled provider's watchdog (30 s without a message) drops its socket and opens a new one.
    await until(() => stalled.every((p, i) => p.ws !== null && p.ws !== pausedSockets[i] && p.synced), "every stalled provider to reconnect and sync again", 120_000, 250);
    const resyncedAfter = Date.now() - started;
    clearInterval(editor);
    text.insert(0, "done");
    const growth = memory.stop();
    const expected = text.toString();
    assert.equal(writer.ws === writerSocket && writer.synced, true, "the writer kept its connection (its echoes of the others' awareness cost it nothing)");
    await until(async () => (await fetch(`${server.http}/parties/main/${room}/doc`).then((r) => r.text())) === expected, "the room to have the writer's document");
    await until(() => stalled.every((p) => p.doc.getText(DOC_TEXT_NAME).toString() === expected), "every resynced provider to have the document", 20_000);
    console.log(
      `# ${stalled.length} stalled stock providers: closed by the room within ${(closedAfter / 1000).toFixed(1)} s, ` +
        `all reconnected and synced after ${(resyncedAfter / 1000).toFixed(1)} s; ${edits} edits; workerd +${mib(growth)}`,
    );
    assert.ok(growth <= MEMORY_BUDGET, `workerd grew ${mib(growth)}`);
  } finally {
    clearInterval(editor);
    for (const p of peers) dispose(p);
    await server.stop();
  }
});
