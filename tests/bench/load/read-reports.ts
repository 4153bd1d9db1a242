/**
 * What every partyroom app client owes the room (FLOW, PROTOCOL.md §11): a
 * `read` report each FLOW.reportEveryBytes received, and the running total on
 * heartbeats. A socket that never reports is a stalled reader to the room,
 * which stops sending to it (1,000 silent subscribers in one room stalled on
 * the joins' presence alone, and the last never got their welcome).
 */
import WebSocket from "ws";
import { FLOW } from "../../../party/protocol";

/** Counts what `ws` receives and reports it; returns the running total, for heartbeats. */
export function reportReads(ws: WebSocket): () => number {
  let read = 0;
  let reported = 0;
  ws.on("message", (data) => {
    read += (data as Buffer).byteLength;
    if (read - reported >= FLOW.reportEveryBytes && ws.readyState === WebSocket.OPEN) {
      reported = read;
      ws.send(`{"type":"read","bytes":${read}}`);
    }
  });
  return () => read;
}
