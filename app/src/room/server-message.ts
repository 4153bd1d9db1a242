/**
 * Validation of the server's JSON frames at the client's boundary, with the
 * protocol's own schema (party/protocol/messages.ts): the client acts only on
 * frames that match. Unknown extra fields pass through; an unknown `type` or a
 * malformed frame is dropped, never thrown.
 */
export { parseServerMessage } from "../../../party/protocol";
