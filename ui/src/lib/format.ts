// Italian display formats for the ISO values the shell sends.

/** `2026-03-15` -> `15/03/2026`. */
export function date(iso: string | null | undefined): string {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** `2026-03-15T09:30:00` -> `15/03/2026 09:30`. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return `${date(iso)} ${iso.slice(11, 16)}`;
}

/** An RFC 3339 instant (`2026-11-22T10:30:00Z`) in local time: `22/11/2026 11:30`. */
export function instant(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
