/** The inspector's chrome: the header bar (where you are, freshness, pause, sign out) and what shows while there is no data. */
import { inspectPath, onLinkClick } from "../lib/router";
import type { Poll } from "./api";
import { ago } from "./format";

/** The bar above every inspector page: where you are, how fresh the data is, pause, sign out. */
export function InspectHeader({ title, roomId, poll }: { title: string; roomId: string | null; poll: Poll<unknown> }) {
  return (
    <header className="inspect-header">
      <nav aria-label="Inspector">
        <a href="/inspect" onClick={onLinkClick} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Inspector</span>
        </a>
        {roomId !== null && (
          <>
            <span aria-hidden="true">/</span>
            <a href={inspectPath(roomId)} aria-current="page">
              {roomId}
            </a>
          </>
        )}
      </nav>
      <h1 className="visually-hidden">{title}</h1>
      <div className="inspect-actions">
        <span role="status" aria-live="polite" className={poll.error ? "inspect-stale" : "muted"}>
          {poll.error ? `Not updating: ${poll.error.message}` : poll.paused ? "Paused" : `Updated ${ago(poll.updatedAt, Date.now())}`}
        </span>
        <button type="button" className="button" onClick={() => poll.setPaused(!poll.paused)} aria-pressed={poll.paused}>
          {poll.paused ? "Resume" : "Pause"}
        </button>
        <form method="post" action="/inspect/logout">
          <button type="submit" className="button">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}

/** What to show instead of data: loading, signed out (401), or another failure. */
export function PollFallback({ poll, what }: { poll: Poll<unknown>; what: string }) {
  if (poll.error?.status === 401) {
    return (
      <p className="inspect-note">
        Your sign-in ran out. <a href={location.pathname}>Sign in again</a>.
      </p>
    );
  }
  if (poll.error) return <p className="inspect-note" role="alert">{`Could not load ${what}: ${poll.error.message}`}</p>;
  return <p className="inspect-note muted" aria-busy="true">{`Loading ${what}…`}</p>;
}
