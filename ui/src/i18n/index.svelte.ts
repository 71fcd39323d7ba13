import { it, type Strings } from "./it";
import { en } from "./en";

export type Language = "it" | "en";

let language = $state<Language>("it");

export function setLanguage(value: string): void {
  language = value === "en" ? "en" : "it";
  // Screen readers and hyphenation follow the page's language.
  document.documentElement.lang = language;
}

export function currentLanguage(): Language {
  return language;
}

/** The strings of the current language; reading it inside a template makes it reactive. */
export function t(): Strings {
  return language === "en" ? en : it;
}
