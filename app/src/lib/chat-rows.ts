/**
 * How chat lines are laid out: a date separator where the day changes, and
 * consecutive messages from one person within GROUP_GAP_MS grouped under one
 * name and avatar. Pure, so it is unit-tested.
 */
import type { ChatLine } from "../room/types";

/** Messages closer together than this, from one sender, share a header. */
export const GROUP_GAP_MS = 5 * 60_000;

/** A row of the chat log. */
export type ChatRow = { kind: "day"; key: string; label: string; iso: string } | { kind: "line"; key: string; line: ChatLine; grouped: boolean };

/** Who sent a line and when (pending lines are this tab's). */
function senderAndTime(line: ChatLine, selfId: string): { sender: string; ts: number } {
  return line.kind === "message" ? { sender: line.message.clientId, ts: line.message.ts } : { sender: selfId, ts: line.createdAt };
}

/** The key React uses for a line. */
export function lineKey(line: ChatLine): string {
  return line.kind === "message" ? `m${line.message.seq}` : `p${line.id}`;
}

const dayKey = (ts: number) => {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

/** "Today", "Yesterday", or a date ("Monday 3 March", with the year when it is not this one). */
export function dayLabel(ts: number, now = Date.now()): string {
  const key = dayKey(ts);
  if (key === dayKey(now)) return "Today";
  if (key === dayKey(now - 86_400_000)) return "Yesterday";
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", ...(sameYear ? {} : { year: "numeric" }) }).format(new Date(ts));
}

/** The rows for `lines`, oldest first. */
export function chatRows(lines: readonly ChatLine[], selfId: string, now = Date.now()): ChatRow[] {
  const rows: ChatRow[] = [];
  let prev: { sender: string; ts: number } | null = null;
  for (const line of lines) {
    const cur = senderAndTime(line, selfId);
    const newDay = prev === null || dayKey(prev.ts) !== dayKey(cur.ts);
    if (newDay) {
      const d = new Date(cur.ts);
      rows.push({ kind: "day", key: `d${dayKey(cur.ts)}`, label: dayLabel(cur.ts, now), iso: new Date(d.getFullYear(), d.getMonth(), d.getDate()).toISOString() });
    }
    const grouped = !newDay && prev !== null && prev.sender === cur.sender && cur.ts - prev.ts < GROUP_GAP_MS;
    rows.push({ kind: "line", key: lineKey(line), line, grouped });
    prev = cur;
  }
  return rows;
}
