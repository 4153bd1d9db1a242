/**
 * One room's metrics in the Prometheus text format (`GET …/metrics`, admin).
 * Every sample carries `room`. Counters named `_total` count since this room
 * instance started (a wake starts them again: Prometheus's rate() treats that
 * as a counter reset; `partyroom_instance_start_time_seconds` tells when),
 * except wake-ups and webhook counts, which are kept in storage. README
 * "Operating rooms" lists every name with its unit.
 */
import type { WebhookStatus } from "../protocol";
import { MetricsText } from "./prometheus";
import type { RoomCore } from "./room";
import type { StorageUsage } from "./storage-usage";

export type RoomMetricsInput = { wakeupsTotal: number; storage: StorageUsage; webhooks: WebhookStatus | null };

/** The room's metrics text. */
export function roomMetrics(core: RoomCore, input: RoomMetricsInput): string {
  const room = core.deps.roomId;
  const c = core.counters;
  const byKindTransport = new Map<string, { kind: string; transport: string; n: number }>();
  let unread = 0;
  for (const s of core.sessions.values()) {
    const key = `${s.kind}/${s.transport}`;
    const entry = byKindTransport.get(key) ?? { kind: s.kind, transport: s.transport, n: 0 };
    entry.n++;
    byKindTransport.set(key, entry);
    unread += s.flow.unread;
  }
  const m = new MetricsText()
    .family("partyroom_connections", "gauge", "Open connections (sockets and HTTP sessions) by kind (pending, app, yjs) and transport.", [...byKindTransport.values()].map((e) => [{ room, kind: e.kind, transport: e.transport }, e.n]))
    .one("partyroom_presence_people", "gauge", "People in the room's presence list.", { room }, core.presence.count)
    .one("partyroom_chat_seq", "gauge", "The room's latest chat sequence number (all messages ever stored).", { room }, core.chat.seq)
    .one("partyroom_chat_messages_total", "counter", "Chat messages stored by this instance.", { room }, c.chatMessages)
    .one("partyroom_frames_received_total", "counter", "Frames received from clients by this instance.", { room }, c.framesIn)
    .one("partyroom_received_bytes_total", "counter", "Bytes received from clients by this instance.", { room }, c.bytesIn)
    .one("partyroom_frames_sent_total", "counter", "Frames sent to clients by this instance.", { room }, c.framesOut)
    .one("partyroom_sent_bytes_total", "counter", "Bytes sent to clients by this instance.", { room }, c.bytesOut)
    .one("partyroom_unread_bytes", "gauge", "Bytes sent that links have not yet shown they read (flow control), summed.", { room }, unread)
    .one("partyroom_document_updates_total", "counter", "Yjs document updates applied by this instance.", { room }, c.docUpdates)
    .family("partyroom_refusals_total", "counter", "Refused frames and connections by error code, this instance.", [...c.refusals].map(([code, n]) => [{ room, code }, n]))
    .family("partyroom_closes_total", "counter", "Connections the room closed, by close code, this instance.", [...c.closes].map(([code, n]) => [{ room, code: String(code) }, n]))
    .one("partyroom_wakeups_total", "counter", "Times the room was started again after hibernation or a restart (kept in storage).", { room }, input.wakeupsTotal)
    .one("partyroom_instance_start_time_seconds", "gauge", "When this room instance started, Unix time in seconds.", { room }, c.startedAt / 1000)
    .one("partyroom_storage_bytes", "gauge", "Storage the room uses: keys plus serialised values, in bytes (measured at most every 30 s).", { room }, input.storage.bytes)
    .one("partyroom_storage_keys", "gauge", "Storage keys the room uses.", { room }, input.storage.keys);
  if (core.doc) {
    m.one("partyroom_document_bytes", "gauge", "The document encoded as one update, in bytes (an upper bound between measurements).", { room }, core.doc.store.size);
  }
  if (input.webhooks) {
    const w = input.webhooks;
    m.family("partyroom_webhook_deliveries_total", "counter", "Webhook delivery attempts by result (delivered: the receiver answered 2xx; failed: anything else).", [
      [{ room, result: "delivered" }, w.delivered],
      [{ room, result: "failed" }, w.failedAttempts],
    ])
      .one("partyroom_webhook_queue_events", "gauge", "Webhook events waiting for delivery.", { room }, w.queued)
      .one("partyroom_webhook_dropped_total", "counter", "Webhook events dropped because the queue was full.", { room }, w.dropped);
  }
  return m.toString();
}
