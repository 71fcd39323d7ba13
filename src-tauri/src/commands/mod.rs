//! The IPC surface the web UI calls. Each command parses its arguments (the wire types below live
//! here, the outermost crate, and nowhere else), calls the core, and maps errors to [`UiError`].
//!
//! One module per domain, as in the core: a feature is found in the same room on every floor.
//! This module holds what every command shares: the error the UI sees, the session, the dialogs' test seams.

pub mod accounts;
pub mod activities;
pub mod arrears;
pub mod audit;
pub mod backup;
pub mod cases;
pub mod desk;
pub mod documents;
pub mod home;
pub mod import;
pub mod privacy;
pub mod project;
pub mod registry;
pub mod settings;
pub mod sync;
pub mod training;

use std::path::PathBuf;

use chrono::{Local, NaiveDate};
use quartiere_core::store::Writer;
use quartiere_core::FieldError;
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::{AppState, Session};

/// The one error type the UI sees: `kind` picks the Italian sentence, `message` adds detail, and
/// `fields` places validation messages next to their inputs.
#[derive(Debug, Serialize, TS)]
pub struct UiError {
    pub kind: UiErrorKind,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// What went wrong, as the UI switches on it: a kind of the core's errors, or one of the shell's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum UiErrorKind {
    Core(quartiere_core::ErrorKind),
    Shell(ShellErrorKind),
}

/// The shell's own kinds of error: the session is locked, or its state is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShellErrorKind {
    Locked,
    Internal,
}

impl From<quartiere_core::Error> for UiError {
    fn from(e: quartiere_core::Error) -> UiError {
        let fields = match &e {
            quartiere_core::Error::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        };
        UiError { kind: UiErrorKind::Core(e.kind()), message: e.to_string(), fields }
    }
}

pub(super) fn invalid(fields: Vec<FieldError>) -> UiError {
    quartiere_core::Error::Invalid(fields).into()
}

pub(super) type UiResult<T> = Result<T, UiError>;

pub(super) fn internal() -> UiError {
    UiError {
        kind: UiErrorKind::Shell(ShellErrorKind::Internal),
        message: "l'archivio non è disponibile: riavvia Quartiere".into(),
        fields: Vec::new(),
    }
}

/// The session, unless the app is locked. Closes it first if the operator has been away longer
/// than the idle limit, so a desk left open locks itself even if the window missed it.
pub(super) fn with_session<T>(
    state: &AppState,
    f: impl FnOnce(&mut Session) -> quartiere_core::Result<T>,
) -> UiResult<T> {
    let mut session = state.session.lock().map_err(|_| internal())?;
    {
        let mut last = state.last_activity.lock().map_err(|_| internal())?;
        if last.elapsed() > state.idle_lock {
            close_session(&mut session, "blocco per inattività");
        }
        *last = std::time::Instant::now();
    }
    let Some(session) = session.as_mut() else {
        return Err(UiError {
            kind: UiErrorKind::Shell(ShellErrorKind::Locked),
            message: "Quartiere è bloccato: accedi di nuovo con il tuo nome e la tua parola d'accesso".into(),
            fields: Vec::new(),
        });
    };
    Ok(f(session)?)
}

/// Records the operator's leaving in the audit log, then drops the session (which closes the
/// database and wipes its key). A failure to record does not keep the desk open.
pub(super) fn close_session(session: &mut Option<Session>, why: &str) {
    if let Some(mut s) = session.take() {
        let actor = s.actor;
        let _ = quartiere_core::accounts::sign_out(&mut s.store, &actor, why);
    }
}

/// Runs one write as the current operator at this desk.
pub(super) fn write<T>(state: &AppState, f: impl FnOnce(&mut Writer<'_>) -> quartiere_core::Result<T>) -> UiResult<T> {
    with_session(state, |s| {
        let actor = s.actor;
        s.store.write(&actor, f)
    })
}

/// The environment variable that, when set (`gg/mm/aaaa`), is the app's today: end-to-end tests
/// fix the day so that due dates and lateness do not depend on when they run.
pub const TODAY_SEAM: &str = "QUARTIERE_TODAY";

pub(super) fn today() -> NaiveDate {
    std::env::var(TODAY_SEAM)
        .ok()
        .and_then(|d| quartiere_core::format::parse_date(&d))
        .unwrap_or_else(|| Local::now().date_naive())
}

pub(super) fn parse_id(field: &str, text: &str) -> UiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| invalid(vec![FieldError::new(field, "identificativo non valido")]))
}

// Blanks and dates are read as the core reads them for every form.
pub(super) use quartiere_core::draft::{date as optional_date, given};

/// Reads a coded value; an unknown code is a field error, not a silent blank.
pub(super) fn code<T>(
    field: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let text = given(text)?;
    let value = parse(&text);
    if value.is_none() {
        errors.push(FieldError::new(field, format!("valore non previsto: «{text}»")));
    }
    value
}

/// The environment variable that, when set, names the folder where exports are saved instead of
/// asking with the system's save dialog (which tests cannot drive).
pub const SAVE_DIR_SEAM: &str = "QUARTIERE_SAVE_DIR";

/// Asks where to save a file the app writes (an export); `None` when the dialog is closed.
pub(super) fn pick_save_path<R: Runtime>(app: &AppHandle<R>, title: &str, suggested: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_SEAM).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(dir).join(suggested));
    }
    app.dialog().file().set_title(title).set_file_name(suggested).blocking_save_file().and_then(|p| p.into_path().ok())
}
