/** `/inspect/<room>`: one room live — summary, budgets, connections (paged), presence, chat, refusals and closes, webhooks. */
import { useState } from "react";
import { type InspectData, roomPath as roomApiPath } from "../../../party/protocol";
import { roomPath } from "../lib/router";
import { getAdminJson, usePoll } from "./api";
import { ConnectionTable, PAGE_SIZE } from "./ConnectionTable";
import { ago, bytes, clock, count } from "./format";
import { InspectHeader, PollFallback } from "./InspectChrome";
import { BudgetList, EventList, WebhookPanel } from "./RoomPanels";

export function RoomInspector({ roomId }: { roomId: string }) {
  const [offset, setOffset] = useState(0);
  const poll = usePoll(() => getAdminJson<InspectData>(`${roomApiPath(roomId, "/inspect")}?offset=${offset}&limit=${PAGE_SIZE}`), `${roomId}@${offset}`);
  const d = poll.data;
  return (
    <div className="inspect">
      <InspectHeader title={`Room ${roomId}`} roomId={roomId} poll={poll} />
      <main className="inspect-main">
        {!d ? (
          <PollFallback poll={poll} what={`room ${roomId}`} />
        ) : (
          <div className="inspect-grid">
            <section className="inspect-card inspect-summary" aria-labelledby="summary-title">
              <h2 id="summary-title">Summary</h2>
              <p>
                <a href={roomPath(roomId)}>Open the room page</a>
              </p>
              <dl className="inspect-facts">
                <Fact label="Connections" value={`${count(d.totals.connections)} (${pairs(d.totals.byKind)}; ${pairs(d.totals.byTransport)})`} />
                <Fact label="Chat" value={`seq ${count(d.chat.seq)} · ${count(d.totals.chatMessages)} this instance`} />
                <Fact label="Document" value={`${bytes(d.doc.bytes)} · ${count(d.doc.storedUpdates)} stored updates · ${count(d.doc.compactions)} compactions`} />
                <Fact label="Storage" value={`${bytes(d.storage.bytes)} in ${count(d.storage.keys)} keys (measured ${ago(d.storage.measuredAt, d.now)})`} />
                <Fact label="Traffic" value={`in ${bytes(d.totals.bytesIn)} / ${count(d.totals.framesIn)} frames · out ${bytes(d.totals.bytesOut)} / ${count(d.totals.framesOut)} frames`} />
                <Fact label="Instance" value={`${d.instance.id.slice(0, 8)} started ${ago(d.instance.startedAt, d.now)} (${clock(d.instance.startedAt)})`} />
                <Fact label="Wake-ups" value={`${count(d.instance.wakeupsTotal)} since the room was created · hibernates after ~10 s idle (this page keeps it awake)`} />
                <Fact label="Next alarm" value={ago(d.instance.alarmAt, d.now)} />
              </dl>
            </section>
            <section className="inspect-card" aria-labelledby="budgets-title">
              <h2 id="budgets-title">Budgets</h2>
              <BudgetList budgets={d.budgets} />
            </section>
            <section className="inspect-card inspect-wide" aria-labelledby="connections-title">
              <h2 id="connections-title">Connections</h2>
              <ConnectionTable data={d} offset={offset} onPage={setOffset} />
            </section>
            <section className="inspect-card" aria-labelledby="presence-title">
              <h2 id="presence-title">Presence</h2>
              {d.presence.length === 0 ? (
                <p className="muted">Nobody is here.</p>
              ) : (
                <ul className="inspect-list" aria-labelledby="presence-title">
                  {d.presence.map((p) => (
                    <li key={p.clientId}>
                      <span className="inspect-swatch" style={{ background: p.color }} aria-hidden="true" />
                      <strong>{p.name}</strong> <span className="muted">{`${p.status} · ${p.connections} connection${p.connections === 1 ? "" : "s"} · ${p.clientId}`}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="inspect-card" aria-labelledby="chat-title">
              <h2 id="chat-title">Latest messages</h2>
              {d.chat.latest.length === 0 ? (
                <p className="muted">No messages yet.</p>
              ) : (
                <ol className="inspect-list" aria-labelledby="chat-title">
                  {d.chat.latest.map((m) => (
                    <li key={m.seq}>
                      <span className="muted">{`#${m.seq} ${clock(m.ts)}`}</span> <strong>{m.name}</strong> {m.text.length > 120 ? `${m.text.slice(0, 120)}…` : m.text}
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section className="inspect-card" aria-labelledby="refusals-title">
              <h2 id="refusals-title">Refusals</h2>
              <EventList byCode={d.refusals.byCode} recent={d.refusals.recent} now={d.now} empty="Nothing refused." />
            </section>
            <section className="inspect-card" aria-labelledby="closes-title">
              <h2 id="closes-title">Closes by the room</h2>
              <EventList byCode={d.closes.byCode} recent={d.closes.recent} now={d.now} empty="The room closed nothing." />
            </section>
            <section className="inspect-card inspect-wide" aria-labelledby="webhooks-title">
              <h2 id="webhooks-title">Webhooks</h2>
              <WebhookPanel status={d.webhooks} now={d.now} />
            </section>
          </div>
        )}
      </main>
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function pairs(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(", ") : "none";
}
