/** Smaller parts of the room inspector: budgets with how full each is, refusals or closes, and the webhook queue with its delivery log. */
import type { InspectBudget, InspectEvent, WebhookStatus } from "../../../party/protocol";
import { ago, bytes, clock, count } from "./format";

export function BudgetList({ budgets }: { budgets: InspectBudget[] }) {
  return (
    <ul className="inspect-budgets">
      {budgets.map((b) => {
        const share = b.limit > 0 ? b.used / b.limit : 0;
        const fmt = b.unit === "bytes" ? bytes : count;
        return (
          <li key={b.name}>
            <span className="inspect-budget-name">{b.name}</span>
            <meter min={0} max={b.limit} low={b.limit * 0.7} high={b.limit * 0.9} optimum={0} value={b.used} aria-label={`${b.name}: ${fmt(b.used)} of ${fmt(b.limit)}`} />
            <span className="muted">{`${fmt(b.used)} / ${fmt(b.limit)} (${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 0)}%)`}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function EventList({ byCode, recent, now, empty }: { byCode: Record<string, number>; recent: InspectEvent[]; now: number; empty: string }) {
  const codes = Object.entries(byCode);
  if (codes.length === 0) return <p className="muted">{empty}</p>;
  return (
    <>
      <p>{codes.map(([code, n]) => `${code} × ${n}`).join(" · ")}</p>
      <ol className="inspect-list inspect-events" reversed>
        {[...recent].reverse().map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <code>{e.code}</code> <span className="muted">{`${ago(e.at, now)}${e.session ? ` · ${e.session.slice(0, 8)}` : ""}${e.reason ? ` · ${e.reason}` : ""}`}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

export function WebhookPanel({ status, now }: { status: WebhookStatus; now: number }) {
  if (!status.configured) return <p className="muted">Not configured (set PARTYROOM_WEBHOOK_URL and PARTYROOM_WEBHOOK_SECRET).</p>;
  return (
    <>
      <p>{`${count(status.queued)} waiting · ${count(status.delivered)} delivered · ${count(status.failedAttempts)} failed attempts · ${count(status.dropped)} dropped${status.nextAttemptAt ? ` · next retry ${ago(status.nextAttemptAt, now)}` : ""}`}</p>
      {status.log.length > 0 && (
        <div className="inspect-scroll">
          <table className="inspect-table" aria-label="Webhook deliveries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col" className="num">Took</th>
              </tr>
            </thead>
            <tbody>
              {[...status.log].reverse().map((a, i) => (
                <tr key={`${a.event}-${a.attempt}-${i}`}>
                  <td>{clock(a.at)}</td>
                  <td>
                    <code title={a.event}>{a.event.slice(0, 12)}</code>
                  </td>
                  <td>{a.type}</td>
                  <td className="num">{a.attempt}</td>
                  <td className={a.status !== null && a.status < 300 ? "inspect-ok" : "inspect-bad"}>{a.status ?? a.error ?? "no answer"}</td>
                  <td className="num">{`${a.ms} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
