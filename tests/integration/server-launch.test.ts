/**
 * The test servers' launcher (tests/helpers/server.ts): a `partykit dev` that
 * starts but never answers is launched once more, and a second hang fails with
 * the timeout instead of waiting for ever. The fixture party answers no request.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, startServer } from "../helpers/server";

test("a launch that never answers is retried once, then fails with the timeout and its output", async () => {
  const said: string[] = [];
  let port = 0;
  const error = console.error;
  console.error = (...args: unknown[]) => void said.push(args.join(" "));
  try {
    await assert.rejects(startServer({ config: join(ROOT, "tests", "fixtures", "hung", "partykit.json"), readyTimeoutMs: 8_000 }), (err: Error) => {
      port = Number(/timed out after 8000 ms waiting for partykit dev on port (\d+) to answer/.exec(err.message)?.[1]);
      assert.match(err.message, /--- partykit dev output ---/);
      return true;
    });
  } finally {
    console.error = error;
  }
  assert.ok(port > 0, "the error names the port");
  // Both hung launches are gone: their port can be listened on again.
  await new Promise<void>((resolve, reject) => {
    const srv = createServer().once("error", reject);
    srv.listen(port, () => srv.close(() => resolve()));
  });
  assert.equal(said.filter((line) => /did not answer within 8000 ms; launching it again/.test(line)).length, 1, said.join("\n"));
});
