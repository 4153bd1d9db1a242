/** Rooms this browser visited lately, newest first. */
import type { RecentRoom } from "../lib/recent-rooms";
import { onLinkClick, roomPath } from "../lib/router";

type Props = { rooms: RecentRoom[]; onForget: (id: string) => void };

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "5 minutes ago", "yesterday", ... */
export function timeAgo(ts: number, now = Date.now()): string {
  const seconds = Math.round((ts - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["second", 60],
    ["minute", 60],
    ["hour", 24],
    ["day", 7],
    ["week", 5],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === "second" ? "just now" : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return relative.format(Math.round(value / 4), "month");
}

export function RecentRooms({ rooms, onForget }: Props) {
  if (rooms.length === 0) return null;
  return (
    <section className="recent" aria-labelledby="recent-heading">
      <h2 id="recent-heading" className="panel-title">
        Recent rooms
      </h2>
      <ul className="recent-list">
        {rooms.map((room) => (
          <li key={room.id} className="recent-item">
            <a href={roomPath(room.id)} onClick={onLinkClick} className="recent-link">
              {room.id}
            </a>
            <span className="muted recent-time">{timeAgo(room.visitedAt)}</span>
            <button type="button" className="button button-small button-quiet" onClick={() => onForget(room.id)} aria-label={`Forget ${room.id}`}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
