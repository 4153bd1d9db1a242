/**
 * A V8 heap snapshot (node:v8 writeHeapSnapshot) summed by what its objects
 * are: constructor name for objects, function name for closures, one bucket
 * for all strings, code and numbers. Comparing two summaries shows what grew
 * (tests/bench/heap.ts); retained sizes would need the dominator tree, and
 * counts and self sizes already name the culprit when one kind grows.
 */
import { readFileSync } from "node:fs";

export type Bucket = { count: number; bytes: number };

type Snapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};

/** Count and self size of every kind of object in the snapshot file at `path`. */
export function summariseSnapshot(path: string): Map<string, Bucket> {
  const snap = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const out = new Map<string, Bucket>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const key = kindOf(types[snap.nodes[i + typeAt]!]!, snap.strings[snap.nodes[i + nameAt]!]!);
    if (key === null) continue;
    const b = out.get(key) ?? { count: 0, bytes: 0 };
    b.count++;
    b.bytes += snap.nodes[i + sizeAt]!;
    out.set(key, b);
  }
  return out;
}

function kindOf(type: string, name: string): string | null {
  switch (type) {
    case "synthetic":
      return null;
    case "object":
      return name;
    case "string":
    case "concatenated string":
    case "sliced string":
      return "(string)";
    case "number":
      return "(heap number)";
    case "code":
      return "(code)";
    case "closure":
      return `(closure) ${name || "anonymous"}`;
    default:
      return `(${type}) ${name}`;
  }
}

/** Kinds ordered by how many bytes they grew from `before` to `after`, largest first. */
export function growth(before: Map<string, Bucket>, after: Map<string, Bucket>, top: number): { kind: string; count: number; bytes: number; countAfter: number; bytesAfter: number }[] {
  const kinds = new Set([...before.keys(), ...after.keys()]);
  return [...kinds]
    .map((kind) => {
      const a = before.get(kind) ?? { count: 0, bytes: 0 };
      const b = after.get(kind) ?? { count: 0, bytes: 0 };
      return { kind, count: b.count - a.count, bytes: b.bytes - a.bytes, countAfter: b.count, bytesAfter: b.bytes };
    })
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top);
}
