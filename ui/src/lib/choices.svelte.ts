// The coded lists (topics, channels, relationships...) with their labels, loaded once from the shell.
import { api, type Choice, type Choices } from "./api";
import { currentLanguage } from "../i18n/index.svelte";
import { agree, bySex, type Sex } from "../i18n/grammar";

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
export function options(
  list:
    | "relationships" | "channels" | "topics" | "labour_statuses" | "isced" | "esf_answers" | "activity_kinds" | "axes"
    | "minute_kinds" | "goal_statuses" | "referral_states" | "case_outcomes" | "exit_reasons" | "results_exit"
    | "results_6m" | "no_fault_causes" | "action_statuses" | "indicators",
) {
  const english = currentLanguage() === "en";
  return (loaded?.[list] ?? []).map((c) => ({ code: c.code, label: english ? c.en : c.it }));
}

export function partners(): [string, string][] {
  return loaded?.partners ?? [];
}

/** The team's operators, and who of them may follow a case as tutor: `[id, name]`. */
export function operators(): [string, string][] {
  return loaded?.operators ?? [];
}

export function tutors(): [string, string][] {
  return loaded?.tutors ?? [];
}

/** Italian relationships said for a man or a woman, where the coded label covers both («figlio/a»). */
/** Relationships whose words differ by sex beyond «-o/a» (the core's `label_it_for` says the same). */
const ITALIAN_BY_SEX: Record<string, [masculine: string, feminine: string]> = {
  genitore: ["padre", "madre"],
  fratello_sorella: ["fratello", "sorella"],
  altro_parente: ["altro parente", "altra parente"],
};

export const labels = {
  topic: (code: string | null) => label(loaded?.topics, code),
  channel: (code: string | null) => label(loaded?.channels, code),
  relationship: (code: string | null) => label(loaded?.relationships, code),
  /** The relationship as said of this person: by their sex when it is known, in Italian. */
  relationshipOf: (code: string | null, sex: Sex) => {
    const forms = code ? ITALIAN_BY_SEX[code] : undefined;
    if (currentLanguage() !== "it" || (sex !== "M" && sex !== "F")) return label(loaded?.relationships, code);
    return forms ? bySex(sex, ...forms) : agree(label(loaded?.relationships, code), sex);
  },
  labourStatus: (code: string | null) => label(loaded?.labour_statuses, code),
  /** The labour status as said of this person («disoccupata»), in Italian. */
  labourStatusOf: (code: string | null, sex: Sex) =>
    currentLanguage() === "it" ? agree(label(loaded?.labour_statuses, code), sex) : label(loaded?.labour_statuses, code),
  isced: (code: string | null) => label(loaded?.isced, code),
  answer: (code: string | null) => label(loaded?.esf_answers, code),
  activityKind: (code: string | null) => label(loaded?.activity_kinds, code),
  axis: (code: string | null) => label(loaded?.axes, code),
  minuteKind: (code: string | null) => label(loaded?.minute_kinds, code),
  goalStatus: (code: string | null) => label(loaded?.goal_statuses, code),
  referralState: (code: string | null) => label(loaded?.referral_states, code),
  caseOutcome: (code: string | null) => label(loaded?.case_outcomes, code),
  ageBand: (code: string | null) => code ?? "",
  exitReason: (code: string | null) => label(loaded?.exit_reasons, code),
  resultExit: (code: string | null) => label(loaded?.results_exit, code),
  result6m: (code: string | null) => label(loaded?.results_6m, code),
  noFaultCause: (code: string | null) => label(loaded?.no_fault_causes, code),
  planStatus: (code: string | null) => label(loaded?.plan_statuses, code),
  instalmentState: (code: string | null) => label(loaded?.instalment_states, code),
  actionStatus: (code: string | null) => label(loaded?.action_statuses, code),
  indicator: (code: string | null) => label(loaded?.indicators, code),
};
