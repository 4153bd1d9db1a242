/** Why the room refused this page (expired or wrong link, ...): shown once, no retries follow. */
import { refusalMessage } from "../lib/access";
import type { ConnectionState } from "../room/types";

export function AccessNotice({ connection }: { connection: ConnectionState }) {
  const message = refusalMessage(connection);
  if (!message) return null;
  return (
    <p role="alert" className="access-notice">
      {message}
    </p>
  );
}
