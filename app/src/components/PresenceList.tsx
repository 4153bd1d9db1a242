/** Who is in the room: a colour dot, the name, active/idle, you first and marked. */
import type { Person } from "../../../party/protocol";
import { Avatar } from "./Avatar";

/** `stale`: not connected, so the list is the last one known. */
type Props = { people: Person[]; selfId: string; stale: boolean };

function byYouThenName(selfId: string) {
  return (a: Person, b: Person) => Number(b.clientId === selfId) - Number(a.clientId === selfId) || a.name.localeCompare(b.name);
}

export function PresenceList({ people, selfId, stale }: Props) {
  const sorted = [...people].sort(byYouThenName(selfId));
  return (
    <section className="panel presence" aria-labelledby="presence-heading" data-stale={stale || undefined} title={stale ? "Last known: reconnecting" : undefined}>
      <h2 id="presence-heading" className="panel-title">
        People here <span className="count" aria-label={`${people.length} ${people.length === 1 ? "person" : "people"}`}>{people.length}</span>
      </h2>
      <ul role="list" aria-label="People here" className="people">
        {sorted.map((person) => {
          const you = person.clientId === selfId;
          const active = person.status === "active";
          return (
            <li key={person.clientId} className="person" data-status={person.status} data-you={you || undefined}>
              <Avatar name={person.name} color={person.color} dimmed={!active} />
              <span className="person-name">
                {person.name}
                {you && <span className="person-you"> (you)</span>}
              </span>
              <span className="person-status">
                {person.status}
                {person.connections > 1 && ` · ${person.connections} tabs`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
