/** Grey placeholder lines while something loads, announced once as busy with a name. */

/** Without a `label` the lines are decoration (another skeleton nearby speaks for the page). */
type Props = { lines?: number; label?: string };

export function Skeleton({ lines = 3, label }: Props) {
  return (
    <div className="skeleton" {...(label ? { role: "status", "aria-label": label, "aria-busy": true } : { "aria-hidden": true })}>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" style={{ width: `${90 - ((i * 23) % 45)}%` }} />
      ))}
    </div>
  );
}

/** The whole room page before its code or its client exists: header, document and side panel shapes. */
export function RoomSkeleton() {
  return (
    <div className="room room-skeleton" aria-busy="true">
      <header className="room-header">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">partyroom</span>
        </span>
      </header>
      <main className="room-main">
        <div className="document">
          <Skeleton lines={6} label="Loading the room" />
        </div>
        <div className="room-side">
          <Skeleton lines={2} />
        </div>
      </main>
    </div>
  );
}
