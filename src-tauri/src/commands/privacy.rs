//! The rights of the people in the registry: consents, access and erasure requests, retention.

use quartiere_core::access::{self, Action};
use quartiere_core::ids::PersonId;
use quartiere_core::privacy::{
    self, AccessFiles, ConsentKind, ConsentView, ErasureMode, ErasureOutcome, RetentionFlag,
};
use quartiere_core::registry::{self};
use quartiere_core::FieldError;
use serde::Deserialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use super::{code, given, invalid, optional_date, parse_id, pick_save_path, today, with_session, write, UiResult};
use crate::AppState;

#[tauri::command]
pub async fn consents(state: State<'_, AppState>, person: String) -> UiResult<Vec<ConsentView>> {
    let person = PersonId(parse_id("persona", &person)?);
    with_session(&state, |s| privacy::consents(&s.store, &s.actor, person))
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct ConsentForm {
    /// A [`ConsentKind`] code.
    pub kind: String,
    pub version: String,
    /// `gg/mm/aaaa`; empty for today.
    pub given_on: String,
}

#[tauri::command]
pub async fn add_consent(state: State<'_, AppState>, person: String, form: ConsentForm) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let mut errors = Vec::new();
    let kind = code("kind", &form.kind, ConsentKind::from_code, &mut errors);
    if kind.is_none() && errors.is_empty() {
        errors.push(FieldError::new("kind", "scegli che cosa è stato consegnato o firmato"));
    }
    let given_on = match given(&form.given_on) {
        None => Some(today()),
        Some(_) => optional_date("given_on", &form.given_on, &mut errors),
    };
    let (Some(kind), Some(given_on), true) = (kind, given_on, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    write(&state, |w| privacy::record_consent(w, person, kind, &form.version, given_on).map(drop))
}

#[tauri::command]
pub async fn withdraw_consent(state: State<'_, AppState>, id: String) -> UiResult<()> {
    let id = parse_id("consenso", &id)?;
    write(&state, |w| privacy::withdraw_consent(w, id, today()))
}

/// Answers an access request: JSON and PDF where the coordinator chooses; `None` if cancelled.
#[tauri::command]
pub async fn person_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    person: String,
) -> UiResult<Option<AccessFiles>> {
    let person = PersonId(parse_id("persona", &person)?);
    let suggested = with_session(&state, |s| {
        let actor = s.actor;
        access::require(s.store.conn(), &actor, Action::Rights)?;
        let p = registry::get_person(&mut s.store, &actor, person)?;
        Ok(privacy::suggested_name(&p, today()))
    })?;
    let name = format!("{}.pdf", suggested.display());
    let Some(path) = pick_save_path(&app, "Esporta i dati della persona", &name) else {
        return Ok(None);
    };
    with_session(&state, |s| {
        let actor = s.actor;
        privacy::export_person(&mut s.store, &actor, person, &path, today()).map(Some)
    })
}

/// Answers an erasure request (`mode`: `erase` or `pseudonymise`).
#[tauri::command]
pub async fn person_erase(
    state: State<'_, AppState>,
    person: String,
    mode: String,
    reason: String,
) -> UiResult<ErasureOutcome> {
    let person = PersonId(parse_id("persona", &person)?);
    let mode = match mode.as_str() {
        "erase" => ErasureMode::Erase,
        "pseudonymise" => ErasureMode::Pseudonymise,
        _ => return Err(invalid(vec![FieldError::new("mode", "scegli se cancellare o pseudonimizzare")])),
    };
    if reason.trim().is_empty() {
        return Err(invalid(vec![FieldError::new(
            "reason",
            "scrivi come è arrivata la richiesta (per esempio «modulo firmato allo sportello il 20/11»)",
        )]));
    }
    with_session(&state, |s| {
        let actor = s.actor;
        privacy::erase_person(&mut s.store, &actor, person, mode, &reason, today())
    })
}

#[tauri::command]
pub async fn retention(state: State<'_, AppState>) -> UiResult<Vec<RetentionFlag>> {
    with_session(&state, |s| privacy::retention(&s.store, &s.actor, today()))
}
