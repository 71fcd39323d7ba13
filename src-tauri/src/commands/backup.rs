//! Backups: listing, making and restoring them.

use std::path::Path;

use quartiere_core::access::{self, Action};
use quartiere_core::backup::{self, BackupInfo, BackupReason};
use quartiere_core::clock::SystemClock;
use quartiere_core::ids::IdGen;
use quartiere_core::FieldError;
use tauri::{AppHandle, Runtime, State};

use super::accounts::{open_session, Me};
use super::{close_session, internal, invalid, with_session, UiResult};
use crate::AppState;

#[tauri::command]
pub async fn backups(state: State<'_, AppState>) -> UiResult<Vec<BackupInfo>> {
    with_session(&state, |s| backup::list(&s.store, &s.actor))
}

#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> UiResult<BackupInfo> {
    with_session(&state, |s| {
        let actor = s.actor;
        backup::backup_now(&mut s.store, &actor, BackupReason::Manual)
    })
}

/// Puts a backup in place of the database. The coordinator confirms with their passphrase (it
/// must open the backup's own key file); the desk is then signed in again on the restored data.
#[tauri::command]
pub async fn backup_restore<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> UiResult<Me> {
    let name =
        with_session(&state, |s| access::require(s.store.conn(), &s.actor, Action::Backup).map(|_| s.name.clone()))?;
    // Only one of this desk's own backups: the path comes from the list, and is checked against it.
    let known = with_session(&state, |s| backup::list(&s.store, &s.actor))?;
    if !known.iter().any(|b| b.path == path) {
        return Err(invalid(vec![FieldError::new("path", "scegli una copia dall'elenco")]));
    }
    // Everything is checked while the desk is still open, so a wrong passphrase changes nothing.
    backup::check(Path::new(&path), &name, &passphrase).map_err(|e| match e {
        quartiere_core::Error::WrongCredentials => invalid(vec![FieldError::new(
            "passphrase",
            "questa parola d'accesso non apre la copia (serve quella valida alla data della copia)",
        )]),
        other => other.into(),
    })?;
    close_session(&mut *state.session.lock().map_err(|_| internal())?, "ripristino di una copia di sicurezza");
    let signed = backup::restore(
        &state.dir,
        Path::new(&path),
        &name,
        &passphrase,
        Box::new(SystemClock),
        IdGen::from_entropy(),
    )?;
    open_session(&app, &state, signed)
}
