//! The audit log: listing, checking and exporting it.

use quartiere_core::access::{self, Action};
use quartiere_core::audit::{self, AuditEntry, AuditFilter, AuditKind, ChainReport};
use quartiere_core::ids::OperatorId;
use quartiere_core::FieldError;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use super::{given, invalid, optional_date, parse_id, pick_save_path, today, with_session, UiResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct AuditFilterForm {
    pub from: String,
    pub to: String,
    /// An operator's id, or empty for everyone.
    pub operator: String,
    /// An [`AuditKind`] code, or empty for every kind.
    pub kind: String,
    /// A record's id (a person, a household), or empty.
    pub subject: String,
}

#[tauri::command]
pub async fn audit_events(state: State<'_, AppState>, filter: AuditFilterForm) -> UiResult<Vec<AuditEntry>> {
    let mut errors = Vec::new();
    let (from, to) = (optional_date("dal", &filter.from, &mut errors), optional_date("al", &filter.to, &mut errors));
    let kind = given(&filter.kind).and_then(|k| {
        let kind = AuditKind::from_code(&k);
        if kind.is_none() {
            errors.push(FieldError::new("tipo", format!("tipo di evento sconosciuto: «{k}»")));
        }
        kind
    });
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let filter = AuditFilter {
        from,
        to,
        operator: given(&filter.operator).map(|o| parse_id("operatore", &o).map(OperatorId)).transpose()?,
        kind,
        subject: given(&filter.subject).map(|s| parse_id("oggetto", &s)).transpose()?,
        limit: Some(500),
    };
    with_session(&state, |s| audit::list(&s.store, &s.actor, &filter))
}

/// Checks every desk's chain (the screen shows the result above the list).
#[tauri::command]
pub async fn audit_check(state: State<'_, AppState>) -> UiResult<ChainReport> {
    with_session(&state, |s| audit::verify(&s.store, &s.actor))
}

#[derive(Debug, Serialize, TS)]
pub struct AuditExport {
    /// The JSON file (every event with its hashes) and the CSV beside it.
    pub path: String,
    pub csv: String,
    pub check: ChainReport,
}

/// Exports the whole log for the DPO where the coordinator chooses; `None` if they cancel.
#[tauri::command]
pub async fn audit_export<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> UiResult<Option<AuditExport>> {
    // Checked before the dialog, so a role that may not export is told so at once.
    with_session(&state, |s| access::require(s.store.conn(), &s.actor, Action::ReadAudit).map(drop))?;
    let suggested = format!("registro-accessi-{}.json", today().format("%Y-%m-%d"));
    let Some(path) = pick_save_path(&app, "Esporta il registro degli accessi", &suggested) else {
        return Ok(None);
    };
    let path = path.with_extension("json");
    let check = with_session(&state, |s| {
        let actor = s.actor;
        audit::export_for_dpo(&mut s.store, &actor, &path)
    })?;
    Ok(Some(AuditExport {
        path: path.display().to_string(),
        csv: path.with_extension("csv").display().to_string(),
        check,
    }))
}
