import { it, type Strings } from "./it";

export type Language = "it" | "en";

let language = $state<Language>("it");
/** English is fetched the first time it is chosen: the sign-in screen loads Italian only. */
let english: Strings | null = null;

export async function setLanguage(value: string): Promise<void> {
  if (value === "en" && !english) english = (await import("./en")).en;
  language = value === "en" ? "en" : "it";
  // Screen readers and hyphenation follow the page's language.
  document.documentElement.lang = language;
}

export function currentLanguage(): Language {
  return language;
}

/** The strings of the current language; reading it inside a template makes it reactive. */
export function t(): Strings {
  return language === "en" && english ? english : it;
}

/** A label from one of the maps keyed by text the core sends (a sync phase, a column name): the
 *  text itself when the map has no label for it. */
export function label(map: Record<string, string>, key: string): string {
  return map[key] ?? key;
}
