/**
 * What the room has told this client about itself and its people: the
 * connection id and role from the last welcome (and `auth` replies), the
 * token's expiry, and presence kept up to date by deltas.
 */
import type { Person, PresenceDelta, ServerMessage } from "../../../party/protocol";
import type { RoomSnapshot } from "./types";
import { applyPresence } from "./view";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;
type AuthReply = Extract<ServerMessage, { type: "auth" }>;

/** Room facts for the snapshot; replaced wholesale by each welcome. */
export class RoomState {
  connectionId: string | null = null;
  role: RoomSnapshot["role"] = "edit";
  authExp: number | null = null;
  private people = new Map<string, Person>();
  /** How many are here in all, as the room last said (null: a room from before the list was capped, where the list is everyone). */
  private total: number | null = null;

  /** A welcome: everything starts from what it says. */
  welcome(msg: Welcome): void {
    this.role = msg.role ?? "edit";
    this.authExp = msg.authExp ?? null;
    this.connectionId = msg.connectionId;
    this.people = new Map(msg.presence.map((p) => [p.clientId, p]));
    this.total = msg.people ?? null;
  }

  /** A presence delta (joins and updates replace, leaves remove). */
  presence(delta: PresenceDelta): void {
    this.people = applyPresence(this.people, delta);
    if (delta.people !== undefined) this.total = delta.people;
  }

  /** A token refresh was accepted: the role and expiry from now on. */
  auth(msg: AuthReply): void {
    this.role = msg.role;
    this.authExp = msg.authExp ?? null;
  }

  /** The people as the snapshot lists them. */
  list(): Person[] {
    return [...this.people.values()];
  }

  /** How many people are here, listed or not (never fewer than listed: a count and a list can cross in flight). */
  count(): number {
    return Math.max(this.total ?? 0, this.people.size);
  }
}
