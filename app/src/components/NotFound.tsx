/** Any path that is neither home nor a valid room: what was asked for, readable, and why it is not a room. */
import { onLinkClick } from "../lib/router";

/** `path` decoded for reading; `reason` set when the path looked like a room link. */
export function NotFound({ path, reason }: { path: string; reason: string | null }) {
  return (
    <main className="home">
      <div className="home-card">
        <h1>Nothing here</h1>
        <p className="muted">
          <code className="not-found-path">{path}</code> is not a room link.
        </p>
        {reason && <p className="not-found-reason">{reason}</p>}
        <a className="button button-primary" href="/" onClick={onLinkClick}>
          Go to the start page
        </a>
      </div>
    </main>
  );
}
