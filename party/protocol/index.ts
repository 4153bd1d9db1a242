/**
 * The partyroom protocol, shared by the room server and every client: the
 * JSON app protocol, the Yjs frame constants, the HTTP shapes, roles, every
 * limit and budget, and every close and error code. PROTOCOL.md documents it
 * for people writing clients in other languages; keep the two in step.
 */
export * from "./codes";
export * from "./http";
export * from "./ids";
export * from "./limits";
export * from "./messages";
export * from "./roles";
export * from "./yjs";
export * from "./identity";
export * from "./ops";
