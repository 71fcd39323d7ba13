//! The synced tables, their columns, and the migrations that create them.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Migrations in order; the database's `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_access.sql"),
    include_str!("../migrations/0004_audit.sql"),
    include_str!("../migrations/0005_rights.sql"),
    include_str!("../migrations/0006_base.sql"),
    include_str!("../migrations/0007_search_index.sql"),
    include_str!("../migrations/0008_refusal_kind.sql"),
    include_str!("../migrations/0009_relationship_text.sql"),
    include_str!("../migrations/0010_identity_decision.sql"),
    include_str!("../migrations/0011_activities.sql"),
    include_str!("../migrations/0012_minutes.sql"),
    include_str!("../migrations/0013_scans.sql"),
    include_str!("../migrations/0014_training.sql"),
    include_str!("../migrations/0015_cases.sql"),
    include_str!("../migrations/0016_placements.sql"),
    include_str!("../migrations/0017_arrears.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The last migration that changed a synced table: the schema version sync files carry. Later
/// migrations touch only this desk's own tables, so desks a version apart still read each other.
pub const SYNCED_SCHEMA: i64 = 17;

/// The synced tables, in an order where every table comes after the tables it references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Desk,
    Operator,
    Dwelling,
    Household,
    Person,
    Membership,
    Partner,
    PartnerContact,
    DeskContact,
    DeskContactTopic,
    CaseFile,
    CaseOperator,
    CaseGoal,
    Referral,
    Note,
    Consent,
    PrivacyRequest,
    IdentityDecision,
    Course,
    Enrolment,
    EsfParticipant,
    Activity,
    ActivityOperator,
    ActivityPartner,
    Invitation,
    AttendanceSheet,
    Attendance,
    MinuteItem,
    SheetScan,
    Placement,
    CommunityHours,
    AccountPeriod,
    ArrearsAssessment,
    RepaymentPlan,
    PlanTerms,
    PlanPayment,
    SolidarityCredit,
    AuditEvent,
}

/// The ESF participant record's columns: the entry data first (the first [`ESF_ENTRY_COLUMNS`],
/// fixed once written), then what is added later (exit, results, who recorded it).
const ESF_PARTICIPANT_COLUMNS: [&str; 22] = [
    "person_id",
    "entry_on",
    "sex",
    "birth_date",
    "age_band",
    "labour_status",
    "unemployed_months",
    "isced",
    "migrant",
    "disability",
    "other_disadvantage",
    "homeless",
    "rural",
    "notice_version",
    "notice_on",
    "exit_on",
    "exit_reason",
    "result_exit",
    "result_6m",
    "checked_6m_on",
    "recorded_by",
    "deleted",
];
const ESF_ENTRY_COLUMNS: usize = 15;

impl Table {
    pub const ALL: [Table; 38] = [
        Table::Desk,
        Table::Operator,
        Table::Dwelling,
        Table::Household,
        Table::Person,
        Table::Membership,
        Table::Partner,
        Table::PartnerContact,
        Table::DeskContact,
        Table::DeskContactTopic,
        Table::CaseFile,
        Table::CaseOperator,
        Table::CaseGoal,
        Table::Referral,
        Table::Note,
        Table::Consent,
        Table::PrivacyRequest,
        Table::IdentityDecision,
        Table::Course,
        Table::Enrolment,
        Table::EsfParticipant,
        Table::Activity,
        Table::ActivityOperator,
        Table::ActivityPartner,
        Table::Invitation,
        Table::AttendanceSheet,
        Table::Attendance,
        Table::MinuteItem,
        Table::SheetScan,
        Table::Placement,
        Table::CommunityHours,
        Table::AccountPeriod,
        Table::ArrearsAssessment,
        Table::RepaymentPlan,
        Table::PlanTerms,
        Table::PlanPayment,
        Table::SolidarityCredit,
        Table::AuditEvent,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Desk => "desk",
            Table::Operator => "operator",
            Table::Dwelling => "dwelling",
            Table::Household => "household",
            Table::Person => "person",
            Table::Membership => "membership",
            Table::Partner => "partner",
            Table::PartnerContact => "partner_contact",
            Table::DeskContact => "desk_contact",
            Table::DeskContactTopic => "desk_contact_topic",
            Table::CaseFile => "case_file",
            Table::CaseOperator => "case_operator",
            Table::CaseGoal => "case_goal",
            Table::Referral => "referral",
            Table::Note => "note",
            Table::Consent => "consent",
            Table::PrivacyRequest => "privacy_request",
            Table::IdentityDecision => "identity_decision",
            Table::Course => "course",
            Table::Enrolment => "enrolment",
            Table::EsfParticipant => "esf_participant",
            Table::Activity => "activity",
            Table::ActivityOperator => "activity_operator",
            Table::ActivityPartner => "activity_partner",
            Table::Invitation => "invitation",
            Table::AttendanceSheet => "attendance_sheet",
            Table::Attendance => "attendance",
            Table::MinuteItem => "minute_item",
            Table::SheetScan => "sheet_scan",
            Table::Placement => "placement",
            Table::CommunityHours => "community_hours",
            Table::AccountPeriod => "account_period",
            Table::ArrearsAssessment => "arrears_assessment",
            Table::RepaymentPlan => "repayment_plan",
            Table::PlanTerms => "plan_terms",
            Table::PlanPayment => "plan_payment",
            Table::SolidarityCredit => "solidarity_credit",
            Table::AuditEvent => "audit_event",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every column but `id`. A change naming any other column is refused.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Desk => &["name", "deleted"],
            Table::Operator => &["name", "deleted", "role"],
            Table::Dwelling => {
                &["code", "street", "civic", "scala", "piano", "interno", "cap", "comune", "provincia", "deleted"]
            }
            Table::Household => &["dwelling_id", "formed_on", "dissolved_on", "deleted"],
            Table::Person => &[
                "surname",
                "name",
                "sex",
                "birth_date",
                "birth_place",
                "codice_fiscale",
                "citizenship",
                "phone",
                "email",
                "esf_labour_status",
                "esf_isced",
                "esf_migrant",
                "esf_disability",
                "esf_other_disadvantage",
                "esf_homeless",
                "esf_rural",
                "created_at",
                "deleted",
                "erased_on",
            ],
            Table::Membership => &[
                "household_id",
                "person_id",
                "relationship",
                "resident_since",
                "left_on",
                "tenant_of_record",
                "deleted",
                "relationship_text",
            ],
            Table::Partner => &["name", "kind", "address", "phone", "email", "deleted"],
            Table::PartnerContact => &["partner_id", "name", "role", "phone", "email", "deleted"],
            Table::DeskContact => &[
                "occurred_at",
                "operator_id",
                "person_id",
                "household_id",
                "channel",
                "follow_up_on",
                "follow_up_done_on",
                "deleted",
            ],
            Table::DeskContactTopic => &["contact_id", "topic", "deleted"],
            Table::Referral => &[
                "contact_id",
                "partner_id",
                "servizio_sociale",
                "reason",
                "referred_on",
                "deleted",
                "case_id",
                "state",
                "state_on",
                "shares_data",
                "consent_id",
                "recorded_by",
            ],
            Table::CaseFile => &[
                "person_id",
                "household_id",
                "axis",
                "opened_on",
                "contact_id",
                "tutor_id",
                "servizio_sociale",
                "reason",
                "closed_on",
                "outcome",
                "outcome_note",
                "opened_by",
                "deleted",
            ],
            Table::CaseOperator => &["case_id", "operator_id", "role", "deleted"],
            Table::CaseGoal => &[
                "case_id",
                "parent_id",
                "title",
                "owner",
                "due_on",
                "status",
                "done_on",
                "position",
                "written_by",
                "deleted",
            ],
            Table::Note => {
                &["subject_table", "subject_id", "body", "supersedes_id", "written_at", "operator_id", "deleted"]
            }
            Table::Consent => &["person_id", "kind", "version", "given_on", "withdrawn_on", "deleted"],
            Table::PrivacyRequest => {
                &["person_id", "kind", "received_on", "outcome", "reason", "handled_on", "deleted"]
            }
            Table::IdentityDecision => &[
                "kind",
                "kept_id",
                "other_id",
                "reason",
                "moved",
                "filled",
                "decided_at",
                "decided_by",
                "undone_at",
                "undone_by",
                "deleted",
            ],
            Table::Activity => &[
                "kind",
                "axis",
                "title",
                "held_on",
                "starts_at",
                "ends_at",
                "venue",
                "topic",
                "series_id",
                "created_by",
                "deleted",
                "course_id",
            ],
            Table::Course => &[
                "kind",
                "title",
                "provider_id",
                "starts_on",
                "ends_on",
                "hours",
                "places",
                "venue",
                "created_by",
                "deleted",
            ],
            Table::Enrolment => &[
                "course_id",
                "person_id",
                "state",
                "requested_at",
                "queue_key",
                "moved_reason",
                "admitted_on",
                "left_on",
                "left_reason",
                "recorded_by",
                "deleted",
            ],
            Table::EsfParticipant => &ESF_PARTICIPANT_COLUMNS,
            Table::ActivityOperator => &["activity_id", "operator_id", "deleted"],
            Table::ActivityPartner => &["activity_id", "partner_id", "deleted"],
            Table::Invitation => &["activity_id", "person_id", "via", "deleted"],
            Table::AttendanceSheet => &["activity_id", "printed_at", "printed_by", "people", "deleted"],
            Table::Attendance => &[
                "activity_id",
                "person_id",
                "present",
                "walk_in",
                "minutes",
                "sheet_id",
                "recorded_at",
                "recorded_by",
                "deleted",
            ],
            Table::MinuteItem => &[
                "activity_id",
                "kind",
                "body",
                "owner",
                "due_on",
                "done_on",
                "done_by",
                "position",
                "written_by",
                "deleted",
            ],
            Table::SheetScan => &[
                "sheet_id",
                "file_name",
                "mime",
                "bytes",
                "sha256",
                "desk_id",
                "attached_at",
                "attached_by",
                "deleted",
            ],
            Table::Placement => &[
                "person_id",
                "host_id",
                "host_name",
                "role",
                "starts_on",
                "ends_on",
                "weekly_hours",
                "outcome",
                "recorded_by",
                "deleted",
            ],
            Table::CommunityHours => {
                &["person_id", "given_on", "minutes", "description", "activity_id", "recorded_by", "deleted"]
            }
            Table::AccountPeriod => &[
                "household_id",
                "dwelling_id",
                "period",
                "rent_billed",
                "charges_billed",
                "rent_paid",
                "charges_paid",
                "source",
                "recorded_by",
                "deleted",
            ],
            Table::ArrearsAssessment => &[
                "household_id",
                "case_id",
                "cause",
                "event_on",
                "evidence",
                "ss_confirmed",
                "ss_confirmed_on",
                "recorded_by",
                "deleted",
            ],
            Table::RepaymentPlan => &[
                "household_id",
                "assessment_id",
                "signed_on",
                "signatories",
                "rent_debt",
                "charges_debt",
                "frequency_months",
                "lapse_rule",
                "monthly_income",
                "over_income_confirmed",
                "closed_on",
                "close_reason",
                "recorded_by",
                "deleted",
            ],
            Table::PlanTerms => &[
                "plan_id",
                "position",
                "effective_on",
                "total",
                "count",
                "instalment",
                "anchor_on",
                "anchor_index",
                "first_index",
                "reason",
                "recorded_by",
                "deleted",
            ],
            Table::PlanPayment => &["plan_id", "paid_on", "amount", "note", "recorded_by", "deleted"],
            Table::SolidarityCredit => {
                &["household_id", "plan_id", "granted_on", "amount", "note", "recorded_by", "deleted"]
            }
            Table::AuditEvent => &[
                "desk_id",
                "seq",
                "at",
                "operator_id",
                "kind",
                "subject_table",
                "subject_id",
                "detail",
                "batch",
                "digest",
                "prev_hash",
                "hash",
                "deleted",
            ],
        }
    }

    /// Columns fixed once they hold a value: the write path refuses to change them (erasing one,
    /// to null, stays possible). The ESF participant's entry data are reported as they were at entry.
    pub fn fixed_columns(self) -> &'static [&'static str] {
        match self {
            Table::EsfParticipant => &ESF_PARTICIPANT_COLUMNS[..ESF_ENTRY_COLUMNS],
            _ => &[],
        }
    }

    pub fn has_column(self, column: &str) -> bool {
        self.columns().contains(&column)
    }

    /// The table's own name for `column`, if it has it.
    pub fn column(self, column: &str) -> Option<&'static str> {
        self.columns().iter().find(|c| **c == column).copied()
    }
}

/// Brings the database to [`SCHEMA_VERSION`], each migration in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew { found, known: SCHEMA_VERSION });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The table's name in Italian, for messages (`persona «0193…»: non c'è nell'archivio`).
pub fn table_label(table: Table) -> &'static str {
    match table {
        Table::Desk => "postazione",
        Table::Operator => "operatore",
        Table::Dwelling => "alloggio",
        Table::Household => "nucleo",
        Table::Person => "persona",
        Table::Membership => "appartenenza al nucleo",
        Table::Partner => "partner",
        Table::PartnerContact => "referente del partner",
        Table::DeskContact => "contatto allo sportello",
        Table::DeskContactTopic => "tema del contatto",
        Table::CaseFile => "presa in carico",
        Table::CaseOperator => "operatore della presa in carico",
        Table::CaseGoal => "obiettivo o passo del piano",
        Table::Referral => "invio",
        Table::Note => "nota",
        Table::Consent => "informativa o consenso",
        Table::PrivacyRequest => "richiesta dell'interessato",
        Table::IdentityDecision => "decisione su due schede della stessa persona",
        Table::Course => "corso o percorso",
        Table::Enrolment => "iscrizione",
        Table::EsfParticipant => "scheda FSE del partecipante",
        Table::Activity => "attività",
        Table::ActivityOperator => "operatore dell'attività",
        Table::ActivityPartner => "partner dell'attività",
        Table::Invitation => "invito",
        Table::AttendanceSheet => "foglio presenze",
        Table::Attendance => "presenza",
        Table::MinuteItem => "punto del verbale",
        Table::SheetScan => "scansione del foglio presenze",
        Table::Placement => "tirocinio",
        Table::CommunityHours => "ore di restituzione alla comunità",
        Table::AccountPeriod => "mese dell'estratto conto",
        Table::ArrearsAssessment => "valutazione della morosità incolpevole",
        Table::RepaymentPlan => "piano di rientro",
        Table::PlanTerms => "condizioni del piano di rientro",
        Table::PlanPayment => "pagamento del piano di rientro",
        Table::SolidarityCredit => "contributo regionale di solidarietà",
        Table::AuditEvent => "evento del registro degli accessi",
    }
}
