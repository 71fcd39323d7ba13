//! Prese in carico: the tutor's list, a case with its plan, team, referrals, notes and history;
//! opening one (from a person's page or a desk contact), goals, referrals, closing.

use quartiere_core::cases::{
    self, CaseDetail, CaseDraft, CaseFilter, CaseSummary, CloseDraft, GoalDraft, ReferralDraft,
};
use quartiere_core::codes::{GoalStatus, ReferralState};
use quartiere_core::ids::{CaseId, GoalId, OperatorId, PersonId, ReferralId};
use quartiere_core::FieldError;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::{invalid, parse_id, today, with_session, write, UiResult};
use crate::AppState;

/// Which cases the list shows.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct CaseListFilter {
    /// Only the cases the signed-in operator follows (as tutor or in the team).
    pub mine: bool,
    /// Closed cases too.
    pub closed: bool,
}

#[tauri::command]
pub async fn cases(state: State<'_, AppState>, filter: CaseListFilter) -> UiResult<Vec<CaseSummary>> {
    with_session(&state, |s| {
        let actor = s.actor;
        let filter = CaseFilter {
            operator: filter.mine.then_some(actor.operator),
            open_only: !filter.closed,
            ..Default::default()
        };
        cases::cases(&mut s.store, &actor, &filter, today())
    })
}

#[tauri::command]
pub async fn case(state: State<'_, AppState>, id: String) -> UiResult<CaseDetail> {
    let id = CaseId(parse_id("presa in carico", &id)?);
    with_session(&state, |s| {
        let actor = s.actor;
        cases::case(&mut s.store, &actor, id, today())
    })
}

#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, draft: CaseDraft) -> UiResult<CaseId> {
    let input = draft.parse(today())?;
    write(&state, |w| cases::open_case(w, &input))
}

#[tauri::command]
pub async fn add_goal(state: State<'_, AppState>, case: String, draft: GoalDraft) -> UiResult<GoalId> {
    let case = CaseId(parse_id("presa in carico", &case)?);
    let input = draft.parse(today())?;
    write(&state, |w| cases::add_goal(w, case, &input))
}

fn code<T>(field: &str, text: &str, parse: fn(&str) -> Option<T>) -> UiResult<T> {
    parse(text.trim()).ok_or_else(|| invalid(vec![FieldError::new(field, format!("valore non previsto: «{text}»"))]))
}

#[tauri::command]
pub async fn set_goal_status(state: State<'_, AppState>, goal: String, status: String) -> UiResult<()> {
    let goal = GoalId(parse_id("obiettivo", &goal)?);
    let status = code("stato", &status, GoalStatus::from_code)?;
    write(&state, |w| cases::set_goal_status(w, goal, status, today()))
}

#[tauri::command]
pub async fn refer(state: State<'_, AppState>, case: String, draft: ReferralDraft) -> UiResult<ReferralId> {
    let case = CaseId(parse_id("presa in carico", &case)?);
    let input = draft.parse(today())?;
    write(&state, |w| cases::refer(w, case, &input))
}

#[tauri::command]
pub async fn set_referral_state(state: State<'_, AppState>, referral: String, to: String) -> UiResult<()> {
    let referral = ReferralId(parse_id("invio", &referral)?);
    let to = code("stato", &to, ReferralState::from_code)?;
    write(&state, |w| cases::set_referral_state(w, referral, to, today()))
}

#[tauri::command]
pub async fn add_case_member(state: State<'_, AppState>, case: String, operator: String, role: String) -> UiResult<()> {
    let case = CaseId(parse_id("presa in carico", &case)?);
    let operator = OperatorId(parse_id("operatore", &operator)?);
    write(&state, |w| cases::add_member(w, case, operator, &role))
}

#[tauri::command]
pub async fn close_case(state: State<'_, AppState>, case: String, draft: CloseDraft) -> UiResult<()> {
    let case = CaseId(parse_id("presa in carico", &case)?);
    let input = draft.parse(today())?;
    write(&state, |w| cases::close_case(w, case, &input))
}

/// A person's open and closed cases, for their page.
pub(super) fn of_person(s: &mut crate::Session, person: PersonId) -> quartiere_core::Result<Vec<CaseSummary>> {
    let actor = s.actor;
    cases::cases(&mut s.store, &actor, &CaseFilter { person: Some(person), ..Default::default() }, today())
}

/// Changes a goal's title, owner or due date.
#[tauri::command]
pub async fn edit_goal(state: State<'_, AppState>, goal: String, draft: GoalDraft) -> UiResult<()> {
    let goal = GoalId(parse_id("obiettivo", &goal)?);
    let input = draft.parse(today())?;
    write(&state, |w| cases::edit_goal(w, goal, &input))
}

/// Takes an operator off a case's team.
#[tauri::command]
pub async fn remove_case_member(state: State<'_, AppState>, case: String, operator: String) -> UiResult<()> {
    let case = CaseId(parse_id("presa in carico", &case)?);
    let operator = OperatorId(parse_id("operatore", &operator)?);
    write(&state, |w| cases::remove_member(w, case, operator))
}
