/** The start page: make a fresh room, join one by name or link, or go back to a recent one. */
import { type FormEvent, useState } from "react";
import { forgetRoom, loadRecentRooms, type RecentRoom } from "../lib/recent-rooms";
import { randomRoomId, roomIdFromInput } from "../lib/room-names";
import { navigate, onLinkClick, roomPath } from "../lib/router";
import { RecentRooms } from "./RecentRooms";
import { ThemeSwitch } from "./ThemeSwitch";

export function HomePage() {
  const [recent, setRecent] = useState<RecentRoom[]>(() => loadRecentRooms());
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  const join = (event: FormEvent) => {
    event.preventDefault();
    const id = roomIdFromInput(name);
    if (!id) {
      setError("Use letters, digits, - or _ (up to 64), or paste a room link.");
      return;
    }
    navigate(roomPath(id));
  };

  const forget = (id: string) => {
    forgetRoom(id);
    setRecent(loadRecentRooms());
  };

  return (
    <main className="home">
      <div className="home-card">
        <a href="/" className="brand brand-large" onClick={onLinkClick}>
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">partyroom</span>
        </a>
        <h1 className="home-title">Write together, talk it over.</h1>
        <p className="muted">A room is a shared document with a chat beside it. Open one and send the link to whoever should join.</p>

        <button type="button" className="button button-primary button-large" onClick={() => navigate(roomPath(randomRoomId()))}>
          Create a room
        </button>

        <form className="join" onSubmit={join} noValidate>
          <label className="field">
            <span className="field-label">Join a room by name or link</span>
            <span className="join-row">
              <input
                className="input"
                value={name}
                onChange={(e) => {
                  setName(e.currentTarget.value);
                  setError(null);
                }}
                placeholder="TeamStandup, or paste a room link"
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "join-error" : undefined}
                autoComplete="off"
                spellCheck={false}
              />
              <button type="submit" className="button" disabled={!name.trim()}>
                Join
              </button>
            </span>
          </label>
          {error && (
            <p id="join-error" className="field-error" role="alert">
              {error}
            </p>
          )}
        </form>

        <RecentRooms rooms={recent} onForget={forget} />
        <footer className="home-footer">
          <ThemeSwitch />
        </footer>
      </div>
    </main>
  );
}
