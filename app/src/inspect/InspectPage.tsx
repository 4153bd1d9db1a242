/**
 * The operator's inspector (served only to a signed-in admin: party/host/
 * inspect-pages.ts): `/inspect` lists the rooms the directory knows,
 * `/inspect/<room>` shows one room live. Both poll (api.ts) and can pause.
 */
import { DirectoryView } from "./DirectoryView";
import { RoomInspector } from "./RoomInspector";

/** The inspector for `roomId`, or the directory when null. */
export function InspectPage({ roomId }: { roomId: string | null }) {
  return roomId === null ? <DirectoryView /> : <RoomInspector key={roomId} roomId={roomId} />;
}
