/**
 * Who is in the room: colour, name, active/idle, you first and marked. While
 * not connected the list is only the last one known, so the others' status
 * is "unknown" rather than a stale "active"; before the room has answered
 * once there is a skeleton, not a false "0".
 */
import type { Person } from "../../../party/protocol";
import { Avatar } from "./Avatar";
import { Skeleton } from "./Skeleton";

/**
 * `stale`: not connected; `known`: the room has answered at least once;
 * `count`: how many are here in all (past the room's list, the longest present, they are counted, not listed).
 */
type Props = { people: Person[]; count: number; selfId: string; stale: boolean; known: boolean; hidden?: boolean; labelledBy?: string };

function byYouThenName(selfId: string) {
  return (a: Person, b: Person) => Number(b.clientId === selfId) - Number(a.clientId === selfId) || a.name.localeCompare(b.name);
}

export function PresenceList({ people, count, selfId, stale, known, hidden = false, labelledBy }: Props) {
  const sorted = [...people].sort(byYouThenName(selfId));
  const unlisted = Math.max(0, count - people.length);
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
          <span className="count" aria-label={`${count} ${count === 1 ? "person" : "people"}`}>
            {count.toLocaleString("en")}
          </span>
        )}
        {known && stale && <span className="panel-note">last known</span>}
      </h2>
      {!known ? (
        <Skeleton lines={2} label="Loading who is here" />
      ) : (
        // Focusable: a long list scrolls, and a keyboard must be able to scroll it (axe: scrollable-region-focusable).
        <ul role="list" aria-label="People here" className="people" tabIndex={0}>
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
      {known && unlisted > 0 && (
        <p className="panel-note people-more">
          and {unlisted.toLocaleString("en")} more {unlisted === 1 ? "person" : "people"}: a room this full lists the {people.length.toLocaleString("en")} here longest
        </p>
      )}
    </section>
  );
}
