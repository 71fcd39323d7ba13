// Typed calls to the shell's commands (src-tauri/src/commands.rs). The shapes mirror the Rust types'
// serde output; generating them from Rust is planned (see ARCHITECTURE.md).
import { invoke } from "@tauri-apps/api/core";

export interface FieldError { field: string; message: string }
export interface UiError { kind: string; message: string; fields: FieldError[] }

export interface Overview { households: number; people: number; dwellings: number; partners: number; desk_contacts: number }
export interface Referral { to: string; reason: string; referred_on: string | null }
export interface DeskContact {
  id: string;
  occurred_at: string;
  operator: string;
  person: string | null;
  person_name: string | null;
  household: string | null;
  household_address: string | null;
  channel: string | null;
  topics: string[];
  follow_up_on: string | null;
  follow_up_done_on: string | null;
  note: string | null;
  referrals: Referral[];
}
export interface Home { today: string; today_long: string; counts: Overview; follow_ups_due: DeskContact[]; recent_contacts: DeskContact[] }
export interface SearchHit { kind: "person" | "household"; id: string; label: string; detail: string }
export interface HouseholdSummary { id: string; address: string; dwelling_code: string | null; tenant_of_record: string | null; members: number }
export interface EsfFields {
  labour_status: string | null; isced: string | null; migrant: string | null; disability: string | null;
  other_disadvantage: string | null; homeless: string | null; rural: string | null;
}
export interface Person {
  id: string; surname: string; name: string; sex: string | null; birth_date: string | null; birth_place: string | null;
  codice_fiscale: string | null; citizenship: string | null; phone: string | null; email: string | null; esf: EsfFields;
}
export interface Membership {
  id: string; household: string; person: string; relationship: string | null;
  resident_since: string | null; left_on: string | null; tenant_of_record: boolean;
}
export interface Dwelling {
  id: string; code: string | null; street: string; civic: string; scala: string | null; piano: string | null;
  interno: string | null; cap: string | null; comune: string | null; provincia: string | null;
}
export interface Note { id: string; body: string; written_at: string; operator: string }
export interface HouseholdView {
  household: { id: string; dwelling: Dwelling; formed_on: string | null; members: { membership: Membership; person: Person }[] };
  contacts: DeskContact[];
  notes: Note[];
}
export interface Choice { code: string; it: string; en: string }
export interface Choices {
  relationships: Choice[]; channels: Choice[]; topics: Choice[]; labour_statuses: Choice[];
  isced: Choice[]; esf_answers: Choice[]; partners: [string, string][];
}
export interface Settings { operator: string; desk: string; language: string }

export interface ContactForm {
  occurred_at: string; person: string | null; household: string | null; channel: string; topics: string[];
  note: string; follow_up_on: string; refer_to: string | null; referral_reason: string;
}
export interface ContactFilter { from: string; to: string; topic: string; follow_ups_only: boolean }

/** A person form: every value a string, empty meaning "not given". */
export interface PersonForm {
  surname: string; name: string; sex: string; birth_date: string; birth_place: string; codice_fiscale: string;
  citizenship: string; phone: string; email: string; esf_labour_status: string; esf_isced: string;
  esf_migrant: string; esf_disability: string; esf_other_disadvantage: string; esf_homeless: string; esf_rural: string;
}
export interface MembershipForm { household: string; relationship: string; resident_since: string; tenant_of_record: boolean }
export interface DwellingForm {
  code: string; street: string; civic: string; scala: string; piano: string; interno: string;
  cap: string; comune: string; provincia: string;
}

export const api = {
  home: () => invoke<Home>("home"),
  search: (query: string, scope?: "people" | "households") => invoke<SearchHit[]>("search", { query, scope }),
  households: () => invoke<HouseholdSummary[]>("households"),
  household: (id: string) => invoke<HouseholdView>("household", { id }),
  person: (id: string) => invoke<Person>("person", { id }),
  choices: () => invoke<Choices>("choices"),
  checkPerson: (form: PersonForm) => invoke<FieldError[]>("check_person", { form }),
  savePerson: (id: string | null, form: PersonForm, membership: MembershipForm | null) =>
    invoke<string>("save_person", { id, form, membership }),
  addContact: (form: ContactForm) => invoke<string>("add_contact", { form }),
  contacts: (filter: ContactFilter) => invoke<DeskContact[]>("contacts", { filter }),
  createHousehold: (dwelling: DwellingForm) => invoke<string>("create_household", { dwelling }),
  settings: () => invoke<Settings>("settings"),
  saveSettings: (settings: Settings) => invoke<Settings>("save_settings", { settings }),
};

export function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** The messages for one field of a failed save. */
export function fieldErrors(error: unknown, field: string): string[] {
  return isUiError(error) ? error.fields.filter((f) => f.field === field).map((f) => f.message) : [];
}
