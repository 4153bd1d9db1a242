/** How the inspector writes numbers, sizes and times. */

const numberFormat = new Intl.NumberFormat("en");

/** 12,345 */
export function count(n: number): string {
  return numberFormat.format(n);
}

/** 1.2 MiB */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "3 s ago", "in 2 min", relative to `now`. */
export function ago(at: number | null, now: number): string {
  if (at === null) return "—";
  const d = Math.round((now - at) / 1000);
  const abs = Math.abs(d);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`;
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

/** 14:03:22 */
export function clock(at: number): string {
  return new Date(at).toLocaleTimeString("en-GB", { hour12: false });
}
