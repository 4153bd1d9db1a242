/**
 * The people in the room as overlapping avatars in the header. Choosing one
 * offers to jump to their cursor or to follow them (the editor keeps their
 * cursor in view until you type, click or stop).
 */
import { useState } from "react";
import type { Person } from "../../../party/protocol";
import type { Peer } from "../room/peers";
import { Avatar } from "./Avatar";

type Props = {
  people: Person[];
  /** Everyone here, listed or not (the room lists only the longest present when it is full). */
  count: number;
  selfId: string;
  peers: Peer[];
  following: string | null;
  stale: boolean;
  max: number;
  onJump: (personId: string) => boolean;
  onFollow: (personId: string | null) => void;
};

const MENU_ID = "person-menu";

export function AvatarStack({ people, count, selfId, peers, following, stale, max, onJump, onFollow }: Props) {
  const [chosen, setChosen] = useState<Person | null>(null);
  const [note, setNote] = useState("");
  const others = people.filter((p) => p.clientId !== selfId).sort((a, b) => a.name.localeCompare(b.name));
  if (others.length === 0) return null;
  const shown = others.slice(0, max);
  // Everyone not shown: the listed past `max`, and those the room counts but does not list (you are one of the count).
  const more = Math.max(others.length - max, 0) + Math.max(count - people.length, 0);
  const hasCursor = (id: string) => peers.some((p) => p.personId === id && p.hasCursor);
  const close = () => document.getElementById(MENU_ID)?.hidePopover();

  return (
    <div className="avatar-stack" role="group" aria-label="People in this room">
      {shown.map((person) => (
        <button
          key={person.clientId}
          type="button"
          className="avatar-stack-item"
          popoverTarget={MENU_ID}
          aria-label={`${person.name}${following === person.clientId ? " (following)" : ""}: jump to or follow`}
          title={person.name}
          data-following={following === person.clientId || undefined}
          onClick={() => {
            setChosen(person);
            setNote("");
          }}
        >
          <Avatar name={person.name} color={person.color} dimmed={stale || person.status !== "active"} />
        </button>
      ))}
      {more > 0 && (
        <span className="avatar-stack-more" title={others.slice(max, max + 20).map((p) => p.name).join(", ") + (more > 20 ? ", …" : "")}>
          +{more.toLocaleString("en")}
        </span>
      )}
      <div id={MENU_ID} popover="auto" className="popover person-menu" role="dialog" aria-label={chosen ? chosen.name : "Person"}>
        {chosen && (
          <div className="person-menu-body">
            <p className="person-menu-name">
              <Avatar name={chosen.name} color={chosen.color} /> {chosen.name}
            </p>
            <button
              type="button"
              className="button"
              disabled={!hasCursor(chosen.clientId)}
              onClick={() => {
                if (onJump(chosen.clientId)) close();
                else setNote(`${chosen.name} has no cursor in the document right now.`);
              }}
            >
              Jump to {chosen.name}'s cursor
            </button>
            {following === chosen.clientId ? (
              <button type="button" className="button" onClick={() => (onFollow(null), close())}>
                Stop following
              </button>
            ) : (
              <button type="button" className="button" onClick={() => (onFollow(chosen.clientId), close())}>
                Follow {chosen.name}
              </button>
            )}
            {!hasCursor(chosen.clientId) && <p className="muted person-menu-note">{note || `${chosen.name} has not placed a cursor in the document yet.`}</p>}
          </div>
        )}
      </div>
    </div>
  );
}
