/** Where a test client finds a room: by id in the app's party, or in another party (the bench's floors speak its routes). */
export type RoomRef = string | { party: string; room: string };

/** `<base>/parties/<party>/<room>`, for an http(s) or ws(s) base. */
export const roomUrl = (base: string, ref: RoomRef) => (typeof ref === "string" ? `${base}/parties/main/${ref}` : `${base}/parties/${ref.party}/${ref.room}`);
