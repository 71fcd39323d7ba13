// Typed calls to the shell's commands (src-tauri/src/commands.rs). The types are generated from the
// Rust types into bindings.ts (see src-tauri/src/bindings.rs); only the calls are written by hand.
import { Channel, invoke } from "@tauri-apps/api/core";

import type {
  ContactFilterForm, ContactForm, DeskContactId, DeskContactView, DwellingForm, HouseholdId, HouseholdSummary, HouseholdView,
  Home, Choices, ImportProgress, ImportReport, MembershipForm, Person, PersonForm, PersonId, SearchHit, Settings,
  UiError, FieldError, SyncStatus, SyncReport, SyncProgress, EnrolOutcome, ConflictView, ConflictChoice,
  Door, Me, OperatorView, AuditEntry, AuditFilterForm, ChainReport, AuditExport,
  BackupInfo, ConsentView, ConsentForm, AccessFiles, ErasureOutcome, RetentionFlag,
} from "./bindings";

export type * from "./bindings";

function importCall(command: string, path: string, onProgress: (p: ImportProgress) => void) {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return invoke<ImportReport>(command, { path, onProgress: channel });
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
    invoke<PersonId>("save_person", { id, form, membership }),
  addContact: (form: ContactForm) => invoke<DeskContactId>("add_contact", { form }),
  contacts: (filter: ContactFilterForm) => invoke<DeskContactView[]>("contacts", { filter }),
  createHousehold: (dwelling: DwellingForm) => invoke<HouseholdId>("create_household", { dwelling }),
  importPick: () => invoke<string | null>("import_pick"),
  importPreview: (path: string, onProgress: (p: ImportProgress) => void) => importCall("import_preview", path, onProgress),
  importConfirm: (path: string, onProgress: (p: ImportProgress) => void) => importCall("import_confirm", path, onProgress),
  settings: () => invoke<Settings>("settings"),
  saveSettings: (settings: Settings) => invoke<Settings>("save_settings", { settings }),
  ready: (pageMs: number) => invoke<null>("ready", { pageMs }),
  syncPickFolder: () => invoke<string | null>("sync_pick_folder"),
  syncStatus: () => invoke<SyncStatus>("sync_status"),
  syncEnrol: (folder: string, passphrase: string, deskName: string, recoveryCode: string | null) =>
    invoke<EnrolOutcome>("sync_enrol", { folder, passphrase, deskName, recoveryCode }),
  syncUnlock: (passphrase: string) => invoke<number>("sync_unlock", { passphrase }),
  syncNow: (onProgress: (p: SyncProgress) => void) => {
    const channel = new Channel<SyncProgress>();
    channel.onmessage = onProgress;
    return invoke<SyncReport>("sync_now", { onProgress: channel });
  },
  syncConflicts: () => invoke<ConflictView[]>("sync_conflicts"),
  syncResolve: (id: number, choice: ConflictChoice) => invoke<null>("sync_resolve", { id, choice }),
  door: () => invoke<Door>("door"),
  signIn: (name: string, passphrase: string) => invoke<Me>("sign_in", { name, passphrase }),
  createDesk: (desk: string, name: string, passphrase: string) => invoke<Me>("create_desk", { desk, name, passphrase }),
  lock: () => invoke<null>("lock"),
  operators: () => invoke<OperatorView[]>("operators"),
  addOperator: (name: string, role: string, passphrase: string) =>
    invoke<null>("add_operator", { name, role, passphrase }),
  setOperatorRole: (id: string, role: string) => invoke<null>("set_operator_role", { id, role }),
  deactivateOperator: (id: string) => invoke<null>("deactivate_operator", { id }),
  changePassphrase: (old: string, next: string) => invoke<null>("change_passphrase", { old, new: next }),
  auditEvents: (filter: AuditFilterForm) => invoke<AuditEntry[]>("audit_events", { filter }),
  auditCheck: () => invoke<ChainReport>("audit_check"),
  auditExport: () => invoke<AuditExport | null>("audit_export"),
  backups: () => invoke<BackupInfo[]>("backups"),
  backupNow: () => invoke<BackupInfo>("backup_now"),
  backupRestore: (path: string, passphrase: string) => invoke<Me>("backup_restore", { path, passphrase }),
  consents: (person: string) => invoke<ConsentView[]>("consents", { person }),
  addConsent: (person: string, form: ConsentForm) => invoke<null>("add_consent", { person, form }),
  withdrawConsent: (id: string) => invoke<null>("withdraw_consent", { id }),
  personExport: (person: string) => invoke<AccessFiles | null>("person_export", { person }),
  personErase: (person: string, mode: string, reason: string) => invoke<ErasureOutcome>("person_erase", { person, mode, reason }),
  retention: () => invoke<RetentionFlag[]>("retention"),
};


let announced = false;

/** Tells the shell, once, that the first screen is painted (the startup benchmark listens). */
export function firstScreenPainted(): void {
  if (announced) return;
  announced = true;
  // Two frames: the first runs before the paint, the second after it.
  requestAnimationFrame(() => requestAnimationFrame(() => void api.ready(performance.now()).catch(() => undefined)));
}

export function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** The messages for one field of a failed save. */
export function fieldErrors(error: unknown, field: string): string[] {
  return isUiError(error) ? error.fields.filter((f) => f.field === field).map((f) => f.message) : [];
}
