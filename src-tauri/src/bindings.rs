//! The TypeScript declarations of every type the UI sends or receives, generated from the Rust
//! types with ts-rs into `ui/src/lib/bindings.ts`. The test `tests/bindings.rs` fails when the
//! committed file differs from what the types say now; `cargo xtask bindings` rewrites it.

use quartiere_core::{
    access, accounts, activities, arrears, audit, backup, bundle, cases, codes, desk, error, ids, import, indicators,
    privacy, project, registry, search, sync, training,
};
use ts_rs::{Config, TS};

use crate::commands;

/// Where the generated file lives, relative to the workspace root.
pub const PATH: &str = "ui/src/lib/bindings.ts";

struct Decl {
    name: String,
    text: String,
    needs: Vec<String>,
}

fn decl<T: TS + 'static>(cfg: &Config) -> Decl {
    let needs = T::dependencies(cfg).into_iter().map(|d| d.ts_name).collect();
    let docs = T::docs().map(|d| format!("{}\n", d.trim_end())).unwrap_or_default();
    Decl { name: T::name(cfg), text: format!("{docs}export {}", T::decl(cfg)), needs }
}

macro_rules! decls {
    ($cfg:expr; $($t:ty),* $(,)?) => { vec![$(decl::<$t>($cfg)),*] };
}

/// The whole file. Panics, naming it, if a listed type refers to one that is not listed.
pub fn typescript() -> String {
    // Counts and row numbers are far below 2^53: plain numbers, not bigint.
    let cfg = &Config::new().with_large_int("number");
    let decls = decls![cfg;
        // Ids: UUID v7 strings.
        ids::PersonId, ids::HouseholdId, ids::DwellingId, ids::MembershipId, ids::PartnerId,
        ids::DeskContactId, ids::NoteId, ids::OperatorId,
        // Coded lists: the stable codes.
        codes::Relationship, codes::LabourStatus, codes::Isced, codes::EsfAnswer, codes::Channel, codes::Topic,
        codes::PartnerKind,
        // What the core returns.
        error::FieldError, error::ErrorKind, error::RefusalKind, registry::Overview, registry::EsfFields, registry::Person, registry::DwellingInput,
        registry::Dwelling, registry::Membership, registry::PersonHousehold, registry::Member, registry::HouseholdDetail,
        registry::HouseholdSummary, search::HitKind, search::SearchHit, desk::ReferralView,
        desk::DeskContactView, desk::NoteVersion, desk::Note, import::RowError, import::ImportReport, import::Question, registry::identity::Doubt, registry::identity::Candidate, registry::duplicates::Sign, registry::duplicates::PairSide, registry::duplicates::DuplicatePair, registry::duplicates::MergeView,
        import::ImportPhase, import::ImportProgress, ids::DeskId, sync::SyncProgress, sync::RefusedFile,
        sync::SyncReport, sync::DeskStatus, sync::SyncStatus, sync::EnrolOutcome, sync::ConflictView,
        sync::ConflictChoice, access::Role, accounts::OperatorView, audit::AuditKind, audit::AuditEntry,
        audit::ChainProblem, audit::ChainReport, backup::BackupReason, backup::BackupInfo,
        privacy::ConsentKind, privacy::ErasureMode, privacy::ConsentView, privacy::ErasureOutcome, privacy::AccessFiles,
        privacy::RetentionFlag,
        ids::ActivityId, ids::SheetId, codes::ActivityKind, codes::Axis, activities::ActivitySummary, activities::Participant,
        activities::ActivityDetail, activities::AttendanceCount, activities::ActivityCounts,
        commands::activities::ActivityForm, commands::activities::InviteForm, commands::activities::SheetFile,
        commands::activities::SheetAction, commands::activities::SheetView, commands::activities::AttendanceForm,
        codes::MinuteKind, activities::MinuteItem, activities::FollowUpDue, commands::activities::MinuteForm, activities::ScanInfo, activities::PersonActivity,
        ids::CourseId, ids::EnrolmentId, codes::CourseKind, training::TrainingCounts, training::CourseSummary, training::EnrolmentLine,
        training::CourseDraft, training::CourseDetail, training::PersonCourse, training::Enrolled, training::SessionLine, training::EsfDraft, training::ExitDraft, training::esf::EsfRecord, training::esf::CheckDue, training::placements::PlacementDraft, training::placements::PlacementView,
        training::placements::CommunityHoursView, training::placements::WorkPath,
        ids::EsfRecordId, codes::AgeBand, codes::ExitReason, codes::ResultAtExit, codes::ResultAt6m,
        ids::CaseId, ids::GoalId, ids::ReferralId, codes::GoalStatus, codes::ReferralState, codes::CaseOutcome,
        cases::CaseSummary, cases::GoalView, cases::CaseMember, cases::CaseReferral, cases::HistoryEntry,
        cases::CaseDetail, cases::GoalDue, cases::CaseDraft, cases::GoalDraft, cases::ReferralDraft, cases::CloseDraft,
        ids::PlanId, ids::AssessmentId, codes::NoFaultCause, codes::PlanStatus, codes::InstalmentState,
        arrears::TermsRow, arrears::InstalmentRow, arrears::PaymentPart, arrears::PaymentRow, arrears::AssessmentRow,
        arrears::PlanView, arrears::PlanRow, arrears::MonthRow, arrears::CreditRow, arrears::DebtPoint, arrears::AccountView,
        arrears::DueInstalment, arrears::DueInstalments, arrears::ProjectPoint, arrears::Monitoring, arrears::statement::StatementReport,
        arrears::draft::AssessmentDraft, arrears::draft::PlanDraft, arrears::draft::TermsDraft, arrears::draft::PaymentDraft,
        arrears::draft::MonthDraft,
        codes::IndicatorCode, codes::ActionStatus, ids::PlanActionId, indicators::Unit, indicators::Subject, indicators::Period,
        indicators::MonthValue, indicators::Indicator, indicators::Dashboard, indicators::RecordLine, indicators::Target,
        indicators::TargetDraft, indicators::esf::EsfRow, indicators::esf::EsfBreakdown, bundle::Include, bundle::FrontierLine,
        bundle::TablePreview, bundle::Preview, bundle::Exported, project::ActionDraft, project::ActionInput,
        project::LinkedActivity, project::LinkedCase, project::ActionView, project::AxisTotals, project::ProjectPlan,
        // The shell's own wire types.
        commands::UiError, commands::UiErrorKind, commands::ShellErrorKind, commands::home::Home, commands::registry::HouseholdView, commands::registry::DwellingForm, commands::registry::PersonForm, commands::registry::PersonCheck, commands::registry::CodeFacts,
        commands::registry::MembershipForm, commands::desk::ContactForm, commands::desk::ContactFilterForm, commands::settings::Settings,
        commands::settings::Choice, commands::settings::Choices, commands::accounts::Me, commands::accounts::Door, commands::audit::AuditFilterForm,
        commands::audit::AuditExport, commands::privacy::ConsentForm, commands::import::DecisionWire, commands::registry::PersonPage,
        commands::training::NextInLine, commands::training::SessionForm, commands::training::EsfPage, commands::training::CommunityForm, commands::documents::DocumentKind, commands::cases::CaseListFilter,
        commands::project::BundleForm, commands::project::BundleSettings,
    ];
    let known: Vec<&str> = decls.iter().map(|d| d.name.as_str()).collect();
    let mut out = String::from(
        "// Generated from the Rust types by `cargo xtask bindings` (src-tauri/src/bindings.rs). Do not edit:\n\
         // the test src-tauri/tests/bindings.rs fails when this file and the Rust types disagree.\n",
    );
    for d in &decls {
        for need in &d.needs {
            assert!(known.contains(&need.as_str()), "{} refers to {need}, which bindings.rs does not list", d.name);
        }
        out.push('\n');
        out.push_str(&d.text);
        out.push('\n');
    }
    out
}
