/**
 * Who is in the room: colour, name, active/idle, you first and marked. While
 * not connected the list is only the last one known, so the others' status
 * is "unknown" rather than a stale "active"; before the room has answered
 * once there is a skeleton, not a false "0".
 */
import type { Person } from "../../../party/protocol";
import { Avatar } from "./Avatar";
import { Skeleton } from "./Skeleton";

/** `stale`: not connected; `known`: the room has answered at least once. */
type Props = { people: Person[]; selfId: string; stale: boolean; known: boolean; hidden?: boolean; labelledBy?: string };

function byYouThenName(selfId: string) {
  return (a: Person, b: Person) => Number(b.clientId === selfId) - Number(a.clientId === selfId) || a.name.localeCompare(b.name);
}

export function PresenceList({ people, selfId, stale, known, hidden = false, labelledBy }: Props) {
  const sorted = [...people].sort(byYouThenName(selfId));
  return (
    <section
      className="panel presence"
      aria-labelledby={labelledBy ?? "presence-heading"}
      data-stale={stale || undefined}
      hidden={hidden}
      role={labelledBy ? "tabpanel" : undefined}
      id="panel-people"
    >
      <h2 id="presence-heading" className="panel-title">
        People here{" "}
        {known && (
          <span className="count" aria-label={`${people.length} ${people.length === 1 ? "person" : "people"}`}>
            {people.length}
          </span>
        )}
        {known && stale && <span className="panel-note">last known</span>}
      </h2>
      {!known ? (
        <Skeleton lines={2} label="Loading who is here" />
      ) : (
        <ul role="list" aria-label="People here" className="people">
          {sorted.map((person) => {
            const you = person.clientId === selfId;
            const status = stale && !you ? "unknown" : person.status;
            return (
              <li key={person.clientId} className="person" data-status={status} data-you={you || undefined}>
                <Avatar name={person.name} color={person.color} dimmed={status !== "active"} />
                <span className="person-name">
                  {person.name}
                  {you && <span className="person-you"> (you)</span>}
                </span>
                <span className="person-status">
                  {status}
                  {person.connections > 1 && ` · ${person.connections} tabs`}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
