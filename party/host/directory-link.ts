/**
 * How a room reaches the directory party: a request to its one instance
 * through `room.context.parties`, which goes straight to that Durable Object
 * (not through the directory's onBeforeRequest, so only rooms can report).
 *
 * PartyKit refuses `context.parties` inside onAlarm, and on an instance an
 * alarm started it stays unset. The object it hands out is one per isolate
 * (PartyKit's facade builds it once, at module scope, for every party
 * instance), so the last one any room saw is kept here at module scope too:
 * an alarm-started room in the same isolate can still report. When none is
 * known, the report waits (core/directory-report.ts).
 */
import type * as Party from "partykit/server";
import type { SendReport } from "../core/directory-report";
import { DIRECTORY_ID, DIRECTORY_PARTY } from "../protocol";

type Parties = Party.Room["context"]["parties"];

let known: Parties | null = null;

/** Remembers the room's parties if this event may read them (call from every event but alarms). */
export function seeParties(room: Party.Room): void {
  try {
    known = room.context.parties;
  } catch {
    // An alarm-started instance: keep what another room showed.
  }
}

/** A SendReport over the directory party; `track` keeps the room running until the request is done (host/clock.ts). */
export function directorySender(track: (p: Promise<unknown>) => void, log: (message: string, err?: unknown) => void): SendReport {
  return (report) => {
    const party = known?.[DIRECTORY_PARTY];
    if (!party) return false;
    const sent = party
      .get(DIRECTORY_ID)
      .fetch("/report", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report) })
      .then((res) => {
        if (!res.ok) log(`partyroom: the directory answered ${res.status} to a report`);
      })
      .catch((err: unknown) => log("partyroom: reporting to the directory failed", err));
    track(sent);
    return true;
  };
}
