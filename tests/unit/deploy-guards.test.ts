/**
 * Issue 11, items 7 and 8: what is deployed, and which rooms a token's
 * prefix grants. The benchmark's unchecked relay party lives only in the
 * benchmark's own config; a prefix matches only at a delimiter, and an empty
 * one grants nothing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { mintToken, prefixGrants, verifyToken } from "../../party/host/auth";
import { ROOT } from "../helpers/server";

const config = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as { parties?: Record<string, string> };

test("the deployed config has no benchmark parties; the benchmark's own config has them", () => {
  assert.deepEqual(Object.keys(config("partykit.json").parties ?? {}), ["directory"]);
  assert.ok("nullroom" in (config("tests/bench/partykit.json").parties ?? {}));
});

test("a room prefix grants only at a delimiter, and an empty prefix grants nothing", async () => {
  assert.equal(prefixGrants("team1", "team1"), true);
  assert.equal(prefixGrants("team1", "team1-standup"), true);
  assert.equal(prefixGrants("team1", "team1_notes"), true);
  assert.equal(prefixGrants("team1", "team10"), false);
  assert.equal(prefixGrants("team1-", "team1-x"), true);
  assert.equal(prefixGrants("", "anything"), false);
  const secret = "deploy-guards-secret";
  const empty = await mintToken(secret, { roomPrefix: "", role: "edit", userId: "u1", ttlSeconds: 60 });
  assert.deepEqual(await verifyToken(empty, secret, "anything"), { status: 401, code: 4401, reason: "token claims are incomplete" });
  const team1 = await mintToken(secret, { roomPrefix: "team1", role: "view", userId: "u1", ttlSeconds: 60 });
  assert.equal((await verifyToken(team1, secret, "team10") as { status?: number }).status, 403);
  assert.equal((await verifyToken(team1, secret, "team1-standup") as { role?: string }).role, "view");
});
