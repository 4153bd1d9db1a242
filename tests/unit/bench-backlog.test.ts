/** The load generator's backlog check (tests/bench/lib/backlog.ts): unread bytes in client sockets, from the kernel's own tables. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { unreadBytes, unreadIn, watchBacklog } from "../bench/lib/backlog";
import { checkLoad } from "../bench/lib/verdict";
import { until } from "../helpers/wait";

const TABLE = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 0100007F:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
  "   1: 0100007F:C350 0100007F:07E8 01 00000000:00010000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
  "   2: 0100007F:C351 0100007F:07E8 01 00000000:00000010 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
  "   3: 0100007F:07E8 0100007F:C350 01 00000400:00000000 00:00000000 00000000     0        0 4 1 0 20 4 30 10 -1",
  "   4: 0100007F:C352 0100007F:1F90 01 00000000:00000100 00:00000000 00000000     0        0 5 1 0 20 4 30 10 -1",
].join("\n");

test("only client sockets of the given server port count, their rx_queue in hex", () => {
  assert.equal(unreadIn(TABLE, 0x07e8), 0x10000 + 0x10, "the listener and the server's own side are not the generator's");
  assert.equal(unreadIn(TABLE, 0x1f90), 0x100);
  assert.equal(unreadIn(TABLE, 1234), 0);
});

test("a client that stops reading shows its unread bytes, and a backlog over the limit marks the generator saturated", async () => {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const client = createConnection({ host: "127.0.0.1", port });
  try {
    await once(client, "connect");
    client.pause();
    await until(() => sockets.length === 1, "the server accepting the client", 5_000);
    const before = unreadBytes(port);
    sockets[0]!.write(Buffer.alloc(200 * 1024, 1));
    await until(() => unreadBytes(port) >= before + 100 * 1024, "200 KiB landing in the paused client's receive queue", 5_000);
    const watch = watchBacklog(port, 10);
    await until(() => watch.taken() >= 5, "five samples", 5_000);
    const stats = watch.stop();
    assert.ok(stats.samples >= 5, `${stats.samples} samples`);
    assert.ok(stats.p50Bytes >= 100 * 1024, `median ${stats.p50Bytes}`);
    assert.match(checkLoad([], 1, true, stats).saturated ?? "", /behind: median \d+ KiB unread/);
    client.resume();
    await until(() => unreadBytes(port) === 0, "the client reading it all", 5_000);
    assert.equal(checkLoad([], 1, true, { samples: 5, p50Bytes: 0, maxBytes: 300 * 1024 }).saturated, null, "a burst now and then is not a backlog");
  } finally {
    client.destroy();
    for (const s of sockets) s.destroy();
    server.close();
  }
});
