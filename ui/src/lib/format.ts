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
