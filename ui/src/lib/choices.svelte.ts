// The coded lists (topics, channels, relationships...) with their labels, loaded once from the shell.
import { api, type Choice, type Choices } from "./api";
import { currentLanguage } from "../i18n/index.svelte";

let loaded = $state<Choices | null>(null);

export async function loadChoices(): Promise<void> {
  loaded = await api.choices();
}

function label(list: Choice[] | undefined, code: string | null): string {
  if (!code) return "";
  const found = list?.find((c) => c.code === code);
  if (!found) return code;
  return currentLanguage() === "en" ? found.en : found.it;
}

/** The options of a coded list, labelled in the current language. */
export function options(list: "relationships" | "channels" | "topics" | "labour_statuses" | "isced" | "esf_answers") {
  const english = currentLanguage() === "en";
  return (loaded?.[list] ?? []).map((c) => ({ code: c.code, label: english ? c.en : c.it }));
}

export function partners(): [string, string][] {
  return loaded?.partners ?? [];
}

/** Italian relationships said for a man or a woman, where the coded label covers both («figlio/a»). */
const ITALIAN_BY_SEX: Record<string, { M: string; F: string }> = {
  intestatario: { M: "intestatario", F: "intestataria" },
  figlio: { M: "figlio", F: "figlia" },
  genitore: { M: "padre", F: "madre" },
  fratello_sorella: { M: "fratello", F: "sorella" },
  altro_parente: { M: "altro parente", F: "altra parente" },
};

export const labels = {
  topic: (code: string | null) => label(loaded?.topics, code),
  channel: (code: string | null) => label(loaded?.channels, code),
  relationship: (code: string | null) => label(loaded?.relationships, code),
  /** The relationship as said of this person: by their sex when it is known, in Italian. */
  relationshipOf: (code: string | null, sex: string | null) => {
    const forms = code ? ITALIAN_BY_SEX[code] : undefined;
    if (forms && currentLanguage() === "it" && (sex === "M" || sex === "F")) return forms[sex];
    return label(loaded?.relationships, code);
  },
  labourStatus: (code: string | null) => label(loaded?.labour_statuses, code),
  isced: (code: string | null) => label(loaded?.isced, code),
  answer: (code: string | null) => label(loaded?.esf_answers, code),
};
