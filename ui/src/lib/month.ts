// Months as the activities screen walks them: `aaaa-mm` strings, days as `aaaa-mm-gg`, computed in
// UTC so no time zone or daylight saving change moves a day.

/** Today on this computer's calendar, as `aaaa-mm-gg`. */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function parse(month: string): [number, number] {
  const [y, m] = month.split("-").map(Number);
  return [y, m - 1];
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The month `by` months after `month` (before, when negative). */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = parse(month);
  return iso(new Date(Date.UTC(y, m + by, 1))).slice(0, 7);
}

/** The first and last day of a month. */
export function monthRange(month: string): [string, string] {
  const [y, m] = parse(month);
  return [iso(new Date(Date.UTC(y, m, 1))), iso(new Date(Date.UTC(y, m + 1, 0)))];
}

export interface CalendarDay {
  iso: string;
  number: number;
  inMonth: boolean;
}

/** The weeks a month's calendar shows, Monday first: whole weeks, with the days of the months
 *  before and after that complete them. */
export function monthDays(month: string): CalendarDay[][] {
  const [y, m] = parse(month);
  const first = new Date(Date.UTC(y, m, 1));
  const back = (first.getUTCDay() + 6) % 7; // days since Monday
  const start = Date.UTC(y, m, 1 - back);
  const weeks: CalendarDay[][] = [];
  for (let w = 0; w < 6; w++) {
    const week: CalendarDay[] = [];
    for (let d = 0; d < 7; d++) {
      const day = new Date(start + (w * 7 + d) * 86_400_000);
      week.push({ iso: iso(day), number: day.getUTCDate(), inMonth: day.getUTCMonth() === m });
    }
    if (w > 0 && !week[0].inMonth) break;
    weeks.push(week);
  }
  return weeks;
}

/** «dicembre 2026», «December 2026». */
export function monthName(month: string, language: string): string {
  const [y, m] = parse(month);
  const locale = language === "en" ? "en-GB" : "it-IT";
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m, 1)),
  );
}
