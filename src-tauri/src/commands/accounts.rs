//! Signing in, locking, the operators of the desk and their roles, passphrases.

use quartiere_core::access::{self, Action, Role};
use quartiere_core::accounts::{self, OperatorView};
use quartiere_core::audit::{self, AuditKind};
use quartiere_core::clock::SystemClock;
use quartiere_core::crypto::KdfParams;
use quartiere_core::ids::{IdGen, OperatorId};
use quartiere_core::registry::{self};
use quartiere_core::schema::Table;
use quartiere_core::FieldError;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use super::{close_session, internal, invalid, parse_id, with_session, UiResult};
use crate::{AppState, Session};

/// What the signed-in operator may do, for the UI to show only what works.
#[derive(Debug, Serialize, TS)]
pub struct Me {
    pub name: String,
    pub role: Role,
    pub desk: String,
    pub read_registry: bool,
    pub edit_registry: bool,
    pub read_desk: bool,
    pub record_desk: bool,
    pub import: bool,
    pub sync: bool,
    pub manage_sync: bool,
    pub administer: bool,
    pub audit: bool,
    pub backup: bool,
    pub rights: bool,
    pub read_activities: bool,
    pub record_activities: bool,
    pub read_training: bool,
    pub record_training: bool,
    pub read_cases: bool,
    pub record_cases: bool,
    pub read_arrears: bool,
    pub record_arrears: bool,
    /// Targets and the project plan.
    pub manage_project: bool,
    /// The monthly bundle to the Comune.
    pub export_bundle: bool,
    /// The day's backup failed at sign-in: the sentence to show.
    pub backup_warning: Option<String>,
}

fn me(s: &Session) -> quartiere_core::Result<Me> {
    let can = |a| access::allows(s.role, a);
    Ok(Me {
        name: s.name.clone(),
        role: s.role,
        desk: registry::desk_name(s.store.conn(), s.actor.desk)?,
        read_registry: can(Action::ReadRegistry),
        edit_registry: can(Action::EditRegistry),
        read_desk: can(Action::ReadDesk),
        record_desk: can(Action::RecordDesk),
        import: can(Action::Import),
        sync: can(Action::Sync),
        manage_sync: can(Action::ManageSync),
        administer: can(Action::Administer),
        audit: can(Action::ReadAudit),
        backup: can(Action::Backup),
        rights: can(Action::Rights),
        read_activities: can(Action::ReadActivities),
        record_activities: can(Action::RecordActivities),
        read_training: can(Action::ReadTraining),
        record_training: can(Action::RecordTraining),
        read_cases: can(Action::ReadCases),
        record_cases: can(Action::RecordCases),
        read_arrears: can(Action::ReadArrears),
        record_arrears: can(Action::RecordArrears),
        manage_project: can(Action::ManageProject),
        export_bundle: can(Action::ExportBundle),
        backup_warning: s.backup_warning.clone(),
    })
}

/// The sign-in screen's facts: a new desk or who may sign in, and the demo's credentials.
#[derive(Debug, Serialize, TS)]
pub struct Door {
    pub is_new: bool,
    pub names: Vec<String>,
    /// Only on a demo database: the operator and passphrase to type.
    pub demo: Option<(String, String)>,
    /// Already signed in (the window was reloaded).
    pub me: Option<Me>,
}

#[tauri::command]
pub async fn door(state: State<'_, AppState>) -> UiResult<Door> {
    let door = accounts::door(&state.dir)?;
    let me = with_session(&state, |s| me(s)).ok();
    Ok(Door { is_new: door.is_new, names: door.names, demo: state.demo_login.clone(), me })
}

pub(super) fn open_session<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    signed: accounts::SignedIn,
) -> UiResult<Me> {
    // Sheets written for the viewer in an earlier session are not left lying about.
    super::activities::clear_prints(&state.dir);
    let session = Session {
        store: signed.store,
        actor: signed.actor,
        role: signed.role,
        name: signed.name,
        backup_warning: signed.backup_warning,
    };
    let shown = me(&session)?;
    let counts = registry::overview(session.store.conn(), &session.actor)?;
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        let _ = window.set_title(&format!(
            "Quartiere — {}, {}",
            quartiere_core::format::count(counts.households, "nucleo", "nuclei"),
            quartiere_core::format::count(counts.people, "persona", "persone")
        ));
    }
    *state.last_activity.lock().map_err(|_| internal())? = std::time::Instant::now();
    *state.session.lock().map_err(|_| internal())? = Some(session);
    Ok(shown)
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
    passphrase: String,
) -> UiResult<Me> {
    let signed = accounts::sign_in(&state.dir, &name, &passphrase, Box::new(SystemClock), IdGen::from_entropy())?;
    open_session(&app, &state, signed)
}

/// The first run at a desk: its name, and the first operator, who becomes its coordinator.
#[tauri::command]
pub async fn create_desk<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    desk: String,
    name: String,
    passphrase: String,
) -> UiResult<Me> {
    let signed = accounts::create_desk(
        &state.dir,
        &desk,
        &name,
        &passphrase,
        KdfParams::DEFAULT,
        Box::new(SystemClock),
        IdGen::from_entropy(),
    )?;
    open_session(&app, &state, signed)
}

/// Closes the database: its key leaves memory, and only signing in opens it again.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> UiResult<()> {
    close_session(&mut *state.session.lock().map_err(|_| internal())?, "blocco");
    Ok(())
}

#[tauri::command]
pub async fn operators(state: State<'_, AppState>) -> UiResult<Vec<OperatorView>> {
    with_session(&state, |s| accounts::operators(&s.store, &s.actor))
}

fn parse_role(code: &str) -> UiResult<Role> {
    Role::from_code(code).ok_or_else(|| invalid(vec![FieldError::new("role", "scegli un ruolo dall'elenco")]))
}

#[tauri::command]
pub async fn add_operator(state: State<'_, AppState>, name: String, role: String, passphrase: String) -> UiResult<()> {
    let role = parse_role(&role)?;
    with_session(&state, |s| {
        let actor = s.actor;
        accounts::add_operator(&mut s.store, &actor, &name, role, &passphrase, KdfParams::DEFAULT).map(drop)
    })
}

#[tauri::command]
pub async fn set_operator_role(state: State<'_, AppState>, id: String, role: String) -> UiResult<()> {
    let (id, role) = (OperatorId(parse_id("operatore", &id)?), parse_role(&role)?);
    with_session(&state, |s| {
        let actor = s.actor;
        accounts::set_role(&mut s.store, &actor, id, role)?;
        if id == actor.operator {
            s.role = role;
        }
        Ok(())
    })
}

#[tauri::command]
pub async fn deactivate_operator(state: State<'_, AppState>, id: String) -> UiResult<()> {
    let id = OperatorId(parse_id("operatore", &id)?);
    with_session(&state, |s| {
        let actor = s.actor;
        accounts::deactivate(&mut s.store, &actor, id)
    })
}

/// The signed-in operator changes their own passphrase (the old one is asked again).
#[tauri::command]
pub async fn change_passphrase(state: State<'_, AppState>, old: String, new: String) -> UiResult<()> {
    let name = with_session(&state, |s| Ok(s.name.clone()))?;
    accounts::change_passphrase(&state.dir, &name, &old, &new, KdfParams::DEFAULT).map_err(|e| match e {
        // Here the name is known: a refusal is about the old passphrase, and a failed unlock.
        quartiere_core::Error::WrongCredentials => {
            let recorded = with_session(&state, |s| {
                let actor = s.actor;
                let subject = Some((Table::Operator, actor.operator.0));
                audit::record(&mut s.store, &actor, AuditKind::FailedUnlock, subject, "cambio della parola d'accesso")
            });
            match recorded {
                Ok(()) => invalid(vec![FieldError::new("old", "la parola d'accesso attuale non è questa")]),
                Err(e) => e,
            }
        }
        other => other.into(),
    })
}
