import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidRoomId } from "../../party/protocol";
import { randomRoomId, ROOM_SECRET_CHARS, roomIdFromInput, whyNotRoomId } from "../../app/src/lib/room-names";

test("created room ids are valid, readable and carry at least 64 random bits", () => {
  assert.ok(ROOM_SECRET_CHARS * 5 >= 64, "the secret part alone is 64+ bits (5 bits a character)");
  const ids = new Set<string>();
  for (let i = 0; i < 5_000; i++) {
    const id = randomRoomId();
    assert.ok(isValidRoomId(id), id);
    assert.match(id, new RegExp(`^[a-z]+-[a-z]+-[0-9a-z]{${ROOM_SECRET_CHARS}}$`));
    ids.add(id);
  }
  assert.equal(ids.size, 5_000, "no repeats");
});

test("every secret character is drawn from the random bytes", () => {
  const zeros = randomRoomId((b) => b.fill(0));
  const ones = randomRoomId((b) => b.fill(1));
  assert.equal(zeros.split("-")[2], "0".repeat(ROOM_SECRET_CHARS));
  assert.equal(ones.split("-")[2], "1".repeat(ROOM_SECRET_CHARS));
});

test("typed and pasted ids keep their case (rooms are case-sensitive)", () => {
  assert.equal(roomIdFromInput("TeamStandup"), "TeamStandup");
  assert.equal(roomIdFromInput("http://127.0.0.1:1999/r/TeamStandup"), "TeamStandup");
  assert.equal(roomIdFromInput("  https://rooms.example/r/Team_Standup-2?name=Ada#x "), "Team_Standup-2");
  assert.equal(roomIdFromInput("https://rooms.example/embed/Board?view=chat"), "Board");
  assert.equal(roomIdFromInput("Team Standup!"), "Team-Standup");
  assert.equal(roomIdFromInput("!!!"), null);
  assert.equal(roomIdFromInput("http://h/r/%E0%A4%A"), "E0-A4-A", "a broken escape is cleaned, not thrown");
});

test("why a path is not a room, in words", () => {
  assert.match(whyNotRoomId("%E0%A4%A"), /broken %-escape/);
  assert.match(whyNotRoomId("h%C3%A9llo%20w"), /“é”, a space/);
  assert.match(whyNotRoomId("x".repeat(70)), /at most 64 characters; this one has 70/);
});
