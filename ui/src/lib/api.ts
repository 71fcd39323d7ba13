// Typed calls to the shell's commands (src-tauri/src/commands/). The types are generated from the
// Rust types into bindings.ts (see src-tauri/src/bindings.rs); only the calls are written by hand,
// and every one goes through `call`, which brings back the sign-in screen when the shell says the
// session is locked.
import { Channel, invoke } from "@tauri-apps/api/core";

import type {
  ContactFilterForm, ContactForm, DeskContactId, DeskContactView, DwellingForm, HouseholdId, HouseholdSummary, HouseholdView,
  Home, Choices, DecisionWire, PersonPage, DuplicatePair, MergeView, ImportProgress, ImportReport, MembershipForm, Person, PersonCheck, PersonForm, PersonId, SearchHit, Settings,
  UiError, FieldError, SyncStatus, SyncReport, SyncProgress, EnrolOutcome, ConflictView, ConflictChoice,
  Door, Me, OperatorView, AuditEntry, AuditFilterForm, ChainReport, AuditExport,
  ActivitySummary, ActivityDetail, ActivityForm, ActivityId, InviteForm, SheetAction, SheetFile, SheetView, AttendanceForm, AttendanceCount, MinuteForm, ScanInfo,
  CourseSummary, CourseDetail, CourseDraft, CourseId, Enrolled, NextInLine, SessionForm, EsfPage, EsfDraft, ExitDraft, PlacementDraft, CommunityForm, DocumentKind,
  CaseSummary, CaseDetail, CaseDraft, CaseId, CaseListFilter, CloseDraft, GoalDraft, GoalId, ReferralDraft, ReferralId, Note, NoteId,
  PlanRow, PlanView, PlanId, Monitoring, AccountView, AssessmentId, AssessmentDraft, PlanDraft, TermsDraft, PaymentDraft, MonthDraft, StatementReport,
  Dashboard, RecordLine, Target, TargetDraft, ProjectPlan, ActionView, ActionDraft, BundleForm, BundleSettings, Preview, Exported,
  BackupInfo, ConsentView, ConsentForm, AccessFiles, ErasureMode, ErasureOutcome, RetentionFlag, Role,
} from "./bindings";

export type * from "./bindings";

/** The shell's commands, as src-tauri/build.rs declares them. */
export type CommandName =
  | "overview" | "home" | "search" | "households" | "household" | "create_household" | "person" | "check_person"
  | "save_person" | "person_page" | "move_person" | "leave_household" | "duplicates" | "merges" | "merge_people" | "undo_merge" | "mark_distinct" | "add_contact" | "contacts" | "complete_follow_up" | "keep_unsaved" | "take_unsaved" | "import_pick" | "import_preview" | "import_confirm" | "settings"
  | "save_settings" | "choices" | "ready" | "door" | "sign_in" | "create_desk" | "lock" | "operators" | "add_operator"
  | "set_operator_role" | "deactivate_operator" | "change_passphrase" | "audit_events" | "audit_check" | "audit_export"
  | "backups" | "backup_now" | "backup_restore" | "consents" | "add_consent" | "withdraw_consent" | "person_export"
  | "person_erase" | "retention" | "sync_pick_folder" | "sync_status" | "sync_enrol" | "sync_unlock" | "sync_now"
  | "sync_conflicts" | "sync_resolve" | "activities" | "activity" | "create_activity" | "invite" | "print_sheet" | "sheet"
  | "record_attendance" | "add_minute" | "complete_minute" | "attach_scan" | "open_scan"
  | "courses" | "course" | "create_course" | "enrol" | "admit" | "withdraw" | "add_sessions"
  | "esf_page" | "esf_enter" | "esf_exit" | "esf_six_months" | "add_placement" | "end_placement" | "add_community_hours"
  | "print_document"
  | "cases" | "case" | "open_case" | "add_goal" | "set_goal_status" | "refer" | "set_referral_state" | "add_case_member"
  | "close_case" | "notes" | "add_note" | "edit_note" | "edit_goal" | "remove_case_member"
  | "plans" | "plan" | "arrears_monitoring" | "household_account" | "sign_plan" | "record_plan_payment"
  | "cancel_plan_payment" | "change_plan_terms" | "close_plan" | "record_assessment" | "add_solidarity_credit"
  | "record_account_month" | "import_statement"
  | "dashboard" | "indicator_records" | "set_target" | "clear_target" | "project_plan" | "save_plan_action"
  | "remove_plan_action" | "link_plan_action" | "bundle_settings" | "set_bundle_recipients" | "bundle_preview"
  | "export_bundle";

/** What a note is about. */
export type NoteKind = "person" | "household" | "case" | "desk_contact";

let whenLocked: () => void = () => undefined;

/** What to do when a command finds the session locked (the shell's own idle limit): set once by
 *  the session, which goes back to the sign-in screen. */
export function onLocked(handler: () => void): void {
  whenLocked = handler;
}

/** Calls a command; a "locked" answer also brings back the sign-in screen before it is thrown. */
async function call<T>(command: CommandName, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isUiError(error) && error.kind === "locked") whenLocked();
    throw error;
  }
}

function withProgress<P, T>(command: CommandName, args: Record<string, unknown>, onProgress: (p: P) => void) {
  const channel = new Channel<P>();
  channel.onmessage = onProgress;
  return call<T>(command, { ...args, onProgress: channel });
}

export const api = {
  home: () => call<Home>("home"),
  activities: (from: string, to: string) => call<ActivitySummary[]>("activities", { from, to }),
  activity: (id: string) => call<ActivityDetail>("activity", { id }),
  createActivity: (form: ActivityForm) => call<ActivityId>("create_activity", { form }),
  invite: (activity: string, form: InviteForm) => call<number>("invite", { activity, form }),
  printSheet: (activity: string, action: SheetAction) => call<SheetFile | null>("print_sheet", { activity, action }),
  sheet: (code: string) => call<SheetView>("sheet", { code }),
  recordAttendance: (sheet: string, form: AttendanceForm) => call<AttendanceCount>("record_attendance", { sheet, form }),
  addMinute: (activity: string, form: MinuteForm) => call<null>("add_minute", { activity, form }),
  completeMinute: (item: string) => call<null>("complete_minute", { item }),
  attachScan: (sheet: string) => call<ScanInfo | null>("attach_scan", { sheet }),
  openScan: (id: string) => call<null>("open_scan", { id }),
  courses: () => call<CourseSummary[]>("courses"),
  course: (id: string) => call<CourseDetail>("course", { id }),
  createCourse: (form: CourseDraft) => call<CourseId>("create_course", { form }),
  enrol: (course: string, person: string) => call<Enrolled>("enrol", { course, person }),
  admit: (enrolment: string, reason: string) => call<null>("admit", { enrolment, reason }),
  printDocument: (kind: DocumentKind, id: string, action: SheetAction) =>
    call<SheetFile | null>("print_document", { kind, id, action }),
  addPlacement: (person: string, draft: PlacementDraft) => call<null>("add_placement", { person, draft }),
  endPlacement: (placement: string, on: string, outcome: string) =>
    call<null>("end_placement", { placement, on, outcome }),
  addCommunityHours: (person: string, form: CommunityForm) => call<null>("add_community_hours", { person, form }),
  esfPage: (person: string) => call<EsfPage>("esf_page", { person }),
  esfEnter: (person: string, draft: EsfDraft) => call<null>("esf_enter", { person, draft }),
  esfExit: (person: string, draft: ExitDraft) => call<null>("esf_exit", { person, draft }),
  esfSixMonths: (person: string, result: string) => call<null>("esf_six_months", { person, result }),
  addSessions: (course: string, form: SessionForm) => call<number>("add_sessions", { course, form }),
  withdraw: (enrolment: string, reason: string) => call<NextInLine | null>("withdraw", { enrolment, reason }),
  plans: (household: string | null, on: string | null) => call<PlanRow[]>("plans", { household, on }),
  plan: (id: string, on: string | null) => call<PlanView>("plan", { id, on }),
  arrearsMonitoring: (on: string | null) => call<Monitoring>("arrears_monitoring", { on }),
  householdAccount: (household: string, on: string | null) => call<AccountView>("household_account", { household, on }),
  signPlan: (draft: PlanDraft) => call<PlanId>("sign_plan", { draft }),
  recordPlanPayment: (plan: string, draft: PaymentDraft) => call<string>("record_plan_payment", { plan, draft }),
  cancelPlanPayment: (payment: string) => call<null>("cancel_plan_payment", { payment }),
  changePlanTerms: (plan: string, draft: TermsDraft) => call<null>("change_plan_terms", { plan, draft }),
  closePlan: (plan: string, on: string, reason: string) => call<null>("close_plan", { plan, on, reason }),
  recordAssessment: (draft: AssessmentDraft) => call<AssessmentId>("record_assessment", { draft }),
  addSolidarityCredit: (household: string, draft: PaymentDraft) => call<null>("add_solidarity_credit", { household, draft }),
  recordAccountMonth: (household: string, draft: MonthDraft) => call<null>("record_account_month", { household, draft }),
  importStatement: (path: string, apply: boolean) => call<StatementReport>("import_statement", { path, apply }),
  dashboard: (from: string | null, to: string | null) => call<Dashboard>("dashboard", { from, to }),
  indicatorRecords: (code: string, from: string | null, to: string | null) =>
    call<RecordLine[]>("indicator_records", { code, from, to }),
  setTarget: (draft: TargetDraft) => call<Target[]>("set_target", { draft }),
  clearTarget: (code: string) => call<Target[]>("clear_target", { code }),
  projectPlan: () => call<ProjectPlan>("project_plan"),
  savePlanAction: (id: string | null, draft: ActionDraft) => call<ActionView>("save_plan_action", { id, draft }),
  removePlanAction: (id: string) => call<null>("remove_plan_action", { id }),
  linkPlanAction: (id: string, link: { activity?: string; case?: string }, remove: boolean) =>
    call<ActionView>("link_plan_action", { id, activity: link.activity ?? null, case: link.case ?? null, remove }),
  bundleSettings: () => call<BundleSettings>("bundle_settings"),
  setBundleRecipients: (recipients: string) => call<number>("set_bundle_recipients", { recipients }),
  bundlePreview: (form: BundleForm) => call<Preview>("bundle_preview", { form }),
  exportBundle: (form: BundleForm) => call<Exported | null>("export_bundle", { form }),
  cases: (filter: CaseListFilter) => call<CaseSummary[]>("cases", { filter }),
  case: (id: string) => call<CaseDetail>("case", { id }),
  openCase: (draft: CaseDraft) => call<CaseId>("open_case", { draft }),
  addGoal: (caseId: string, draft: GoalDraft) => call<GoalId>("add_goal", { case: caseId, draft }),
  editGoal: (goal: string, draft: GoalDraft) => call<null>("edit_goal", { goal, draft }),
  removeCaseMember: (caseId: string, operator: string) => call<null>("remove_case_member", { case: caseId, operator }),
  setGoalStatus: (goal: string, status: string) => call<null>("set_goal_status", { goal, status }),
  refer: (caseId: string, draft: ReferralDraft) => call<ReferralId>("refer", { case: caseId, draft }),
  setReferralState: (referral: string, to: string) => call<null>("set_referral_state", { referral, to }),
  addCaseMember: (caseId: string, operator: string, role: string) =>
    call<null>("add_case_member", { case: caseId, operator, role }),
  closeCase: (caseId: string, draft: CloseDraft) => call<null>("close_case", { case: caseId, draft }),
  notes: (kind: NoteKind, id: string) => call<Note[]>("notes", { kind, id }),
  addNote: (kind: NoteKind, id: string, body: string) => call<NoteId>("add_note", { kind, id, body }),
  editNote: (note: string, body: string) => call<NoteId>("edit_note", { note, body }),
  search: (query: string, scope?: "people" | "households") => call<SearchHit[]>("search", { query, scope }),
  households: () => call<HouseholdSummary[]>("households"),
  household: (id: string) => call<HouseholdView>("household", { id }),
  person: (id: string) => call<Person>("person", { id }),
  choices: () => call<Choices>("choices"),
  checkPerson: (form: PersonForm) => call<PersonCheck>("check_person", { form }),
  savePerson: (id: string | null, form: PersonForm, membership: MembershipForm | null) =>
    call<PersonId>("save_person", { id, form, membership }),
  personPage: (id: string) => call<PersonPage>("person_page", { id }),
  movePerson: (person: string, membership: MembershipForm) => call<null>("move_person", { person, membership }),
  leaveHousehold: (person: string, on: string) => call<null>("leave_household", { person, on }),
  keepUnsaved: (form: "desk_contact", body: string) => call<null>("keep_unsaved", { form, body }),
  takeUnsaved: (form: "desk_contact") => call<string | null>("take_unsaved", { form }),
  completeFollowUp: (contact: string) => call<null>("complete_follow_up", { contact }),
  duplicates: () => call<DuplicatePair[]>("duplicates"),
  merges: () => call<MergeView[]>("merges"),
  mergePeople: (keep: string, other: string, reason: string) => call<string>("merge_people", { keep, other, reason }),
  undoMerge: (decision: string) => call<null>("undo_merge", { decision }),
  markDistinct: (a: string, b: string) => call<null>("mark_distinct", { a, b }),
  addContact: (form: ContactForm) => call<DeskContactId>("add_contact", { form }),
  contacts: (filter: ContactFilterForm) => call<DeskContactView[]>("contacts", { filter }),
  createHousehold: (dwelling: DwellingForm) => call<HouseholdId>("create_household", { dwelling }),
  importPick: () => call<string | null>("import_pick"),
  importPreview: (path: string, decisions: DecisionWire[], onProgress: (p: ImportProgress) => void) =>
    withProgress<ImportProgress, ImportReport>("import_preview", { path, decisions }, onProgress),
  importConfirm: (path: string, decisions: DecisionWire[], onProgress: (p: ImportProgress) => void) =>
    withProgress<ImportProgress, ImportReport>("import_confirm", { path, decisions }, onProgress),
  settings: () => call<Settings>("settings"),
  saveSettings: (settings: Settings) => call<Settings>("save_settings", { settings }),
  ready: (pageMs: number, marks: string) => call<null>("ready", { pageMs, marks }),
  syncPickFolder: () => call<string | null>("sync_pick_folder"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  syncEnrol: (folder: string, passphrase: string, deskName: string, recoveryCode: string | null) =>
    call<EnrolOutcome>("sync_enrol", { folder, passphrase, deskName, recoveryCode }),
  syncUnlock: (passphrase: string) => call<number>("sync_unlock", { passphrase }),
  syncNow: (onProgress: (p: SyncProgress) => void) => withProgress<SyncProgress, SyncReport>("sync_now", {}, onProgress),
  syncConflicts: () => call<ConflictView[]>("sync_conflicts"),
  syncResolve: (id: number, choice: ConflictChoice) => call<null>("sync_resolve", { id, choice }),
  door: () => call<Door>("door"),
  signIn: (name: string, passphrase: string) => call<Me>("sign_in", { name, passphrase }),
  createDesk: (desk: string, name: string, passphrase: string) => call<Me>("create_desk", { desk, name, passphrase }),
  lock: () => call<null>("lock"),
  operators: () => call<OperatorView[]>("operators"),
  addOperator: (name: string, role: Role, passphrase: string) =>
    call<null>("add_operator", { name, role, passphrase }),
  setOperatorRole: (id: string, role: Role) => call<null>("set_operator_role", { id, role }),
  deactivateOperator: (id: string) => call<null>("deactivate_operator", { id }),
  changePassphrase: (old: string, next: string) => call<null>("change_passphrase", { old, new: next }),
  auditEvents: (filter: AuditFilterForm) => call<AuditEntry[]>("audit_events", { filter }),
  auditCheck: () => call<ChainReport>("audit_check"),
  auditExport: () => call<AuditExport | null>("audit_export"),
  backups: () => call<BackupInfo[]>("backups"),
  backupNow: () => call<BackupInfo>("backup_now"),
  backupRestore: (path: string, passphrase: string) => call<Me>("backup_restore", { path, passphrase }),
  consents: (person: string) => call<ConsentView[]>("consents", { person }),
  addConsent: (person: string, form: ConsentForm) => call<null>("add_consent", { person, form }),
  withdrawConsent: (id: string) => call<null>("withdraw_consent", { id }),
  personExport: (person: string) => call<AccessFiles | null>("person_export", { person }),
  personErase: (person: string, mode: ErasureMode, reason: string) => call<ErasureOutcome>("person_erase", { person, mode, reason }),
  retention: () => call<RetentionFlag[]>("retention"),
};


let announced = false;

/** Tells the shell, once, that the first screen is painted (the startup benchmark listens). */
const startMarks: [string, number][] = [];

/** Notes when a step of the start happened (ms since the page began loading), for the startup
 *  probe: where the time to the first screen goes. */
export function mark(name: string): void {
  if (!reported) startMarks.push([name, performance.now()]);
}

let reported = false;

export function firstScreenPainted(): void {
  if (announced) return;
  announced = true;
  // Two frames: the first runs before the paint, the second after it.
  mark("painting");
  requestAnimationFrame(() => {
    mark("frame");
    requestAnimationFrame(() => {
      reported = true;
      const marks = startMarks.map(([name, at]) => `${name}=${at.toFixed(0)}`).join(" ");
      void api.ready(performance.now(), marks).catch(() => undefined);
    });
  });
}

export function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** The messages for one field of a failed save. */
export function fieldErrors(error: unknown, field: string): string[] {
  return isUiError(error) ? error.fields.filter((f) => f.field === field).map((f) => f.message) : [];
}
