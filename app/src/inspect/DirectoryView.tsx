/** `/inspect`: every room the directory knows, busiest first, each linking to its inspector. */
import type { DirectoryList } from "../../../party/protocol";
import { DIRECTORY_ID, DIRECTORY_PARTY, DIRECTORY_PATHS } from "../../../party/protocol";
import { inspectPath, onLinkClick } from "../lib/router";
import { getAdminJson, usePoll } from "./api";
import { ago, count } from "./format";
import { InspectHeader, PollFallback } from "./InspectChrome";

const LIST_URL = `/parties/${DIRECTORY_PARTY}/${DIRECTORY_ID}${DIRECTORY_PATHS.list}`;

export function DirectoryView() {
  const poll = usePoll(() => getAdminJson<DirectoryList>(LIST_URL), "directory");
  const list = poll.data;
  const now = Date.now();
  return (
    <div className="inspect">
      <InspectHeader title="Rooms" roomId={null} poll={poll} />
      <main className="inspect-main">
        {!list ? (
          <PollFallback poll={poll} what="the rooms" />
        ) : (
          <section className="inspect-card" aria-labelledby="rooms-title">
            <h2 id="rooms-title">
              Rooms <span className="muted">{`${count(list.active)} active of ${count(list.total)} · ${count(list.connections)} connections`}</span>
            </h2>
            {list.rooms.length === 0 ? (
              <p className="muted">No room has reported yet. Rooms report when their first connection arrives.</p>
            ) : (
              <div className="inspect-scroll">
                <table className="inspect-table">
                  <thead>
                    <tr>
                      <th scope="col">Room</th>
                      <th scope="col" className="num">Connections</th>
                      <th scope="col">By kind</th>
                      <th scope="col">By transport</th>
                      <th scope="col">State</th>
                      <th scope="col">Active since</th>
                      <th scope="col">Last report</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.rooms.map((r) => (
                      <tr key={r.room}>
                        <th scope="row">
                          <a href={inspectPath(r.room)} onClick={onLinkClick}>
                            {r.room}
                          </a>
                        </th>
                        <td className="num">{count(r.connections)}</td>
                        <td>{pairs(r.byKind)}</td>
                        <td>{pairs(r.byTransport)}</td>
                        <td>{r.connections > 0 ? "active" : "empty"}</td>
                        <td>{ago(r.startedAt, now)}</td>
                        <td>{ago(r.reportedAt, now)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        )}
      </main>
    </div>
  );
}

function pairs(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(", ") : "—";
}
