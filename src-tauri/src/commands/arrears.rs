//! Morosità: the plans with their monitoring, a plan (schedule, payments, history), a household's
//! account; signing, payments, new terms, closing, the no-fault assessment, the solidarity
//! contribution, a month typed by hand, and the ente gestore's statement (checked, then imported).

use quartiere_core::arrears::draft::{AssessmentDraft, MonthDraft, PaymentDraft, PlanDraft, TermsDraft};
use quartiere_core::arrears::statement::{self, StatementReport};
use quartiere_core::arrears::{self, AccountView, Monitoring, PlanRow, PlanView};
use quartiere_core::ids::{AssessmentId, HouseholdId, PlanId};
use quartiere_core::FieldError;
use tauri::State;

use super::{invalid, optional_date, parse_id, today, with_session, write, UiResult};
use crate::AppState;

/// The day the figures are for: the one the operator chose («situazione al»), or today.
fn day(on: Option<String>) -> UiResult<chrono::NaiveDate> {
    let mut errors = Vec::new();
    let day = optional_date("situazione_al", on.as_deref().unwrap_or(""), &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    Ok(day.unwrap_or_else(today))
}

#[tauri::command]
pub async fn plans(
    state: State<'_, AppState>,
    household: Option<String>,
    on: Option<String>,
) -> UiResult<Vec<PlanRow>> {
    let household = household.map(|h| parse_id("nucleo", &h).map(HouseholdId)).transpose()?;
    let day = day(on)?;
    with_session(&state, |s| {
        let actor = s.actor;
        arrears::plans(&mut s.store, &actor, household, day)
    })
}

#[tauri::command]
pub async fn plan(state: State<'_, AppState>, id: String, on: Option<String>) -> UiResult<PlanView> {
    let id = PlanId(parse_id("piano di rientro", &id)?);
    let day = day(on)?;
    with_session(&state, |s| {
        let actor = s.actor;
        arrears::plan(&mut s.store, &actor, id, day)
    })
}

#[tauri::command]
pub async fn arrears_monitoring(state: State<'_, AppState>, on: Option<String>) -> UiResult<Monitoring> {
    let day = day(on)?;
    with_session(&state, |s| {
        let actor = s.actor;
        arrears::monitoring(&mut s.store, &actor, day)
    })
}

#[tauri::command]
pub async fn household_account(
    state: State<'_, AppState>,
    household: String,
    on: Option<String>,
) -> UiResult<AccountView> {
    let household = HouseholdId(parse_id("nucleo", &household)?);
    let day = day(on)?;
    with_session(&state, |s| {
        let actor = s.actor;
        arrears::household_account(&mut s.store, &actor, household, day)
    })
}

#[tauri::command]
pub async fn sign_plan(state: State<'_, AppState>, draft: PlanDraft) -> UiResult<PlanId> {
    let input = draft.parse()?;
    let rule = with_session(&state, |s| {
        Ok(arrears::default_lapse_rule(s.store.local_setting(arrears::LAPSE_RULE_SETTING)?.as_deref()))
    })?;
    write(&state, |w| arrears::sign_plan(w, &input, rule))
}

#[tauri::command]
pub async fn record_plan_payment(state: State<'_, AppState>, plan: String, draft: PaymentDraft) -> UiResult<String> {
    let plan = PlanId(parse_id("piano di rientro", &plan)?);
    let input = draft.parse(today())?;
    write(&state, |w| arrears::record_payment(w, plan, &input)).map(|id| id.to_string())
}

#[tauri::command]
pub async fn cancel_plan_payment(state: State<'_, AppState>, payment: String) -> UiResult<()> {
    let payment = parse_id("pagamento", &payment)?;
    write(&state, |w| arrears::cancel_payment(w, payment))
}

#[tauri::command]
pub async fn change_plan_terms(state: State<'_, AppState>, plan: String, draft: TermsDraft) -> UiResult<()> {
    let plan = PlanId(parse_id("piano di rientro", &plan)?);
    let input = draft.parse(today())?;
    write(&state, |w| arrears::change_terms(w, plan, &input))
}

#[tauri::command]
pub async fn close_plan(state: State<'_, AppState>, plan: String, on: String, reason: String) -> UiResult<()> {
    let plan = PlanId(parse_id("piano di rientro", &plan)?);
    let mut errors = Vec::new();
    let on = optional_date("data", &on, &mut errors).unwrap_or_else(today);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    write(&state, |w| arrears::close_plan(w, plan, on, &reason))
}

#[tauri::command]
pub async fn record_assessment(state: State<'_, AppState>, draft: AssessmentDraft) -> UiResult<AssessmentId> {
    let input = draft.parse(today())?;
    write(&state, |w| arrears::record_assessment(w, &input))
}

#[tauri::command]
pub async fn add_solidarity_credit(state: State<'_, AppState>, household: String, draft: PaymentDraft) -> UiResult<()> {
    let household = HouseholdId(parse_id("nucleo", &household)?);
    let input = draft.parse(today())?;
    write(&state, |w| arrears::add_credit(w, household, &input)).map(drop)
}

#[tauri::command]
pub async fn record_account_month(state: State<'_, AppState>, household: String, draft: MonthDraft) -> UiResult<()> {
    let household = HouseholdId(parse_id("nucleo", &household)?);
    let input = draft.parse()?;
    write(&state, |w| arrears::record_month(w, household, &input, "manuale")).map(drop)
}

/// Checks a statement file (`apply` false) or imports it (`apply` true): all or nothing.
#[tauri::command]
pub async fn import_statement(state: State<'_, AppState>, path: String, apply: bool) -> UiResult<StatementReport> {
    if path.trim().is_empty() {
        return Err(invalid(vec![FieldError::new("file", "scegli il file dell'estratto conto")]));
    }
    with_session(&state, |s| {
        let actor = s.actor;
        statement::import_statement(&mut s.store, &actor, std::path::Path::new(&path), !apply)
    })
}
