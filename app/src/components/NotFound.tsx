/** Any path that is neither home nor a valid room. */
import { onLinkClick } from "../lib/router";

export function NotFound({ path }: { path: string }) {
  return (
    <main className="home">
      <div className="home-card">
        <h1>Nothing here</h1>
        <p className="muted">
          <code>{path}</code> is not a room link. Room names use letters, digits, <code>-</code> and <code>_</code>.
        </p>
        <a className="button button-primary" href="/" onClick={onLinkClick}>
          Go to the start page
        </a>
      </div>
    </main>
  );
}
