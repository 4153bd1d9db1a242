/** The inspector's connection table, a page at a time (a room may hold thousands). */
import type { InspectData } from "../../../party/protocol";
import { ago, bytes, count } from "./format";

/** Rows per page. */
export const PAGE_SIZE = 50;

export function ConnectionTable({ data, offset, onPage }: { data: InspectData; offset: number; onPage(offset: number): void }) {
  const { total, items } = data.connections;
  const last = Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
  return (
    <>
      <div className="inspect-pager">
        <span role="status">{total === 0 ? "No connections." : `${count(offset + 1)}–${count(Math.min(total, offset + items.length))} of ${count(total)}`}</span>
        <button type="button" className="button" onClick={() => onPage(Math.max(0, offset - PAGE_SIZE))} disabled={offset === 0}>
          Previous page
        </button>
        <button type="button" className="button" onClick={() => onPage(Math.min(last, offset + PAGE_SIZE))} disabled={offset >= last}>
          Next page
        </button>
      </div>
      {items.length > 0 && (
        <div className="inspect-scroll">
          <table className="inspect-table" aria-label="Connections">
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Kind</th>
                <th scope="col">Transport</th>
                <th scope="col">Role</th>
                <th scope="col">User</th>
                <th scope="col">Last seen</th>
                <th scope="col" className="num">In</th>
                <th scope="col" className="num">Out</th>
                <th scope="col" className="num">Unread</th>
                <th scope="col" className="num">Strikes</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <code title={c.id}>{c.id.slice(0, 8)}</code>
                  </th>
                  <td>{c.kind}</td>
                  <td>{c.transport}</td>
                  <td>{c.role}</td>
                  <td>{c.user || c.clientId || "—"}</td>
                  <td>{ago(c.lastSeen, data.now)}</td>
                  <td className="num">{bytes(c.bytesIn)}</td>
                  <td className="num">{bytes(c.bytesOut)}</td>
                  <td className="num">{bytes(c.unread)}</td>
                  <td className="num">{c.strikes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
