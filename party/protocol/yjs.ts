/**
 * The Yjs side of the protocol: the shared type every client edits and the
 * y-protocols frame types (the first varUint of a binary frame), as
 * y-websocket and y-partykit speak them.
 */

/** Name of the Y.Text every client edits (`doc.getText(DOC_TEXT_NAME)`). */
export const DOC_TEXT_NAME = "content";

/** Binary frame types. */
export const YjsFrame = {
  /** y-protocols/sync: step 1, step 2 or update follows. */
  sync: 0,
  /** y-protocols/awareness update. */
  awareness: 1,
  /** Ask for every awareness state (answered with an awareness frame). */
  queryAwareness: 3,
} as const;

/** Sub-types of a sync frame (y-protocols/sync). */
export const YjsSync = { step1: 0, step2: 1, update: 2 } as const;
