// The one place Italian (and English) words agree with a person's sex and with a number. Every
// string that depends on either goes through these, so «nato/a», «1 componenti» or «uscito/a»
// never show where the sex or the number is known. i18n.test.ts checks every string.

/** A person's sex as the registry keeps it: "M", "F", or not given. */
export type Sex = string | null | undefined;

/** The form of a word said of a person: feminine or masculine when the sex is known; both, as
 *  the Comune's forms write them («nato/a»), only when it is not. */
export function bySex(sex: Sex, masculine: string, feminine: string): string {
  if (sex === "F") return feminine;
  if (sex === "M") return masculine;
  return `${masculine}/${feminine.slice(commonPrefix(masculine, feminine))}`;
}

/** The singular or the plural, by the number. */
export function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** A count with its noun, the number written Italian style: «1 nucleo», «1.234 nuclei». */
export function count(n: number, one: string, many: string, locale = "it-IT"): string {
  return `${n.toLocaleString(locale)} ${plural(n, one, many)}`;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A label written for both sexes («disoccupato/a di lunga durata») said of one person: each
 *  «-o/a» becomes «-o» or «-a» when the sex is known. The core's `format::agree` does the same. */
export function agree(label: string, sex: Sex): string {
  if (sex !== "M" && sex !== "F") return label;
  return label.replace(/(\p{L})o\/a(?!\p{L})/gu, `$1${sex === "M" ? "o" : "a"}`);
}

/** Words in a sentence: «sesso», «sesso e data di nascita», «sesso, data e luogo di nascita». */
export function list(words: string[], and: string): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${and} ${words[words.length - 1]}`;
}
