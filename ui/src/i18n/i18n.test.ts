// Every string of the interface, in both languages, read as the operator would read it: where a
// string is given the person's sex or a number, no «/a», «/e», «(i)» or «1 nuclei» may be left.
import { describe, expect, test } from "vitest";
import { en } from "./en";
import { it as italian } from "./it";
import { agree, bySex, count, list, plural } from "./grammar";
import { longDate } from "../lib/format";

type Entry = { path: string; value: unknown };

function entries(tree: unknown, path = ""): Entry[] {
  if (tree && typeof tree === "object") {
    return Object.entries(tree).flatMap(([key, value]) => entries(value, path ? `${path}.${key}` : key));
  }
  return [{ path, value: tree }];
}

/** The names of a function's parameters, as written in its source. */
function parameters(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const list = source.startsWith("(") ? source.slice(1, source.indexOf(")")) : source.slice(0, source.indexOf("=>"));
  return list.split(",").map((p) => p.trim()).filter(Boolean);
}

const NUMBERS = new Set(["n", "days", "done", "total", "rows", "events", "desks", "seq", "bundles", "changes"]);

/** Every call worth reading: each number as 1, 2 and 1234; each sex as known (M and F). */
function calls(names: string[]): unknown[][] {
  const values = (name: string): unknown[] =>
    name === "sex" ? ["M", "F"] : NUMBERS.has(name) ? [1, 2, 1234] : [`«${name}»`];
  return names.reduce<unknown[][]>((acc, name) => acc.flatMap((args) => values(name).map((v) => [...args, v])), [[]]);
}

/** Marks of a word left undecided: «nato/a», «figlio/a», «uscito/a», «nucleo(i)», «modifica(he)». */
const UNDECIDED = /\p{L}\/(a|e|i|ia|ie|trice|essa)\b|\p{L}\((i|e|a|he|s)\)/u;
/** A singular count followed by a plural noun. */
const ONE_PLURAL =
  /(^|[^\d.,])1 (nuclei|persone|componenti|contatti|eventi|modifiche|pacchetti|righe|problemi|giorni|scelte|postazioni|versioni|aperti|punti|events|changes|households|people|members|contacts|days|rows|problems|choices|desks|versions)\b/u;

/** Plain strings that may keep both forms: said of someone whose sex the app does not know. */
const BOTH_FORMS_ALLOWED = new Set<string>([]);

for (const [language, strings] of [["it", italian], ["en", en]] as const) {
  describe(`${language}: every string`, () => {
    for (const { path, value } of entries(strings)) {
      if (typeof value === "function") {
        const fn = value as (...args: unknown[]) => unknown;
        for (const args of calls(parameters(fn))) {
          test(`${path}(${args.join(", ")})`, () => {
            const said = String(fn(...args));
            expect(said, `${path}: «${said}»`).not.toMatch(UNDECIDED);
            expect(said, `${path}: «${said}»`).not.toMatch(ONE_PLURAL);
          });
        }
      } else if (typeof value === "string" && !BOTH_FORMS_ALLOWED.has(path)) {
        test(path, () => expect(value, `${path}: «${value}»`).not.toMatch(UNDECIDED));
      }
    }
  });
}

describe("grammar", () => {
  test("by sex: each form when known, both only when not", () => {
    expect(bySex("F", "nato", "nata")).toBe("nata");
    expect(bySex("M", "nato", "nata")).toBe("nato");
    expect(bySex(null, "nato", "nata")).toBe("nato/a");
    expect(bySex("", "intestatario", "intestataria")).toBe("intestatario/a");
    expect(bySex(undefined, "figlio", "figlia")).toBe("figlio/a");
  });
  test("a label for both sexes said of one person, as the core's format::agree", () => {
    for (const [label, m, f] of [
      ["disoccupato/a di lunga durata (12 mesi o più)", "disoccupato di lunga durata (12 mesi o più)", "disoccupata di lunga durata (12 mesi o più)"],
      ["coniuge o unito/a civilmente", "coniuge o unito civilmente", "coniuge o unita civilmente"],
      ["suocero/a, genero, nuora", "suocero, genero, nuora", "suocera, genero, nuora"],
      ["figlio/a", "figlio", "figlia"],
      ["e/o/a", "e/o/a", "e/o/a"],
    ]) {
      expect(agree(label, "M")).toBe(m);
      expect(agree(label, "F")).toBe(f);
      expect(agree(label, null)).toBe(label);
    }
  });
  test("a list of words", () => {
    expect(list([], "e")).toBe("");
    expect(list(["sesso"], "e")).toBe("sesso");
    expect(list(["sesso", "data di nascita"], "e")).toBe("sesso e data di nascita");
    expect(list(["sesso", "data di nascita", "luogo di nascita"], "e")).toBe("sesso, data di nascita e luogo di nascita");
  });
  test("by number", () => {
    expect(count(1, "nucleo", "nuclei")).toBe("1 nucleo");
    expect(count(0, "nucleo", "nuclei")).toBe("0 nuclei");
    expect(count(12345, "nucleo", "nuclei")).toBe("12.345 nuclei");
    expect(plural(2, "componente", "componenti")).toBe("componenti");
  });
  test("the checks catch what they are for", () => {
    expect("nato/a il 01/02/1990").toMatch(UNDECIDED);
    expect("uscito/a").toMatch(UNDECIDED);
    expect("3 nucleo(i)").toMatch(UNDECIDED);
    expect("1 componenti").toMatch(ONE_PLURAL);
    expect("11 componenti").not.toMatch(ONE_PLURAL);
    expect("1.234 componenti").not.toMatch(ONE_PLURAL);
    expect("gg/mm/aaaa").not.toMatch(UNDECIDED);
    expect("dd/mm/yyyy").not.toMatch(UNDECIDED);
    expect("coordinatore/trice").toMatch(UNDECIDED);
  });
});

describe("dates", () => {
  test("the long date of Home in each language", () => {
    expect(longDate("2026-12-03", "it")).toBe("giovedì 3 dicembre 2026");
    expect(longDate("2026-12-03", "en")).toBe("Thursday 3 December 2026");
  });
});
