//! The desk's settings and the coded lists the forms choose from.

use quartiere_core::access::{self, Action, Role};
use quartiere_core::accounts::{self};
use quartiere_core::codes::{
    ActivityKind, Axis, CaseOutcome, Channel, EsfAnswer, ExitReason, GoalStatus, Isced, LabourStatus, MinuteKind,
    ReferralState, Relationship, ResultAt6m, ResultAtExit, Topic,
};
use quartiere_core::ids::{OperatorId, PartnerId};
use quartiere_core::registry::{self};
use quartiere_core::FieldError;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::{invalid, with_session, UiResult};
use crate::AppState;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, TS)]
pub struct Settings {
    /// The desk's name (only a coordinator changes it).
    pub desk: String,
    /// `it` or `en`.
    pub language: String,
    /// The lapse rule new repayment plans get at this desk (`consecutive:3`, `with_charges:2`);
    /// a plan keeps the rule it was signed with. Only who writes arrears changes it; blank: as it is.
    #[serde(default)]
    pub lapse_rule: String,
}

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> UiResult<Settings> {
    with_session(&state, |s| {
        Ok(Settings {
            desk: registry::desk_name(s.store.conn(), s.actor.desk)?,
            language: s.store.local_setting("language")?.unwrap_or_else(|| "it".into()),
            lapse_rule: quartiere_core::arrears::default_lapse_rule(
                s.store.local_setting(quartiere_core::arrears::LAPSE_RULE_SETTING)?.as_deref(),
            )
            .code(),
        })
    })
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> UiResult<Settings> {
    if !matches!(settings.language.as_str(), "it" | "en") {
        return Err(invalid(vec![FieldError::new("lingua", "scegli italiano o inglese")]));
    }
    let rule = match settings.lapse_rule.trim() {
        "" => None,
        code => match quartiere_core::arrears::schedule::LapseRule::from_code(code) {
            Some(rule) => Some(rule),
            None => {
                return Err(invalid(vec![FieldError::new("decadenza", "scegli una regola di decadenza dall'elenco")]))
            }
        },
    };
    with_session(&state, |s| {
        let current_rule = quartiere_core::arrears::default_lapse_rule(
            s.store.local_setting(quartiere_core::arrears::LAPSE_RULE_SETTING)?.as_deref(),
        );
        let rule = rule.unwrap_or(current_rule);
        if rule != current_rule {
            access::check(s.role, Action::RecordArrears)?;
        }
        // The desk's name is checked (and its change allowed) before anything is stored, so a
        // refused change leaves the settings as they were.
        let current = registry::desk_name(s.store.conn(), s.actor.desk)?;
        if settings.desk.trim() != current {
            let actor = s.actor;
            accounts::rename_desk(&mut s.store, &actor, &settings.desk)?;
        }
        s.store.set_local_setting("language", &settings.language)?;
        if rule != current_rule {
            s.store.set_local_setting(quartiere_core::arrears::LAPSE_RULE_SETTING, &rule.code())?;
        }
        Ok(())
    })?;
    Ok(settings)
}

/// The coded lists the forms offer, with Italian and English labels.
#[derive(Debug, Serialize, TS)]
pub struct Choice {
    pub code: &'static str,
    pub it: &'static str,
    pub en: &'static str,
}

#[derive(Debug, Serialize, TS)]
pub struct Choices {
    pub relationships: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub topics: Vec<Choice>,
    pub labour_statuses: Vec<Choice>,
    pub isced: Vec<Choice>,
    pub esf_answers: Vec<Choice>,
    pub activity_kinds: Vec<Choice>,
    pub axes: Vec<Choice>,
    pub minute_kinds: Vec<Choice>,
    pub partners: Vec<(PartnerId, String)>,
    pub goal_statuses: Vec<Choice>,
    pub referral_states: Vec<Choice>,
    pub case_outcomes: Vec<Choice>,
    pub exit_reasons: Vec<Choice>,
    pub results_exit: Vec<Choice>,
    pub results_6m: Vec<Choice>,
    pub no_fault_causes: Vec<Choice>,
    pub plan_statuses: Vec<Choice>,
    pub instalment_states: Vec<Choice>,
    pub action_statuses: Vec<Choice>,
    pub indicators: Vec<Choice>,
    /// The team: every active operator, and who may follow a case as its tutor.
    pub operators: Vec<(OperatorId, String)>,
    pub tutors: Vec<(OperatorId, String)>,
}

macro_rules! choices {
    ($t:ty) => {
        <$t>::ALL.iter().map(|v| Choice { code: v.code(), it: v.label_it(), en: v.label_en() }).collect()
    };
}

#[tauri::command]
pub async fn choices(state: State<'_, AppState>) -> UiResult<Choices> {
    let (partners, team) = with_session(&state, |s| {
        let partners = if access::allows(s.role, Action::ReadRegistry) {
            registry::list_partners(s.store.conn(), &s.actor)?
        } else {
            Vec::new()
        };
        Ok((partners, accounts::team(&s.store)?))
    })?;
    Ok(Choices {
        relationships: choices!(Relationship),
        channels: choices!(Channel),
        topics: choices!(Topic),
        labour_statuses: choices!(LabourStatus),
        isced: choices!(Isced),
        esf_answers: choices!(EsfAnswer),
        activity_kinds: choices!(ActivityKind),
        axes: choices!(Axis),
        minute_kinds: choices!(MinuteKind),
        partners: partners.into_iter().map(|p| (p.id, p.fields.name)).collect(),
        goal_statuses: choices!(GoalStatus),
        referral_states: choices!(ReferralState),
        case_outcomes: choices!(CaseOutcome),
        exit_reasons: choices!(ExitReason),
        results_exit: choices!(ResultAtExit),
        results_6m: choices!(ResultAt6m),
        no_fault_causes: choices!(quartiere_core::codes::NoFaultCause),
        plan_statuses: choices!(quartiere_core::codes::PlanStatus),
        instalment_states: choices!(quartiere_core::codes::InstalmentState),
        action_statuses: choices!(quartiere_core::codes::ActionStatus),
        indicators: choices!(quartiere_core::codes::IndicatorCode),
        tutors: team
            .iter()
            .filter(|(_, _, role)| matches!(role, Role::Tutor | Role::Coordinator))
            .map(|(id, name, _)| (*id, name.clone()))
            .collect(),
        operators: team.into_iter().map(|(id, name, _)| (id, name)).collect(),
    })
}
