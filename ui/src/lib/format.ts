// Display formats for the ISO values the shell sends: numbers as the lab writes them (dd/mm/yyyy
// in both languages), long dates in the language chosen.

/** `2026-03-15` -> `15/03/2026`. */
export function date(iso: string | null | undefined): string {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** `2026-12-03` -> «giovedì 3 dicembre 2026», or «Thursday 3 December 2026» in English. */
export function longDate(iso: string, language: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  const day = new Date(y, m - 1, d);
  const locale = language === "en" ? "en-GB" : "it-IT";
  return day.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).replace(",", "");
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

/** Where a dwelling is, on one line: `Via Luigi Pirandello 6/H, scala A, piano 2, int. 5`, with the
 *  words of the current language. The one place an address is written for the screen. */
export function dwellingLine(
  d: { street: string; civic: string; scala: string | null; piano: string | null; interno: string | null },
  words: { scala: string; piano: string; interno: string },
): string {
  const parts = [`${d.street} ${d.civic}`];
  if (d.scala) parts.push(`${words.scala} ${d.scala}`);
  if (d.piano) parts.push(`${words.piano} ${d.piano}`);
  if (d.interno) parts.push(`${words.interno} ${d.interno}`);
  return parts.join(", ");
}

/** The full postal address, as the domain writes it:
 *  `Via Luigi Pirandello 6/H, scala A, 20090 Trezzano sul Naviglio (MI)`. */
export function postalLine(
  d: Parameters<typeof dwellingLine>[0] & { cap: string | null; comune: string | null; provincia: string | null },
  words: Parameters<typeof dwellingLine>[1],
): string {
  const town = [d.cap, d.comune].filter(Boolean).join(" ");
  const place = town && d.provincia ? `${town} (${d.provincia})` : town;
  return place ? `${dwellingLine(d, words)}, ${place}` : dwellingLine(d, words);
}

/** Integer euro cents as `1.234,50 EUR`, thousands always grouped (as the core's `format::money`). */
export function money(cents: number | bigint | null | undefined): string {
  if (cents === null || cents === undefined) return "";
  const n = Number(cents);
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  const euros = grouped(Math.floor(abs / 100));
  return `${sign}${euros},${String(abs % 100).padStart(2, "0")} EUR`;
}

/** Integer euro cents as typed in a form (`1234,50`): what the core's money reader takes back. */
export function moneyInput(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, "0")}`;
}

/** A whole number with its thousands always grouped (`1.234`), as the core writes them. */
export function grouped(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + Math.abs(Math.trunc(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** An indicator's figure in its unit: euro for the debt (`centesimi`), a grouped count otherwise. */
export function figure(unit: string, value: number): string {
  return unit === "centesimi" ? money(value) : grouped(value);
}
