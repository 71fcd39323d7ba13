//! Sync: linking the desk to a shared folder, syncing, status and conflicts.

use std::path::{Path, PathBuf};

use quartiere_core::crypto::KdfParams;
use quartiere_core::sync::{self, ConflictChoice, ConflictView, EnrolOutcome, SyncProgress, SyncReport, SyncStatus};
use tauri::ipc::Channel as IpcChannel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{with_session, UiResult};
use crate::AppState;

/// The environment variable that, when set, supplies the folder [`sync_pick_folder`] returns
/// instead of opening the system's folder dialog (for the end-to-end tests).
pub const SYNC_FOLDER_SEAM: &str = "QUARTIERE_SYNC_FOLDER";

#[tauri::command]
pub async fn sync_pick_folder<R: Runtime>(app: AppHandle<R>) -> UiResult<Option<String>> {
    if let Some(path) = std::env::var_os(SYNC_FOLDER_SEAM).filter(|p| !p.is_empty()) {
        return Ok(Some(PathBuf::from(path).display().to_string()));
    }
    let picked = app.dialog().file().set_title("Scegli la cartella condivisa").blocking_pick_folder();
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> UiResult<SyncStatus> {
    with_session(&state, |s| sync::status(&s.store, &s.actor))
}

/// Enrols this desk (creating the team if the folder has none). A desk restored from a backup
/// takes a new id here, so the session's actor follows.
#[tauri::command]
pub async fn sync_enrol(
    state: State<'_, AppState>,
    folder: String,
    passphrase: String,
    desk_name: String,
    recovery_code: Option<String>,
) -> UiResult<EnrolOutcome> {
    with_session(&state, |s| {
        let actor = s.actor;
        let outcome = match recovery_code.filter(|c| !c.trim().is_empty()) {
            Some(code) => sync::enrol_with_recovery_code(&mut s.store, &actor, Path::new(&folder), &code, &desk_name)?,
            None => sync::enrol(&mut s.store, &actor, Path::new(&folder), &passphrase, &desk_name, KdfParams::DEFAULT)?,
        };
        s.actor.desk = s.store.desk();
        Ok(outcome)
    })
}

/// Opens a new team key (after a rotation) with the new passphrase.
#[tauri::command]
pub async fn sync_unlock(state: State<'_, AppState>, passphrase: String) -> UiResult<u32> {
    with_session(&state, |s| sync::unlock(&mut s.store, &s.actor, &passphrase).map(|n| n as u32))
}

/// One sync now, with progress over a channel.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, on_progress: IpcChannel<SyncProgress>) -> UiResult<SyncReport> {
    with_session(&state, |s| {
        sync::sync(&mut s.store, &s.actor, &mut |step| {
            let _ = on_progress.send(step);
        })
    })
}

#[tauri::command]
pub async fn sync_conflicts(state: State<'_, AppState>) -> UiResult<Vec<ConflictView>> {
    with_session(&state, |s| sync::conflicts(&s.store, &s.actor))
}

#[tauri::command]
pub async fn sync_resolve(state: State<'_, AppState>, id: i64, choice: ConflictChoice) -> UiResult<()> {
    with_session(&state, |s| {
        let actor = s.actor;
        sync::resolve_conflict(&mut s.store, &actor, id, choice)
    })
}
