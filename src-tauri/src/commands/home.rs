//! Home, the global search, and the startup probe.

use chrono::NaiveDate;
use quartiere_core::access::{self, Action};
use quartiere_core::activities::{self, ActivityCounts, ActivitySummary, FollowUpDue};
use quartiere_core::cases::{self, GoalDue};
use quartiere_core::desk::{self, ContactFilter, DeskContactView};
use quartiere_core::registry::{self, Overview};
use quartiere_core::search::{self, Scope, SearchHit};
use quartiere_core::training::{self, TrainingCounts};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::{today, with_session, UiResult};
use crate::AppState;

#[derive(Debug, Serialize, TS)]
pub struct Home {
    pub today: NaiveDate,
    pub counts: Overview,
    /// The follow-ups due, today's first then the longest overdue: the first [`HOME_FOLLOW_UPS`].
    pub follow_ups_due: Vec<DeskContactView>,
    /// How many are due in all (the Sportello screen lists every one).
    pub follow_ups_due_total: u32,
    pub recent_contacts: Vec<DeskContactView>,
    /// Events and assemblies held in the last six months (the seed's counts), for every role.
    pub activities: ActivityCounts,
    /// Since when `activities` counts.
    pub activities_since: NaiveDate,
    /// The activities of the next two weeks, for roles that read them.
    pub upcoming: Vec<ActivitySummary>,
    /// Follow-ups of assemblies' minutes due today or overdue, for roles that read activities.
    pub minutes_due: Vec<FollowUpDue>,
    /// People in training and job-search paths, and waiting (the seed's headline), for every role.
    pub training: TrainingCounts,
    /// The seed's target for `training.participants`.
    pub training_target: u32,
    /// Goals and steps of open cases due today or overdue, the longest overdue first (the first
    /// [`HOME_FOLLOW_UPS`]), for roles that read cases; and how many in all.
    pub goals_due: Vec<GoalDue>,
    pub goals_due_total: u32,
    /// ESF six-month checks due within two weeks or overdue, for roles that read training.
    pub esf_checks_due: Vec<training::esf::CheckDue>,
    /// Repayment plans' instalments due this week and overdue, for roles that read arrears.
    pub arrears: Option<quartiere_core::arrears::DueInstalments>,
    /// Actions of the project plan past their due date, the longest late first, for roles that
    /// read the plan.
    pub late_actions: Vec<quartiere_core::project::ActionView>,
}

/// How many follow-ups Home lists; the rest are counted and listed on the Sportello screen.
pub const HOME_FOLLOW_UPS: usize = 50;

#[tauri::command]
pub async fn overview(state: State<'_, AppState>) -> UiResult<Overview> {
    with_session(&state, |s| registry::overview(s.store.conn(), &s.actor))
}

#[tauri::command]
pub async fn home(state: State<'_, AppState>) -> UiResult<Home> {
    let today = today();
    with_session(&state, |s| {
        let actor = s.actor;
        // Roles that do not read the desk log (AFOL, arrears, Comune) see the counts only.
        let desk_log = access::allows(s.role, Action::ReadDesk);
        let mut contacts = |filter: ContactFilter| -> quartiere_core::Result<Vec<DeskContactView>> {
            if desk_log {
                desk::list_contacts(&mut s.store, &actor, &filter)
            } else {
                Ok(Vec::new())
            }
        };
        let follow_ups_due = contacts(ContactFilter {
            follow_up_due_by: Some(today),
            limit: Some(HOME_FOLLOW_UPS),
            ..Default::default()
        })?;
        let recent_contacts = contacts(ContactFilter { limit: Some(10), ..Default::default() })?;
        let follow_ups_due_total = if desk_log { desk::follow_ups_due_count(&s.store, &actor, today)? } else { 0 };
        let since = today.checked_sub_months(chrono::Months::new(6)).unwrap_or(today);
        let (upcoming, minutes_due) = if access::allows(s.role, Action::ReadActivities) {
            (
                activities::list(&s.store, &actor, Some(today), today.checked_add_days(chrono::Days::new(14)))?,
                activities::follow_ups_due(&s.store, &actor, today)?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let (goals_due, goals_due_total) = if access::allows(s.role, Action::ReadCases) {
            (
                cases::goals_due(&mut s.store, &actor, today, HOME_FOLLOW_UPS)?,
                cases::goals_due_count(&s.store, &actor, today)?,
            )
        } else {
            (Vec::new(), 0)
        };
        let esf_checks_due = if access::allows(s.role, Action::ReadTraining) {
            training::esf::checks_due(&s.store, &actor, today, 14)?
        } else {
            Vec::new()
        };
        let arrears = if access::allows(s.role, Action::ReadArrears) {
            Some(quartiere_core::arrears::due_instalments(&mut s.store, &actor, today)?)
        } else {
            None
        };
        let late_actions = if access::allows(s.role, Action::ReadActivities) {
            quartiere_core::project::late_actions(&s.store, &actor, today)?
        } else {
            Vec::new()
        };
        Ok(Home {
            today,
            late_actions,
            counts: registry::overview(s.store.conn(), &actor)?,
            follow_ups_due,
            follow_ups_due_total,
            recent_contacts,
            activities: activities::counts(&s.store, &actor, since, today)?,
            activities_since: since,
            upcoming,
            minutes_due,
            training: training::counts(&s.store, &actor, today)?,
            training_target: training::PARTICIPANTS_TARGET,
            goals_due,
            goals_due_total,
            esf_checks_due,
            arrears,
        })
    })
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String, scope: Option<String>) -> UiResult<Vec<SearchHit>> {
    let scope = match scope.as_deref() {
        Some("people") => Scope::PEOPLE,
        Some("households") => Scope::HOUSEHOLDS,
        _ => Scope::ALL,
    };
    with_session(&state, |s| search::search(s.store.conn(), &s.actor, &query, scope, 20))
}

/// The environment variable the startup benchmark sets to hear when the first screen is up.
pub const STARTUP_PROBE: &str = "QUARTIERE_STARTUP_PROBE";

/// The UI calls this once, when its first screen is painted with its data; `page_ms` is how long
/// that took since the page began loading. It does nothing unless [`STARTUP_PROBE`] is set, in
/// which case it prints `ready PAGE_MS` on stdout, after `marks NAME=MS...`: when each step of the
/// start happened (script run, window mounted, door asked and answered, screen painting, first frame).
#[tauri::command]
pub async fn ready(page_ms: f64, marks: Option<String>) {
    if std::env::var_os(STARTUP_PROBE).is_some() {
        use std::io::Write;
        let mut out = std::io::stdout();
        if let Some(marks) = marks {
            let _ = writeln!(out, "marks {marks}");
        }
        let _ = writeln!(out, "ready {page_ms:.0}");
        let _ = out.flush();
    }
}
