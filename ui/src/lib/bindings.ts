// Generated from the Rust types by `cargo xtask bindings` (src-tauri/src/bindings.rs). Do not edit:
// the test src-tauri/tests/bindings.rs fails when this file and the Rust types disagree.

export type PersonId = string;

export type HouseholdId = string;

export type DwellingId = string;

export type MembershipId = string;

export type PartnerId = string;

export type DeskContactId = string;

export type NoteId = string;

/**
 * An operator who works at the desks.
 */
export type OperatorId = string;

export type Relationship = "intestatario" | "coniuge" | "convivente" | "figlio" | "genitore" | "fratello_sorella" | "nipote" | "affine" | "altro_parente" | "altro";

export type LabourStatus = "occupato" | "disoccupato" | "disoccupato_lunga_durata" | "inattivo" | "inattivo_non_in_formazione";

export type Isced = "isced_1_2" | "isced_3_4" | "isced_5_8" | "isced_0";

export type EsfAnswer = "si" | "no" | "non_risponde";

export type Channel = "di_persona" | "telefono" | "visita_domiciliare" | "email" | "messaggio" | "altro";

export type Topic = "casa" | "morosita" | "lavoro" | "formazione" | "salute" | "famiglia" | "documenti" | "reddito" | "scuola" | "vicinato" | "manutenzione" | "altro";

export type PartnerKind = "comune" | "servizio_sociale" | "ente_gestore" | "cooperativa" | "lavoro" | "associazione" | "parrocchia" | "scuola" | "sanita" | "altro";

/**
 * One invalid field of a form or of an imported row.
 */
export type FieldError = { 
/**
 * The field's machine name (`codice_fiscale`), for the UI to place the message.
 */
field: string, 
/**
 * What is wrong, in Italian.
 */
message: string, };

/**
 * A stable, machine-readable kind of [`Error`]: the UI maps it to its own sentence, and tests
 * match it instead of a phrase of the message.
 */
export type ErrorKind = "invalid" | "not_found" | "ambiguous" | "schema_too_new" | "forbidden" | "wrong_credentials" | "wrong_key" | "unencrypted" | "import" | "document" | "wrong_passphrase" | "not_enrolled" | "folder_unreachable" | "sync" | "database" | "busy" | "disk_full" | "read_only" | "io";

/**
 * The kind of a [`Refusal`], without its data: what the sync screen and tests switch on.
 */
export type RefusalKind = "damaged" | "newer_format" | "newer_schema" | "unreadable" | "card_where_file_expected" | "name_mismatch" | "removed_desk" | "unknown_desk" | "missing_key" | "bad_signature" | "foreign_changes" | "card_mismatch" | "card_missing_key" | "card_unreadable" | "card_bad_signature" | "card_key_changed" | "fork" | "damaged_copy" | "not_allowed" | "foreign_audit_events" | "rewrites_audit_event" | "load_interrupted" | "own_bundle_exists" | "desk_id_taken";

export type Overview = { households: number, people: number, dwellings: number, partners: number, desk_contacts: number, };

/**
 * The ESF participant fields (Reg. EU 1304/2013 Annex I). All optional: the sensitive ones may
 * be refused, and most people in the registry never enter an ESF path.
 */
export type EsfFields = { labour_status: LabourStatus | null, isced: Isced | null, migrant: EsfAnswer | null, disability: EsfAnswer | null, other_disadvantage: EsfAnswer | null, homeless: EsfAnswer | null, rural: EsfAnswer | null, };

export type Person = { id: PersonId, surname: string, name: string, sex: string | null, birth_date: string | null, birth_place: string | null, codice_fiscale: string | null, citizenship: string | null, phone: string | null, email: string | null, esf: EsfFields, };

export type DwellingInput = { 
/**
 * The ente gestore's code.
 */
code: string | null, street: string, civic: string, scala: string | null, piano: string | null, interno: string | null, cap: string | null, comune: string | null, provincia: string | null, };

export type Dwelling = { id: DwellingId, 
/**
 * The ente gestore's code.
 */
code: string | null, street: string, civic: string, scala: string | null, piano: string | null, interno: string | null, cap: string | null, comune: string | null, provincia: string | null, };

export type Membership = { id: MembershipId, household: HouseholdId, person: PersonId, relationship: Relationship | null, 
/**
 * The relationship as a list wrote it, when the anagrafe's table does not hold it.
 */
relationship_text: string | null, resident_since: string | null, left_on: string | null, tenant_of_record: boolean, };

/**
 * One of a person's memberships, with the address of the household, for their page.
 */
export type PersonHousehold = { membership: Membership, address: string | null, };

export type Member = { membership: Membership, person: Person, };

export type HouseholdDetail = { id: HouseholdId, dwelling: Dwelling, formed_on: string | null, 
/**
 * Current members first (tenant of record first), then past members, most recent first.
 */
members: Array<Member>, };

export type HouseholdSummary = { id: HouseholdId, address: string, 
/**
 * The parts the list is filtered by.
 */
street: string, civic: string, scala: string | null, dwelling_code: string | null, tenant_of_record: string | null, members: number, 
/**
 * Desk contacts about this household whose follow-up is set and not yet done.
 */
open_follow_ups: number, };

export type HitKind = "person" | "household";

export type SearchHit = { kind: HitKind, id: string, 
/**
 * `Rossi Mario`, or the household's address.
 */
label: string, 
/**
 * A second line: birth date and address for a person, tenant of record for a household.
 */
detail: string, };

export type ReferralView = { to: string, reason: string, referred_on: string | null, };

export type DeskContactView = { id: DeskContactId, occurred_at: string, operator: string, person: PersonId | null, person_name: string | null, household: HouseholdId | null, household_address: string | null, channel: Channel | null, topics: Array<Topic>, follow_up_on: string | null, follow_up_done_on: string | null, 
/**
 * Who marked the follow-up done (from the change record), when known.
 */
follow_up_done_by: string | null, note: string | null, referrals: Array<ReferralView>, };

export type NoteVersion = { id: NoteId, body: string, written_at: string, operator: string, };

export type Note = { id: NoteId, body: string, written_at: string, operator: string, supersedes: NoteId | null, 
/**
 * Earlier versions of this note, newest first.
 */
history: Array<NoteVersion>, };

/**
 * One problem in the file, as the operator sees it in a spreadsheet program.
 */
export type RowError = { 
/**
 * The spreadsheet row number (the header is row 1).
 */
row: number, column: string, reason: string, };

export type ImportReport = { rows: number, errors: Array<RowError>, 
/**
 * Things worth checking that do not stop the import.
 */
warnings: Array<string>, dwellings_new: number, dwellings_updated: number, households_new: number, people_new: number, people_updated: number, people_unchanged: number, members_added: number, members_moved: number, members_updated: number, 
/**
 * Rows whose person is in doubt, with the operator's answer when given.
 */
questions: Array<Question>, 
/**
 * Questions still without an answer: the list is not written until there are none.
 */
people_to_decide: number, 
/**
 * True when the changes were written (not a dry run, no errors, no open question).
 */
applied: boolean, };

/**
 * A row whose person is not certain: the operator says whether it is one of `candidates` or a
 * new person.
 */
export type Question = { 
/**
 * The spreadsheet row number.
 */
row: number, surname: string, name: string, 
/**
 * `M`, `F`, or not given in the row.
 */
sex: string | null, birth_date: string | null, codice_fiscale: string | null, dwelling_code: string, 
/**
 * The row's address.
 */
address: string, doubt: Doubt, 
/**
 * Why it is in doubt, in Italian.
 */
reason: string, candidates: Array<Candidate>, 
/**
 * Whether the operator has answered.
 */
decided: boolean, 
/**
 * The answer: the person the row is, or none (with `decided`) for a new person.
 */
same_as: PersonId | null, };

/**
 * Why a row's identity is left to the operator.
 */
export type Doubt = "omocodia" | "namesake_without_code" | "namesake_with_code" | "no_birth_date" | "several_candidates";

/**
 * A recorded person a row could be, as the operator sees them to decide.
 */
export type Candidate = { person: PersonId, surname: string, name: string, 
/**
 * `M`, `F`, or not given: the words said of them agree with it.
 */
sex: string | null, birth_date: string | null, birth_place: string | null, codice_fiscale: string | null, 
/**
 * The code of the dwelling whose household they belong to now, if any.
 */
dwelling_code: string | null, 
/**
 * Its address, for the operator.
 */
lives_at: string | null, };

/**
 * Why two records look like one person.
 */
export type Sign = "same_name_and_birth" | "omocodia" | "same_name_in_household" | "same_name_and_phone";

/**
 * A person of a pair, with where they live now.
 */
export type PairSide = { person: Person, 
/**
 * The address of their household now, if any.
 */
lives_at: string | null, 
/**
 * How many desk contacts are recorded about them.
 */
contacts: number, };

/**
 * Two records that may be one person.
 */
export type DuplicatePair = { a: PairSide, b: PairSide, signs: Array<Sign>, };

/**
 * A merge as the duplicates screen lists it, with who made it, why, and whether it was undone.
 */
export type MergeView = { id: string, kept: PersonId, kept_name: string, other: PersonId, other_name: string, reason: string, decided_at: string, decided_by: string, undone_at: string | null, undone_by: string | null, };

export type ImportPhase = "checking" | "writing";

/**
 * How far a long import has gone, for a progress bar.
 */
export type ImportProgress = { phase: ImportPhase, done: number, total: number, };

/**
 * A desk (one laptop with its own database).
 */
export type DeskId = string;

/**
 * Where a sync is, for a progress bar.
 */
export type SyncProgress = { 
/**
 * `reading`, `snapshot` (a new desk loading the newest snapshot), `applying`, `publishing`.
 */
phase: string, done: number, total: number, };

export type RefusedFile = { 
/**
 * Relative to the shared folder.
 */
path: string, 
/**
 * Why, as a kind to switch on; `None` for a refusal an older Quartiere recorded, until the
 * next sync checks the file again.
 */
kind: RefusalKind | null, 
/**
 * Why, as the operator reads it.
 */
reason: string, };

/**
 * What one sync did.
 */
export type SyncReport = { bundles_applied: number, changes_applied: number, duplicates: number, new_conflicts: number, 
/**
 * The bundle this desk published, if it had anything to say.
 */
published_seq: number | null, published_changes: number, 
/**
 * Set when this desk joined from another desk's snapshot.
 */
snapshot_loaded: string | null, 
/**
 * Snapshots merged because bundles this desk lacked were no longer in the folder (their desk
 * pruned them before this desk's card reached it): the snapshot covers them.
 */
gaps_filled: Array<string>, snapshot_written: number | null, files_pruned: number, refused: Array<RefusedFile>, warnings: Array<string>, 
/**
 * Scans of signed sheets written to the shared folder, and fetched from it (after the records).
 */
scans_sent: number, scans_received: number, };

export type DeskStatus = { desk_id: DeskId, name: string, this_desk: boolean, removed: boolean, 
/**
 * An identity this desk or another left when it re-enrolled after a restore: it will not sync
 * again, and nobody waits for it.
 */
replaced: boolean, 
/**
 * The highest bundle received (or, for this desk, published).
 */
last_seq: number, 
/**
 * When that bundle was written, RFC 3339.
 */
last_bundle_at: string | null, };

export type SyncStatus = { enrolled: boolean, folder: string | null, desk_id: DeskId, last_sync_at: string | null, unpublished_changes: number, desks: Array<DeskStatus>, refused: Array<RefusedFile>, open_conflicts: number, 
/**
 * Recent warnings (clock skew, forks seen), newest first.
 */
warnings: Array<string>, 
/**
 * A key file in the folder holds a newer team key this desk cannot open yet: ask the passphrase.
 */
new_key_waiting: boolean, 
/**
 * Set when this desk must re-enrol (restored from an old backup, or removed from the team).
 */
blocked: string | null, };

/**
 * What enrolling did.
 */
export type EnrolOutcome = { desk_id: DeskId, 
/**
 * True when this desk created the team (the folder had no key).
 */
created_team: boolean, 
/**
 * The paper recovery code of the team key, shown once, when the team is created or rotated.
 */
recovery_code: string | null, };

/**
 * One conflict to review: a field two desks changed at the same time.
 */
export type ConflictView = { id: number, 
/**
 * `persona`, `nucleo`...
 */
record_kind: string, table: string, row_id: string, 
/**
 * A readable name of the record: `Rossi Mario`, `Via Pirandello 6`.
 */
record_label: string, field: string, current_value: string, current_desk: string, other_value: string, other_desk: string, other_operator: string, detected_at: string, };

export type ConflictChoice = "current" | "other";

/**
 * An operator's role.
 */
export type Role = "sportello" | "tutor" | "afol" | "morosita" | "coordinatore" | "comune";

/**
 * One operator as the coordinator's screen shows it.
 */
export type OperatorView = { id: OperatorId, name: string, role: Role, 
/**
 * Has a passphrase at this desk (a slot in its key file).
 */
signs_in_here: boolean, };

/**
 * What happened.
 */
export type AuditKind = "login" | "logout" | "failed_unlock" | "read" | "edit" | "export" | "print" | "backup" | "restore" | "decision";

/**
 * One event as the audit screen shows it.
 */
export type AuditEntry = { id: string, desk: string, seq: number, 
/**
 * RFC 3339, UTC.
 */
at: string, operator: string, kind: AuditKind, 
/**
 * The kind of record (`persona`, `nucleo`…), if the event is about one.
 */
subject_kind: string | null, subject_id: string | null, 
/**
 * The record's name, resolved now for the coordinator's screen (never stored in the log).
 */
subject_label: string | null, detail: string, };

/**
 * A break found in a chain.
 */
export type ChainProblem = { desk: string, 
/**
 * The place in the desk's chain where the break is.
 */
seq: number, 
/**
 * What is wrong, in Italian.
 */
what: string, };

/**
 * The result of checking every chain.
 */
export type ChainReport = { events: number, desks: number, 
/**
 * Edited, removed or forged events, rewritten changes: evidence of tampering.
 */
problems: Array<ChainProblem>, 
/**
 * Other desks' events this desk has not received yet (a gap that sync will fill).
 */
awaited: number, 
/**
 * The hash of the last event of this desk's own chain.
 */
head: string, };

/**
 * Why a backup was made.
 */
export type BackupReason = "scheduled" | "manual" | "before_migration";

/**
 * One backup as the screen lists it.
 */
export type BackupInfo = { path: string, 
/**
 * RFC 3339, UTC.
 */
made_at: string, reason: BackupReason, schema_version: number, bytes: number, };

/**
 * What was given to the person and when.
 */
export type ConsentKind = "notice" | "special_categories" | "images" | "data_sharing";

export type ErasureMode = "erase" | "pseudonymise";

export type ConsentView = { id: string, kind: ConsentKind, version: string, given_on: string | null, withdrawn_on: string | null, };

export type ErasureOutcome = { "outcome": "erased" } | { "outcome": "pseudonymised" } | { "outcome": "held", until: string, reason: string, };

/**
 * The files an access export wrote.
 */
export type AccessFiles = { json: string, pdf: string, };

/**
 * A record kept past its time, for the coordinator to review (and erase, if nothing holds it).
 */
export type RetentionFlag = { 
/**
 * `person`, `desk_contact`, or `held_erasure`.
 */
kind: string, id: string, 
/**
 * The person concerned (for the record's link), and their name as it is now.
 */
person: string | null, person_label: string | null, 
/**
 * What is due and why, in Italian.
 */
why: string, };

/**
 * An activity: an event, an assembly, a training session, a meeting.
 */
export type ActivityId = string;

/**
 * A printed attendance sheet.
 */
export type SheetId = string;

export type ActivityKind = "assemblea" | "evento" | "formazione" | "incontro";

export type Axis = "convivenza" | "disagio" | "formazione_lavoro" | "morosita";

/**
 * An activity in a list.
 */
export type ActivitySummary = { id: ActivityId, kind: ActivityKind, axis: Axis | null, title: string, held_on: string, starts_at: string, ends_at: string, venue: string, topic: string | null, series: string | null, invited: number, 
/**
 * Who came (invited or not); `None` until attendance is recorded.
 */
present: number | null, 
/**
 * Of those who came, how many without an invitation.
 */
walk_ins: number, };

/**
 * One person at an activity.
 */
export type Participant = { person: PersonId, 
/**
 * Surname and name.
 */
name: string, 
/**
 * Where they live now, if anywhere.
 */
lives_at: string | null, invited: boolean, 
/**
 * `None` until attendance is recorded.
 */
present: boolean | null, walk_in: boolean, minutes: number | null, };

/**
 * An activity with its people and sheets.
 */
export type ActivityDetail = { activity: ActivitySummary, operators: Array<string>, 
/**
 * Partners organising it with the lab, by name.
 */
partners: Array<string>, 
/**
 * Invited people and walk-ins, by surname.
 */
people: Array<Participant>, 
/**
 * The sheets printed, newest first: their codes (`FP-…`).
 */
sheets: Array<string>, 
/**
 * The minutes, in the order written.
 */
minutes: Array<MinuteItem>, 
/**
 * Scans of the signed sheets.
 */
scans: Array<ScanInfo>, };

/**
 * Who came, as counted.
 */
export type AttendanceCount = { invited: number, present: number, absent: number, walk_ins: number, };

/**
 * The seed's counts: how many events and thematic assemblies were held from `from` to `to`.
 */
export type ActivityCounts = { events: number, assemblies: number, 
/**
 * Attendances recorded (a person at an activity), walk-ins included.
 */
attendances: number, 
/**
 * Different people who came to at least one.
 */
people: number, };

/**
 * A new activity as the form has it; field names are the core's (`tipo`, `titolo`, ...).
 */
export type ActivityForm = { kind: string, axis: string, title: string, 
/**
 * `gg/mm/aaaa` or `aaaa-mm-gg`.
 */
date: string, start: string, end: string, venue: string, topic: string, weeks: string, 
/**
 * Partners organising it with the lab (their ids).
 */
partners: Array<string>, };

/**
 * Who to invite: one person, one household, or the people at an address (street, and optionally
 * civic number and staircase). Exactly one of the three.
 */
export type InviteForm = { person: string, household: string, street: string, civic: string, scala: string, };

/**
 * A sheet printed: its code, and where its PDF was written.
 */
export type SheetFile = { code: string, path: string, };

/**
 * What to do with a new sheet: open it in the system's PDF viewer, or save it where the
 * operator says.
 */
export type SheetAction = "open" | "save";

/**
 * A sheet found by its code, with its activity.
 */
export type SheetView = { sheet: string, code: string, detail: ActivityDetail, };

/**
 * Who came, as the operator ticked it from a signed sheet.
 */
export type AttendanceForm = { present: Array<string>, walk_ins: Array<string>, 
/**
 * Hours each attended (training sessions): `2`, `1,5`, `1:30`; blank for other activities.
 */
hours: string, };

export type MinuteKind = "tema" | "decisione" | "impegno";

/**
 * A line of the minutes, as shown.
 */
export type MinuteItem = { id: string, kind: MinuteKind, text: string, owner: string | null, due_on: string | null, done_on: string | null, };

/**
 * An open follow-up of some activity's minutes.
 */
export type FollowUpDue = { item: MinuteItem, activity: ActivityId, activity_title: string, held_on: string, };

/**
 * A line of the minutes as the form has it.
 */
export type MinuteForm = { 
/**
 * `tema`, `decisione`, `impegno`.
 */
kind: string, text: string, owner: string, 
/**
 * `gg/mm/aaaa`, `+7`, `domani`.
 */
due: string, };

/**
 * A scan, as listed on its activity.
 */
export type ScanInfo = { id: string, 
/**
 * The sheet's code (`FP-…`).
 */
sheet: string, file_name: string, mime: string, bytes: number, attached_at: string, attached_by: string, 
/**
 * Whether this desk has the bytes yet (a scan attached at another desk arrives with a later
 * sync than its description).
 */
here: boolean, };

/**
 * An activity a person was invited to or came to.
 */
export type PersonActivity = { activity: ActivitySummary, invited: boolean, 
/**
 * `None` until attendance is recorded.
 */
present: boolean | null, walk_in: boolean, minutes: number | null, };

/**
 * A training course or a job-search path.
 */
export type CourseId = string;

/**
 * One person on one course, admitted or waiting.
 */
export type EnrolmentId = string;

export type CourseKind = "corso" | "ricerca_lavoro";

/**
 * The figures Home shows: the seed's headline target counts people, not enrolments.
 */
export type TrainingCounts = { 
/**
 * People who entered a course or path in the project, however it went on (the seed's "residents
 * in training and job-search paths").
 */
participants: number, 
/**
 * Of them, people admitted to a course or path that has not ended by `today`.
 */
in_paths: number, 
/**
 * People waiting for a place (in one course or more), not already in a path.
 */
waiting: number, };

/**
 * A course in a list.
 */
export type CourseSummary = { id: CourseId, kind: CourseKind, title: string, provider: string | null, starts_on: string, ends_on: string | null, hours: number | null, places: number, admitted: number, waiting: number, };

/**
 * One person on a course, as the course's page lists them.
 */
export type EnrolmentLine = { id: EnrolmentId, person: PersonId, name: string, 
/**
 * `iscritto`, `in_attesa`, `ritirato`.
 */
state: string, requested_at: string, admitted_on: string | null, left_on: string | null, left_reason: string | null, 
/**
 * Why the order of the waiting list was changed for this person, or why they were admitted
 * before those waiting longer.
 */
moved_reason: string | null, 
/**
 * Minutes attended at the course's sessions.
 */
minutes: number, 
/**
 * Whether the person has an ESF participant record.
 */
esf: boolean, };

/**
 * Every field of a course as text; a blank means "not given". Also the window's wire type.
 */
export type CourseDraft = { 
/**
 * `corso` or `ricerca_lavoro`.
 */
kind: string, title: string, 
/**
 * The provider's partner id; blank: none.
 */
provider: string, 
/**
 * `gg/mm/aaaa`.
 */
starts_on: string, ends_on: string, 
/**
 * Planned hours, a whole number.
 */
hours: string, places: string, venue: string, };

/**
 * A course with who is in it, who waits (in order) and who left.
 */
export type CourseDetail = { course: CourseSummary, venue: string | null, admitted: Array<EnrolmentLine>, waiting: Array<EnrolmentLine>, left: Array<EnrolmentLine>, 
/**
 * The course's sessions (activities of kind `formazione` linked to it), in date order.
 */
sessions: Array<SessionLine>, };

/**
 * A person's courses and paths, for their page.
 */
export type PersonCourse = { enrolment: EnrolmentId, course: CourseId, title: string, kind: CourseKind, state: string, 
/**
 * Place in the waiting list, while waiting.
 */
position: number | null, minutes: number, };

/**
 * Where an enrolment put the person.
 */
export type Enrolled = { "state": "admitted", id: EnrolmentId, } | { "state": "waiting", id: EnrolmentId, position: number, };

/**
 * A session of a course, as the course page lists it.
 */
export type SessionLine = { activity: ActivityId, held_on: string, starts_at: string, ends_at: string, 
/**
 * Who came, once recorded; `None` before.
 */
present: number | null, 
/**
 * Minutes recorded in all, for all who came.
 */
minutes: number, };

/**
 * The ESF entry as typed: every field as text. Also the window's wire type.
 */
export type EsfDraft = { 
/**
 * `gg/mm/aaaa`.
 */
entry_on: string, 
/**
 * `occupato`, `disoccupato`, `inattivo`.
 */
labour: string, 
/**
 * For the unemployed: months without work.
 */
unemployed_months: string, 
/**
 * For the inactive: `si` when in education or training.
 */
in_education: string, isced: string, migrant: string, disability: string, other_disadvantage: string, homeless: string, rural: string, };

/**
 * The exit from a path as typed.
 */
export type ExitDraft = { 
/**
 * `gg/mm/aaaa`.
 */
exit_on: string, 
/**
 * An [`ExitReason`] code.
 */
reason: string, 
/**
 * A [`ResultAtExit`] code, or blank when not known yet.
 */
result: string, };

/**
 * The ESF record as shown on the participant's page.
 */
export type EsfRecord = { id: EsfRecordId, entry_on: string, sex: string, age_band: AgeBand, labour_status: LabourStatus, unemployed_months: number | null, isced: Isced | null, 
/**
 * The sensitive answers (special categories), only for the roles that record them.
 */
sensitive: Array<[string, EsfAnswer]> | null, notice_version: string, notice_on: string, exit_on: string | null, exit_reason: ExitReason | null, result_exit: ResultAtExit | null, result_6m: ResultAt6m | null, 
/**
 * When the six-month check falls due (six months after exit), while not done.
 */
check_due_on: string | null, };

/**
 * A six-month check to do: the person, the exit day, when it falls due.
 */
export type CheckDue = { person: PersonId, name: string, exit_on: string, due_on: string, };

/**
 * A placement as typed: every field as text. Also the window's wire type.
 */
export type PlacementDraft = { 
/**
 * A partner's id, or blank with `host_name`.
 */
host: string, 
/**
 * The host when it is not a partner of the project.
 */
host_name: string, role: string, 
/**
 * `gg/mm/aaaa`.
 */
starts_on: string, ends_on: string, weekly_hours: string, };

/**
 * A placement as the person's page shows it.
 */
export type PlacementView = { id: string, 
/**
 * The partner's name, or the host named when not a partner.
 */
host: string, role: string | null, starts_on: string, ends_on: string | null, weekly_hours: number | null, outcome: string | null, };

/**
 * Time given back on a day.
 */
export type CommunityHoursView = { given_on: string, minutes: number, description: string, };

/**
 * A person's placements and the time they gave back, with its total.
 */
export type WorkPath = { placements: Array<PlacementView>, community: Array<CommunityHoursView>, community_minutes: number, };

/**
 * A person's ESF participant record.
 */
export type EsfRecordId = string;

export type AgeBand = "meno_di_25" | "25_54" | "oltre_54";

export type ExitReason = "completato" | "lavoro" | "ritiro" | "salute" | "trasferimento" | "altro";

export type ResultAtExit = "in_cerca" | "in_formazione" | "qualifica" | "occupato" | "nessuno";

export type ResultAt6m = "occupato" | "migliorato" | "nessuno" | "non_raggiunto";

/**
 * A case (presa in carico).
 */
export type CaseId = string;

/**
 * A goal of a case's plan, or a step of a goal.
 */
export type GoalId = string;

export type ReferralId = string;

export type GoalStatus = "aperto" | "in_corso" | "raggiunto" | "non_raggiunto" | "annullato";

export type ReferralState = "inviato" | "accettato" | "rifiutato" | "concluso";

export type CaseOutcome = "obiettivi_raggiunti" | "in_parte" | "affidato_servizi" | "interrotto" | "trasferito" | "altro";

/**
 * A case as the tutor's list shows it.
 */
export type CaseSummary = { id: CaseId, person: PersonId, person_name: string, household: HouseholdId | null, household_address: string | null, axis: Axis, tutor: OperatorId, tutor_name: string, opened_on: string, closed_on: string | null, outcome: CaseOutcome | null, servizio_sociale: boolean, 
/**
 * Goals and steps still to do.
 */
open_goals: number, 
/**
 * Of those, how many are past their due date.
 */
overdue: number, 
/**
 * The nearest due date of what is still to do.
 */
next_due: string | null, };

/**
 * A goal or a step of the plan.
 */
export type GoalView = { id: GoalId, title: string, owner: string, due_on: string | null, status: GoalStatus, done_on: string | null, 
/**
 * Still to do and past its due date.
 */
overdue: boolean, 
/**
 * A goal's steps, in the order written (empty for a step).
 */
steps: Array<GoalView>, };

/**
 * An operator on the case besides the tutor.
 */
export type CaseMember = { operator: OperatorId, name: string, role: string, };

/**
 * A referral made from the case.
 */
export type CaseReferral = { id: ReferralId, 
/**
 * The partner's name, or «Servizio Sociale».
 */
to: string, reason: string, shares_data: boolean, state: ReferralState, referred_on: string | null, state_on: string | null, };

/**
 * One write on a case.
 */
export type HistoryEntry = { 
/**
 * When, as the writing desk's clock had it (RFC 3339).
 */
at: string, operator: string, 
/**
 * What the write did, one line each.
 */
changes: Array<string>, };

/**
 * One case, whole.
 */
export type CaseDetail = { reason: string | null, 
/**
 * The desk contact the case was opened from.
 */
contact: DeskContactId | null, outcome_note: string | null, team: Array<CaseMember>, 
/**
 * Goals in the order written, each with its steps.
 */
goals: Array<GoalView>, referrals: Array<CaseReferral>, notes: Array<Note>, 
/**
 * Who changed what and when, newest first.
 */
history: Array<HistoryEntry>, id: CaseId, person: PersonId, person_name: string, household: HouseholdId | null, household_address: string | null, axis: Axis, tutor: OperatorId, tutor_name: string, opened_on: string, closed_on: string | null, outcome: CaseOutcome | null, servizio_sociale: boolean, 
/**
 * Goals and steps still to do.
 */
open_goals: number, 
/**
 * Of those, how many are past their due date.
 */
overdue: number, 
/**
 * The nearest due date of what is still to do.
 */
next_due: string | null, };

/**
 * A goal or step due today or overdue, for Home and the tutor.
 */
export type GoalDue = { case: CaseId, goal: GoalId, person_name: string, title: string, owner: string, due_on: string, tutor_name: string, is_step: boolean, };

/**
 * A new case, every field as text; a blank means "not given".
 */
export type CaseDraft = { 
/**
 * The person's id.
 */
person: string, 
/**
 * One of the project's axes (`disagio`, `formazione_lavoro`, `morosita`, `convivenza`).
 */
axis: string, 
/**
 * The tutor's operator id.
 */
tutor: string, 
/**
 * Shared with the Comune's Servizio Sociale.
 */
servizio_sociale: boolean, 
/**
 * Why the case is opened, in a line or a few.
 */
reason: string, 
/**
 * The desk contact it comes from, or blank.
 */
contact: string, 
/**
 * `gg/mm/aaaa`; blank: today.
 */
opened_on: string, };

/**
 * A goal of the plan, or a step of a goal.
 */
export type GoalDraft = { title: string, 
/**
 * Who takes care of it: an operator, the person, a partner, by name.
 */
owner: string, 
/**
 * `gg/mm/aaaa`, `+30`, `domani`.
 */
due: string, 
/**
 * The goal this is a step of, or blank for a goal.
 */
parent: string, };

/**
 * A referral from a case.
 */
export type ReferralDraft = { 
/**
 * A partner's id, or `servizio_sociale`.
 */
to: string, reason: string, 
/**
 * The referral passes the person's data to the other organisation.
 */
shares_data: boolean, 
/**
 * `gg/mm/aaaa`; blank: today.
 */
on: string, };

/**
 * Closing a case.
 */
export type CloseDraft = { 
/**
 * A [`CaseOutcome`] code.
 */
outcome: string, note: string, 
/**
 * `gg/mm/aaaa`; blank: today.
 */
closed_on: string, };

/**
 * A repayment plan (piano di rientro).
 */
export type PlanId = string;

/**
 * A no-fault arrears assessment.
 */
export type AssessmentId = string;

export type NoFaultCause = "licenziamento" | "riduzione_orario" | "cassa_integrazione" | "contratto_non_rinnovato" | "cessazione_attivita" | "malattia" | "decesso" | "separazione";

export type PlanStatus = "attivo" | "in_ritardo" | "decaduto" | "chiuso";

export type InstalmentState = "pagata" | "pagata_in_ritardo" | "parziale" | "scaduta" | "da_pagare";

/**
 * A version of the plan's terms, for its history.
 */
export type TermsRow = { 
/**
 * 0: at signing.
 */
position: number, effective_on: string | null, total: number, count: number | null, instalment: number | null, 
/**
 * The first instalment these terms scheduled.
 */
first_index: number, reason: string | null, recorded_by: string, };

/**
 * An instalment as the plan shows it.
 */
export type InstalmentRow = { number: number, due_on: string, amount: number, paid: number, settled_on: string | null, state: InstalmentState, };

/**
 * Of a payment, how much went to which instalment.
 */
export type PaymentPart = { instalment: number, amount: number, };

/**
 * Money paid towards the plan.
 */
export type PaymentRow = { 
/**
 * Blank for the contribution's share.
 */
id: string | null, on: string, amount: number, 
/**
 * The solidarity contribution's share for the plan, not a payment.
 */
contribution: boolean, note: string | null, recorded_by: string, parts: Array<PaymentPart>, 
/**
 * Beyond the whole plan.
 */
surplus: number, };

/**
 * A no-fault assessment.
 */
export type AssessmentRow = { id: AssessmentId, cause: NoFaultCause, event_on: string | null, evidence: string | null, ss_confirmed_on: string | null, case_id: string | null, };

/**
 * A plan, whole: what the plan's screen and `quartiere plans show` print.
 */
export type PlanView = { id: PlanId, household: HouseholdId, address: string, tenant: string | null, 
/**
 * The day the figures are for.
 */
day: string, signed_on: string, signatories: string, rent_debt: number, charges_debt: number, total: number, frequency_months: number, lapse_rule: string, lapse_rule_text: string, monthly_income: number | null, over_income_confirmed: boolean, status: PlanStatus, lapsed_on: string | null, closed_on: string | null, close_reason: string | null, paid: number, remaining: number, surplus: number, overdue: number, overdue_amount: number, instalments: Array<InstalmentRow>, payments: Array<PaymentRow>, terms: Array<TermsRow>, assessment: AssessmentRow | null, };

/**
 * A plan as the list shows it.
 */
export type PlanRow = { id: PlanId, household: HouseholdId, address: string, tenant: string | null, signed_on: string, total: number, paid: number, remaining: number, status: PlanStatus, instalments: number, overdue: number, overdue_amount: number, next_due_on: string | null, next_amount: number | null, };

/**
 * A month of the account as the screen shows it.
 */
export type MonthRow = { 
/**
 * `2026-03`.
 */
period: string, rent_billed: number, charges_billed: number, rent_paid: number, charges_paid: number, 
/**
 * What the month still owes as billed minus paid (before contributions).
 */
unpaid: number, };

/**
 * A solidarity contribution and where it went.
 */
export type CreditRow = { on: string, amount: number, to_charges: number, to_rent: number, to_plan: number, left: number, };

/**
 * The household's debt at a month's end: the account's arrears and what the plan still owes.
 */
export type DebtPoint = { on: string, debt: number, };

/**
 * A household's account: months, contributions, balance and arrears on `day`, the debt month by
 * month, the assessments and the plans.
 */
export type AccountView = { household: HouseholdId, address: string, tenant: string | null, day: string, months: Array<MonthRow>, credits: Array<CreditRow>, billed: number, paid: number, credited: number, 
/**
 * Billed minus paid minus credited (negative: in credit).
 */
balance: number, 
/**
 * The account's arrears not in a plan (after signing: the current months only).
 */
arrears: number, 
/**
 * What the plan signed by then still owes.
 */
plan_remaining: number, 
/**
 * Arrears plus what the plan still owes.
 */
debt: number, debt_over_time: Array<DebtPoint>, 
/**
 * Months written at two desks apart (`2026-03`): each counts once, as written last.
 */
doubled: Array<string>, assessments: Array<AssessmentRow>, plans: Array<PlanRow>, };

/**
 * An instalment to watch: due this week, or past due and unpaid.
 */
export type DueInstalment = { plan: PlanId, household: HouseholdId, address: string, tenant: string | null, number: number, due_on: string, 
/**
 * What it still owes.
 */
outstanding: number, status: PlanStatus, };

/**
 * Instalments past due and unpaid, and due in the next 7 days, on `day`: what Home lists.
 */
export type DueInstalments = { day: string, due_this_week: Array<DueInstalment>, overdue: Array<DueInstalment>, };

/**
 * The project's figure at a month's end.
 */
export type ProjectPoint = { on: string, 
/**
 * The debt of households assessed as no-fault.
 */
no_fault_debt: number, 
/**
 * Paid towards plans (payments and contributions) since the first plan, up to that day.
 */
recovered: number, };

/**
 * What the arrears officer watches, and the project reports.
 */
export type Monitoring = { day: string, due_this_week: Array<DueInstalment>, overdue: Array<DueInstalment>, 
/**
 * Plans signed (the seed's indicator), and of them those followed now (not closed, not lapsed).
 */
plans_signed: number, plans_monitored: number, by_status: Array<[PlanStatus, number]>, over_time: Array<ProjectPoint>, };

/**
 * What a statement did, or would do.
 */
export type StatementReport = { rows: number, households: number, 
/**
 * Months new to the account.
 */
added: number, 
/**
 * Months whose figures changed.
 */
changed: number, unchanged: number, 
/**
 * Every problem; when there is one, nothing was written.
 */
errors: Array<RowError>, };

/**
 * The no-fault assessment of a household's arrears.
 */
export type AssessmentDraft = { household: string, 
/**
 * A [`NoFaultCause`] code.
 */
cause: string, 
/**
 * `gg/mm/aaaa`: when the income was lost or cut.
 */
event_on: string, 
/**
 * What shows it (a dismissal letter, a medical certificate...).
 */
evidence: string, 
/**
 * The Servizio Sociale confirmed it.
 */
ss_confirmed: boolean, 
/**
 * `gg/mm/aaaa`.
 */
ss_confirmed_on: string, 
/**
 * The household's case (presa in carico), or blank.
 */
case: string, };

/**
 * A repayment plan as agreed, to be signed.
 */
export type PlanDraft = { household: string, 
/**
 * The no-fault assessment it rests on, or blank.
 */
assessment: string, 
/**
 * `gg/mm/aaaa`.
 */
signed_on: string, 
/**
 * Who signs: the tenant, the ente gestore's officer, the lab.
 */
signatories: string, 
/**
 * Debt at signing: rent (canone) and service charges (spese), `1.234,50`.
 */
rent_debt: string, charges_debt: string, 
/**
 * `gg/mm/aaaa`: when the first instalment falls due.
 */
first_due_on: string, 
/**
 * How many instalments, or (blank count) how much each.
 */
count: string, instalment: string, 
/**
 * Months between instalments: 1, 2, 3, 6.
 */
frequency_months: string, 
/**
 * `consecutive:3` or `with_charges:2`; blank: the desk's setting.
 */
lapse_rule: string, 
/**
 * The household's monthly income, for the rule that an instalment be at most 1/8 of it.
 */
monthly_income: string, 
/**
 * The officer confirms an instalment over 1/8 of the income.
 */
confirm_over_income: boolean, };

/**
 * New terms for a plan: a new total, a new start for the instalments not yet paid, or both.
 */
export type TermsDraft = { 
/**
 * The plan's new whole debt (blank: unchanged), `1.234,50`.
 */
total: string, 
/**
 * `gg/mm/aaaa`: when the first instalment not yet paid falls due (blank: as before).
 */
next_due_on: string, 
/**
 * The plan's new number of instalments in all, or a new amount per instalment (blank: as before).
 */
count: string, instalment: string, 
/**
 * Why the plan changes.
 */
reason: string, 
/**
 * `gg/mm/aaaa`: when the change was agreed; blank: today.
 */
on: string, };

/**
 * Money paid towards a plan, or a solidarity contribution credited to a household.
 */
export type PaymentDraft = { 
/**
 * `gg/mm/aaaa`: the day the money was paid (or credited).
 */
on: string, 
/**
 * The amount actually paid, `1.234,50`.
 */
amount: string, note: string, };

/**
 * One month of a household's account typed by hand.
 */
export type MonthDraft = { 
/**
 * `mm/aaaa`.
 */
period: string, rent_billed: string, charges_billed: string, rent_paid: string, charges_paid: string, };

export type IndicatorCode = "formazione_lavoro" | "nuclei_raggiunti" | "piani_firmati" | "piani_monitorati" | "eventi" | "assemblee" | "debito_incolpevole" | "contatti_sportello" | "prese_in_carico" | "partecipanti_fse";

export type ActionStatus = "da_avviare" | "in_corso" | "sospesa" | "completata" | "annullata";

/**
 * An action of the project plan.
 */
export type PlanActionId = string;

/**
 * What an indicator counts.
 */
export type Unit = "persone" | "nuclei" | "piani" | "attivita" | "contatti" | "casi" | "centesimi";

/**
 * The kind of record an indicator's keys are.
 */
export type Subject = "person" | "household" | "plan" | "activity" | "contact" | "case";

/**
 * A period, both days included.
 */
export type Period = { from: string, to: string, };

/**
 * One month of an indicator: its value in that month alone (for the debt: on its last day).
 */
export type MonthValue = { 
/**
 * `YYYY-MM`.
 */
month: string, value: number, };

export type Indicator = { code: IndicatorCode, label: string, definition: string, unit: Unit, lower_is_better: boolean, 
/**
 * Over the whole period (for the debt: on its last day).
 */
value: number, 
/**
 * For the debt, its value on the day before the period: the reduction is `start - value`.
 */
start: number | null, 
/**
 * Out of how many (households reached: of the households on record).
 */
of: number | null, target: Target | null, 
/**
 * Whether the value meets the target; `None` without a target.
 */
met: boolean | null, months: Array<MonthValue>, };

/**
 * The dashboard: every indicator for a period, and the ESF participants broken down.
 */
export type Dashboard = { period: Period, indicators: Array<Indicator>, esf: EsfBreakdown, 
/**
 * Counts of people under 5 are hidden (`None`) in the ESF breakdown: the Comune's reader.
 */
suppressed: boolean, };

/**
 * One record behind a number.
 */
export type RecordLine = { subject: Subject, id: string, 
/**
 * The first day in the period it counts on.
 */
on: string | null, label: string, };

export type Target = { code: IndicatorCode, 
/**
 * In the indicator's unit (euro cents for the debt).
 */
target: number, 
/**
 * The figure when the target was set (the seed's month-6 figures), if known.
 */
baseline: number | null, due_on: string | null, note: string | null, };

/**
 * A target as typed: whole numbers, or euro (`12.345,67`) for the debt.
 */
export type TargetDraft = { 
/**
 * An [`IndicatorCode`].
 */
code: string, target: string, baseline: string, 
/**
 * `gg/mm/aaaa`.
 */
due_on: string, note: string, };

/**
 * One category: women, men, total (people whose gender is not recorded count in the total only).
 */
export type EsfRow = { 
/**
 * The group's Italian title ("Età all'ingresso").
 */
group: string, 
/**
 * The category's code (`meno_di_25`) and label.
 */
category: string, label: string, women: number | null, men: number | null, total: number | null, };

export type EsfBreakdown = { 
/**
 * Everyone who entered in the period (the first row), then the categories.
 */
rows: Array<EsfRow>, };

/**
 * What goes in, beyond the manifest.
 */
export type Include = { report: boolean, csv: boolean, xlsx: boolean, };

/**
 * Where one desk's changes stand in this bundle.
 */
export type FrontierLine = { desk_id: string, name: string, this_desk: boolean, 
/**
 * The last bundle of that desk applied here (for this desk: published), and when it was written.
 */
last_seq: number, last_bundle_at: string | null, 
/**
 * Not heard from in [`STALE_DAYS`] days.
 */
stale: boolean, };

/**
 * One table as the preview shows it: its first rows.
 */
export type TablePreview = { file: string, title: string, header: Array<string>, rows: Array<Array<string>>, total_rows: number, };

/**
 * What the bundle will hold, before it is made.
 */
export type Preview = { month: string, since: string, desk: string, files: Array<string>, indicators: Array<Indicator>, tables: Array<TablePreview>, frontier: Array<FrontierLine>, warnings: Array<string>, 
/**
 * The fingerprint of the key that signs this desk's bundles (the Comune may check it).
 */
signing_key: string | null, };

/**
 * A bundle written.
 */
export type Exported = { path: string, files: Array<string>, recipients: number, warnings: Array<string>, signing_key: string, };

/**
 * An action as typed in the form or on the command line.
 */
export type ActionDraft = { 
/**
 * An [`Axis`] code.
 */
axis: string, title: string, 
/**
 * The owner organisation, chosen from the partners (blank: the lab itself).
 */
partner_id: string, 
/**
 * Who follows it (an operator or a partner's contact).
 */
owner_name: string, 
/**
 * `gg/mm/aaaa`.
 */
starts_on: string, due_on: string, 
/**
 * An [`ActionStatus`] code; blank is «da avviare».
 */
status: string, 
/**
 * The day it was completed or cancelled; blank with such a status is today.
 */
done_on: string, 
/**
 * Euro, `1.234,50`.
 */
budget: string, spent: string, };

export type ActionInput = { axis: Axis, title: string, partner: PartnerId | null, owner_name: string | null, starts_on: string | null, due_on: string | null, status: ActionStatus, done_on: string | null, budget: number, spent: number, };

export type LinkedActivity = { id: ActivityId, kind: ActivityKind, title: string, date: string, };

/**
 * A case by its axis and dates: the plan shows no resident's name.
 */
export type LinkedCase = { id: CaseId, axis: Axis, opened_on: string, closed_on: string | null, };

export type ActionView = { id: PlanActionId, partner_name: string | null, 
/**
 * Days past the due date of an open action (0 or none: not late).
 */
days_late: number | null, over_budget: boolean, activities: Array<LinkedActivity>, cases: Array<LinkedCase>, axis: Axis, title: string, partner: PartnerId | null, owner_name: string | null, starts_on: string | null, due_on: string | null, status: ActionStatus, done_on: string | null, budget: number, spent: number, };

export type AxisTotals = { axis: Axis, actions: number, late: number, done: number, budget: number, spent: number, };

export type ProjectPlan = { today: string, 
/**
 * By axis, then due date (none last), then title.
 */
actions: Array<ActionView>, 
/**
 * One line per axis that has actions, in the axes' order.
 */
axes: Array<AxisTotals>, budget: number, spent: number, late: number, };

/**
 * The one error type the UI sees: `kind` picks the Italian sentence, `message` adds detail, and
 * `fields` places validation messages next to their inputs.
 */
export type UiError = { kind: UiErrorKind, message: string, fields: Array<FieldError>, };

/**
 * What went wrong, as the UI switches on it: a kind of the core's errors, or one of the shell's own.
 */
export type UiErrorKind = ErrorKind | ShellErrorKind;

/**
 * The shell's own kinds of error: the session is locked, or its state is unusable.
 */
export type ShellErrorKind = "locked" | "internal";

export type Home = { today: string, counts: Overview, 
/**
 * The follow-ups due, today's first then the longest overdue: the first [`HOME_FOLLOW_UPS`].
 */
follow_ups_due: Array<DeskContactView>, 
/**
 * How many are due in all (the Sportello screen lists every one).
 */
follow_ups_due_total: number, recent_contacts: Array<DeskContactView>, 
/**
 * Events and assemblies held in the last six months (the seed's counts), for every role.
 */
activities: ActivityCounts, 
/**
 * Since when `activities` counts.
 */
activities_since: string, 
/**
 * The activities of the next two weeks, for roles that read them.
 */
upcoming: Array<ActivitySummary>, 
/**
 * Follow-ups of assemblies' minutes due today or overdue, for roles that read activities.
 */
minutes_due: Array<FollowUpDue>, 
/**
 * People in training and job-search paths, and waiting (the seed's headline), for every role.
 */
training: TrainingCounts, 
/**
 * The seed's target for `training.participants`.
 */
training_target: number, 
/**
 * Goals and steps of open cases due today or overdue, the longest overdue first (the first
 * [`HOME_FOLLOW_UPS`]), for roles that read cases; and how many in all.
 */
goals_due: Array<GoalDue>, goals_due_total: number, 
/**
 * ESF six-month checks due within two weeks or overdue, for roles that read training.
 */
esf_checks_due: Array<CheckDue>, 
/**
 * Repayment plans' instalments due this week and overdue, for roles that read arrears.
 */
arrears: DueInstalments | null, 
/**
 * Actions of the project plan past their due date, the longest late first, for roles that
 * read the plan.
 */
late_actions: Array<ActionView>, };

export type HouseholdView = { household: HouseholdDetail, contacts: Array<DeskContactView>, notes: Array<Note>, };

/**
 * A dwelling form as the UI sends it: every value a string, empty meaning "not given".
 */
export type DwellingForm = { code: string, street: string, civic: string, scala: string, piano: string, interno: string, cap: string, comune: string, provincia: string, };

/**
 * A person form as the UI sends it: every value a string, empty meaning "not given".
 */
export type PersonForm = { surname: string, name: string, sex: string, birth_date: string, birth_place: string, codice_fiscale: string, citizenship: string, phone: string, email: string, esf_labour_status: string, esf_isced: string, esf_migrant: string, esf_disability: string, esf_other_disadvantage: string, esf_homeless: string, esf_rural: string, };

/**
 * A person form checked as the operator types: what is wrong so far, and what a valid codice
 * fiscale says, for the form to fill what is still empty (and say that it did).
 */
export type PersonCheck = { errors: Array<FieldError>, from_code: CodeFacts | null, };

/**
 * What a valid codice fiscale says, as the form writes it.
 */
export type CodeFacts = { 
/**
 * `M` or `F`.
 */
sex: string, 
/**
 * `gg/mm/aaaa`.
 */
birth_date: string, 
/**
 * «Trezzano sul Naviglio (MI)», «Senegal»; `None` when the place code is not in the table.
 */
birth_place: string | null, };

export type MembershipForm = { household: string, relationship: string, resident_since: string, tenant_of_record: boolean, };

export type ContactForm = { 
/**
 * `aaaa-mm-ggThh:mm` (or `gg/mm/aaaa hh:mm`); empty for now.
 */
occurred_at: string, person: string | null, household: string | null, channel: string, topics: Array<string>, note: string, follow_up_on: string, 
/**
 * A partner id, or `servizio_sociale` (see `ContactDraft::refer_to`).
 */
refer_to: string | null, referral_reason: string, };

export type ContactFilterForm = { from: string, to: string, person: string | null, household: string | null, topic: string, follow_ups_only: boolean, };

export type Settings = { 
/**
 * The desk's name (only a coordinator changes it).
 */
desk: string, 
/**
 * `it` or `en`.
 */
language: string, 
/**
 * The lapse rule new repayment plans get at this desk (`consecutive:3`, `with_charges:2`);
 * a plan keeps the rule it was signed with. Only who writes arrears changes it; blank: as it is.
 */
lapse_rule: string, };

/**
 * The coded lists the forms offer, with Italian and English labels.
 */
export type Choice = { code: string, it: string, en: string, };

export type Choices = { relationships: Array<Choice>, channels: Array<Choice>, topics: Array<Choice>, labour_statuses: Array<Choice>, isced: Array<Choice>, esf_answers: Array<Choice>, activity_kinds: Array<Choice>, axes: Array<Choice>, minute_kinds: Array<Choice>, partners: Array<[PartnerId, string]>, goal_statuses: Array<Choice>, referral_states: Array<Choice>, case_outcomes: Array<Choice>, exit_reasons: Array<Choice>, results_exit: Array<Choice>, results_6m: Array<Choice>, no_fault_causes: Array<Choice>, plan_statuses: Array<Choice>, instalment_states: Array<Choice>, action_statuses: Array<Choice>, indicators: Array<Choice>, 
/**
 * The team: every active operator, and who may follow a case as its tutor.
 */
operators: Array<[OperatorId, string]>, tutors: Array<[OperatorId, string]>, };

/**
 * What the signed-in operator may do, for the UI to show only what works.
 */
export type Me = { name: string, role: Role, desk: string, read_registry: boolean, edit_registry: boolean, read_desk: boolean, record_desk: boolean, import: boolean, sync: boolean, manage_sync: boolean, administer: boolean, audit: boolean, backup: boolean, rights: boolean, read_activities: boolean, record_activities: boolean, read_training: boolean, record_training: boolean, read_cases: boolean, record_cases: boolean, read_arrears: boolean, record_arrears: boolean, 
/**
 * Targets and the project plan.
 */
manage_project: boolean, 
/**
 * The monthly bundle to the Comune.
 */
export_bundle: boolean, 
/**
 * The day's backup failed at sign-in: the sentence to show.
 */
backup_warning: string | null, };

/**
 * The sign-in screen's facts: a new desk or who may sign in, and the demo's credentials.
 */
export type Door = { is_new: boolean, names: Array<string>, 
/**
 * Only on a demo database: the operator and passphrase to type.
 */
demo: [string, string] | null, 
/**
 * Already signed in (the window was reloaded).
 */
me: Me | null, };

export type AuditFilterForm = { from: string, to: string, 
/**
 * An operator's id, or empty for everyone.
 */
operator: string, 
/**
 * An [`AuditKind`] code, or empty for every kind.
 */
kind: string, 
/**
 * A record's id (a person, a household), or empty.
 */
subject: string, };

export type AuditExport = { 
/**
 * The JSON file (every event with its hashes) and the CSV beside it.
 */
path: string, csv: string, check: ChainReport, };

export type ConsentForm = { 
/**
 * A [`ConsentKind`] code.
 */
kind: string, version: string, 
/**
 * `gg/mm/aaaa`; empty for today.
 */
given_on: string, };

/**
 * The operator's answer to a question of the report: the row is this person (an id), or a new
 * person (`null`).
 */
export type DecisionWire = { row: number, person: string | null, };

/**
 * What a person's page shows: who they are, where they live and lived, when the desk saw them.
 */
export type PersonPage = { person: Person, households: Array<PersonHousehold>, 
/**
 * Their desk contacts, newest first (empty for roles that do not read the desk log).
 */
contacts: Array<DeskContactView>, 
/**
 * Activities they were invited to or came to, the latest first (empty for roles that do not
 * read activities), and how many they came to.
 */
activities: Array<PersonActivity>, activities_attended: number, 
/**
 * Courses and job-search paths they are in, wait for or left (empty for roles that do not
 * read training).
 */
courses: Array<PersonCourse>, 
/**
 * Their work placements and hours given back (for roles that read training).
 */
work: WorkPath | null, 
/**
 * Their cases, open first (empty for roles that do not read cases).
 */
cases: Array<CaseSummary>, 
/**
 * Notes about them, each with its earlier versions (empty for roles that do not read the desk log).
 */
notes: Array<Note>, };

/**
 * Who is next when a withdrawal freed a place: the window offers to admit them.
 */
export type NextInLine = { enrolment: EnrolmentId, name: string, };

/**
 * A course's sessions as the course page's form has them: a day, the times, the venue, and how
 * many weeks a weekly series lasts.
 */
export type SessionForm = { date: string, start: string, end: string, venue: string, weeks: string, };

/**
 * A person's ESF record for their page: the record if written; otherwise the entry form filled
 * from what their registry record says, with the fields it filled (for the operator to check).
 */
export type EsfPage = { record: EsfRecord | null, draft: EsfDraft, prefilled: Array<string>, };

/**
 * Time given back to the community, as the form has it.
 */
export type CommunityForm = { 
/**
 * `gg/mm/aaaa`; blank: today.
 */
on: string, 
/**
 * `2`, `1,5`, `1:30`.
 */
hours: string, what: string, };

/**
 * Which document: the enrolment form of an enrolment, a course's register, a case's plan.
 */
export type DocumentKind = "enrolment" | "register" | "plan" | "agreement";

/**
 * Which cases the list shows.
 */
export type CaseListFilter = { 
/**
 * Only the cases the signed-in operator follows (as tutor or in the team).
 */
mine: boolean, 
/**
 * Closed cases too.
 */
closed: boolean, };

/**
 * What the export screen sends: the month (`AAAA-MM`), the project's first day (blank: the first
 * on record), what goes in, and the coordinator's notes for the report.
 */
export type BundleForm = { month: string, since: string, include: Include, note: string, };

/**
 * The bundle's settings on this desk: the Comune's keys and this desk's signing key.
 */
export type BundleSettings = { 
/**
 * The Comune's age public keys, one per line (blank: none yet).
 */
recipients: string, 
/**
 * The fingerprint of the key that signs this desk's bundles (none before the first one).
 */
signing_key: string | null, 
/**
 * The month to propose: the one before today's.
 */
last_month: string, };
