/**
 * The test and bench HTTP clients drop an idle connection before the server
 * closes it (tests/helpers/http-agent.ts says why). Both sides are checked:
 * partykit dev's idle close, on a raw socket, and the client's, on a local
 * TCP server that records when the client hangs up.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { CLIENT_KEEPALIVE_MS, clientFetch, SERVER_IDLE_CLOSE_MS } from "../helpers/http-agent";
import { sharedServer, uniqueRoom } from "../helpers/server";
import { withTimeout } from "../helpers/wait";

/** The least time between the client dropping an idle connection and the server closing it. */
const MARGIN_MS = 3_000;

let server: Awaited<ReturnType<typeof sharedServer>>;
before(async () => {
  server = await sharedServer();
});
after(() => server.stop());

test("partykit dev keeps an idle keep-alive connection open long enough for the clients' pool", async () => {
  const sock = net.connect(Number(new URL(server.http).port), "127.0.0.1");
  let answered = 0;
  let head = "";
  sock.on("data", (d) => {
    head += String(d);
    if (!answered && head.includes("\r\n\r\n")) answered = performance.now();
  });
  const ended = new Promise<number>((resolve) => sock.on("end", () => resolve(performance.now())));
  sock.write(`GET /parties/main/${uniqueRoom()}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  const closedAt = await withTimeout(ended, SERVER_IDLE_CLOSE_MS + 10_000, "the server to close the idle connection");
  sock.destroy();
  assert.match(head, /^HTTP\/1\.1 200/);
  assert.doesNotMatch(head, /^keep-alive:/im, "the server announces its idle timeout: the client could follow it instead");
  const idleMs = closedAt - answered;
  assert.ok(idleMs >= CLIENT_KEEPALIVE_MS + MARGIN_MS, `the server closed an idle connection ${idleMs.toFixed(0)} ms after its answer`);
  assert.ok(idleMs < SERVER_IDLE_CLOSE_MS + 1_000, `the server's idle close moved (${idleMs.toFixed(0)} ms): update SERVER_IDLE_CLOSE_MS`);
});

test("the clients' fetch drops an idle connection after CLIENT_KEEPALIVE_MS, where Node's default keeps it 4 s", async () => {
  const hangUps: number[] = [];
  const tcp = net.createServer((s) => {
    let answered = 0;
    s.on("data", () => {
      if (answered) return;
      answered = performance.now();
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    s.on("end", () => {
      hangUps.push(performance.now() - answered);
      s.end();
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = tcp.address() as net.AddressInfo;
    const hungUp = new Promise<void>((resolve) => tcp.once("connection", (s) => s.once("end", () => setImmediate(resolve))));
    assert.equal(await (await clientFetch(`http://127.0.0.1:${port}/`)).text(), "ok");
    await withTimeout(hungUp, CLIENT_KEEPALIVE_MS + 3_000, "the client to drop its idle connection");
    assert.ok(hangUps[0]! < CLIENT_KEEPALIVE_MS + 500, `the client dropped its idle connection after ${hangUps[0]!.toFixed(0)} ms`);
  } finally {
    tcp.close();
  }
});
