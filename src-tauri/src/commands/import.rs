//! Importing the Comune's lists: choosing the file, checking it, writing it.

use std::path::{Path, PathBuf};

use quartiere_core::ids::PersonId;
use quartiere_core::import::{self, Decision, ImportOptions, ImportProgress, ImportReport};
use quartiere_core::store::parse_uuid;
use tauri::ipc::Channel as IpcChannel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{today, with_session, UiResult};
use crate::AppState;

/// The environment variable that, when set, supplies the file [`import_pick`] returns instead of
/// opening the system's file dialog: native dialogs cannot be driven by tests over WebDriver.
pub const IMPORT_FILE_SEAM: &str = "QUARTIERE_IMPORT_FILE";

/// Asks the operator for a list to import; `None` when the dialog is closed without a choice.
#[tauri::command]
pub async fn import_pick<R: Runtime>(app: AppHandle<R>) -> UiResult<Option<String>> {
    if let Some(path) = std::env::var_os(IMPORT_FILE_SEAM).filter(|p| !p.is_empty()) {
        return Ok(Some(PathBuf::from(path).display().to_string()));
    }
    let picked = app
        .dialog()
        .file()
        .set_title("Scegli l'elenco da importare")
        .add_filter("Elenchi (CSV, Excel, OpenDocument)", &["csv", "txt", "xlsx", "xlsm", "xls", "ods"])
        .blocking_pick_file();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

/// The operator's answer to a question of the report: the row is this person (an id), or a new
/// person (`null`).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
pub struct DecisionWire {
    pub row: usize,
    pub person: Option<String>,
}

/// Validates a file and reports what an import would change, writing nothing.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: String,
    decisions: Vec<DecisionWire>,
    on_progress: IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    run_import(&state, &path, true, &decisions, &on_progress)
}

/// Imports a file: all of it, or nothing if any row is invalid or a question is unanswered. The
/// file is validated again, so what is written is what the file holds now.
#[tauri::command]
pub async fn import_confirm(
    state: State<'_, AppState>,
    path: String,
    decisions: Vec<DecisionWire>,
    on_progress: IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    run_import(&state, &path, false, &decisions, &on_progress)
}

fn run_import(
    state: &AppState,
    path: &str,
    dry_run: bool,
    decisions: &[DecisionWire],
    on_progress: &IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    let decisions = decisions
        .iter()
        .map(|d| {
            let person = d.person.as_deref().map(parse_uuid).transpose()?.map(PersonId);
            Ok(Decision { row: d.row, person })
        })
        .collect::<quartiere_core::Result<Vec<_>>>()?;
    let options = ImportOptions { dry_run, decisions, ..ImportOptions::new(today()) };
    // Reading happens outside the lock: a large workbook must not hold up the rest of the UI.
    let sheet = import::read_sheet(Path::new(path))?;
    with_session(state, |s| {
        let actor = s.actor;
        import::import_sheet_with_progress(&mut s.store, &actor, sheet, options, &mut |step| {
            // A closed window is not the import's problem: the report still comes back.
            let _ = on_progress.send(step);
        })
    })
}
