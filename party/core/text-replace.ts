/**
 * Makes a Y.Text read a given string as one new change (a restore), touching
 * as little as it cheaply can: the common start and end stay, and the middle
 * is diffed by lines (the `diff` package). Characters that stay are the same
 * Yjs items as before, so an offline client's edit anchored in them lands
 * where its author put it when it merges; text the restore removes is
 * deleted, never rewritten in place.
 */
import { diffLines } from "diff";
import type * as Y from "yjs";

/** Past this many changed lines the middle is replaced whole (the diff costs grow with them). */
const MAX_CHANGED_LINES = 2_000;

/** One step of the change, in order along the text. */
type Step = { keep: number } | { remove: number } | { insert: string };

/** The steps turning `from` into `to`. */
export function textSteps(from: string, to: string): Step[] {
  let start = 0;
  while (start < from.length && start < to.length && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  // Never split a surrogate pair: Y.Text counts UTF-16 code units.
  if (start > 0 && isHigh(from.charCodeAt(start - 1))) start--;
  let endFrom = from.length;
  let endTo = to.length;
  while (endFrom > start && endTo > start && from.charCodeAt(endFrom - 1) === to.charCodeAt(endTo - 1)) {
    endFrom--;
    endTo--;
  }
  if (endFrom < from.length && isLow(from.charCodeAt(endFrom))) {
    endFrom++;
    endTo++;
  }
  const steps: Step[] = start > 0 ? [{ keep: start }] : [];
  const a = from.slice(start, endFrom);
  const b = to.slice(start, endTo);
  const changes = a && b ? diffLines(a, b, { maxEditLength: MAX_CHANGED_LINES }) : undefined;
  if (changes) {
    for (const c of changes) steps.push(c.removed ? { remove: c.value.length } : c.added ? { insert: c.value } : { keep: c.value.length });
  } else {
    if (a) steps.push({ remove: a.length });
    if (b) steps.push({ insert: b });
  }
  return steps;
}

/** Replaces `text`'s content with `target` in one transaction with `origin`; nothing happens when they are equal. */
export function replaceText(text: Y.Text, target: string, origin: unknown): void {
  const current = text.toString();
  if (current === target) return;
  const steps = textSteps(current, target);
  text.doc!.transact(() => {
    let at = 0;
    for (const step of steps) {
      if ("keep" in step) at += step.keep;
      else if ("remove" in step) text.delete(at, step.remove);
      else {
        text.insert(at, step.insert);
        at += step.insert.length;
      }
    }
  }, origin);
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
