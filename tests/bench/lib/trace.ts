/**
 * A synthetic editing trace, because no real one (e.g. the automerge-paper
 * trace used by crdt-benchmarks) is installable from the npm registry here.
 * One author types mostly forward from a cursor, sometimes jumps elsewhere,
 * and deletes about a third as much as they type, until the document encodes
 * to `targetBytes`. Seeded, so every run loads the same document.
 */
import * as Y from "yjs";
import { seededRandom } from "../../../app/src/room/backoff";


const WORDS = "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there".split(" ");

export type Trace = { update: Uint8Array; textLength: number; ops: number };

/** Edits a fresh Y.Doc (Y.Text "content") until its encoded state reaches `targetBytes`. */
export function syntheticTrace(targetBytes = 160 * 1024, seed = 7, maxOps = 2_000_000): Trace {
  const random = seededRandom(seed);
  const doc = new Y.Doc();
  doc.clientID = 1;
  const text = doc.getText("content");
  let cursor = 0;
  let ops = 0;
  while (ops < maxOps) {
    for (let burst = 0; burst < 1000; burst++, ops++) {
      const r = random();
      if (r < 0.02) cursor = Math.floor(random() * (text.length + 1)); // jump
      if (r < 0.72 || text.length < 50) {
        const w = random() < 0.15 ? "\n" : `${WORDS[Math.floor(random() * WORDS.length)]} `;
        const ch = w[Math.floor(random() * w.length)]!;
        text.insert(cursor, ch);
        cursor++;
      } else if (cursor > 0) {
        text.delete(cursor - 1, 1); // backspace
        cursor--;
      }
    }
    const update = Y.encodeStateAsUpdate(doc);
    if (update.byteLength >= targetBytes) return { update, textLength: text.length, ops };
  }
  throw new Error(`trace did not reach ${targetBytes} bytes in ${maxOps} ops`);
}
