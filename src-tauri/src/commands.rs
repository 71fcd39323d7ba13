//! The IPC surface the web UI calls. Each command parses its arguments (the wire types below live
//! here, the outermost crate, and nowhere else), calls the core, and maps errors to [`UiError`].

use chrono::{Local, NaiveDate, NaiveDateTime};
use quartiere_core::access::{self, Action, Role};
use quartiere_core::accounts::{self, OperatorView};
use quartiere_core::audit::{self, AuditEntry, AuditFilter, AuditKind, ChainReport};
use quartiere_core::backup::{self, BackupInfo, BackupReason};
use quartiere_core::clock::SystemClock;
use quartiere_core::codes::{Channel, EsfAnswer, Isced, LabourStatus, Relationship, Topic};
use quartiere_core::crypto::KdfParams;
use quartiere_core::desk::{
    self, ContactFilter, DeskContactInput, DeskContactView, NoteSubject, ReferralInput, ReferralTarget,
};
use quartiere_core::ids::{HouseholdId, PartnerId, PersonId};
use quartiere_core::ids::{IdGen, OperatorId};
use quartiere_core::import::{self, ImportOptions, ImportProgress, ImportReport};
use quartiere_core::privacy::{
    self, AccessFiles, ConsentKind, ConsentView, ErasureMode, ErasureOutcome, RetentionFlag,
};
use quartiere_core::registry::{
    self, DwellingInput, EsfFields, HouseholdSummary, MemberInput, Overview, Person, PersonInput,
};
use quartiere_core::schema::Table;
use quartiere_core::search::{self, Scope, SearchHit};
use quartiere_core::store::Writer;
use quartiere_core::sync::{self, ConflictChoice, ConflictView, EnrolOutcome, SyncProgress, SyncReport, SyncStatus};
use quartiere_core::{format, FieldError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

use tauri::ipc::Channel as IpcChannel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

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

fn invalid(fields: Vec<FieldError>) -> UiError {
    quartiere_core::Error::Invalid(fields).into()
}

type UiResult<T> = Result<T, UiError>;

fn internal() -> UiError {
    UiError {
        kind: UiErrorKind::Shell(ShellErrorKind::Internal),
        message: "l'archivio non è disponibile: riavvia Quartiere".into(),
        fields: Vec::new(),
    }
}

/// The session, unless the app is locked. Closes it first if the operator has been away longer
/// than the idle limit, so a desk left open locks itself even if the window missed it.
fn with_session<T>(state: &AppState, f: impl FnOnce(&mut Session) -> quartiere_core::Result<T>) -> UiResult<T> {
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
fn close_session(session: &mut Option<Session>, why: &str) {
    if let Some(mut s) = session.take() {
        let actor = s.actor;
        let _ = accounts::sign_out(&mut s.store, &actor, why);
    }
}

/// Runs one write as the current operator at this desk.
fn write<T>(state: &AppState, f: impl FnOnce(&mut Writer<'_>) -> quartiere_core::Result<T>) -> UiResult<T> {
    with_session(state, |s| {
        let actor = s.actor;
        s.store.write(&actor, f)
    })
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn parse_id(field: &str, text: &str) -> UiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| invalid(vec![FieldError::new(field, "identificativo non valido")]))
}

// ---------------------------------------------------------------------------------------------
// Home and search

#[derive(Debug, Serialize, TS)]
pub struct Home {
    pub today: NaiveDate,
    pub today_long: String,
    pub counts: Overview,
    pub follow_ups_due: Vec<DeskContactView>,
    pub recent_contacts: Vec<DeskContactView>,
}

#[tauri::command]
pub async fn overview(state: State<'_, AppState>) -> UiResult<Overview> {
    with_session(&state, |s| registry::overview(s.store.conn(), &s.actor))
}

#[tauri::command]
pub async fn home(state: State<'_, AppState>) -> UiResult<Home> {
    let today = today();
    with_session(&state, |s| {
        let actor = s.actor;
        // Roles that do not read the desk log (AFOL, arrears, Comune) see the counts only.
        let desk_log = access::allows(s.role, Action::ReadDesk);
        let mut contacts = |filter: ContactFilter| -> quartiere_core::Result<Vec<DeskContactView>> {
            if desk_log {
                desk::list_contacts(&mut s.store, &actor, &filter)
            } else {
                Ok(Vec::new())
            }
        };
        let follow_ups_due = contacts(ContactFilter { follow_up_due_by: Some(today), ..Default::default() })?;
        let recent_contacts = contacts(ContactFilter { limit: Some(10), ..Default::default() })?;
        Ok(Home {
            today,
            today_long: format::date_long(today),
            counts: registry::overview(s.store.conn(), &actor)?,
            follow_ups_due,
            recent_contacts,
        })
    })
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String, scope: Option<String>) -> UiResult<Vec<SearchHit>> {
    let scope = match scope.as_deref() {
        Some("people") => Scope::PEOPLE,
        Some("households") => Scope::HOUSEHOLDS,
        _ => Scope::ALL,
    };
    with_session(&state, |s| search::search(s.store.conn(), &s.actor, &query, scope, 20))
}

// ---------------------------------------------------------------------------------------------
// Households

#[tauri::command]
pub async fn households(state: State<'_, AppState>) -> UiResult<Vec<HouseholdSummary>> {
    with_session(&state, |s| registry::list_households(s.store.conn(), &s.actor))
}

#[derive(Debug, Serialize, TS)]
pub struct HouseholdView {
    pub household: registry::HouseholdDetail,
    pub contacts: Vec<DeskContactView>,
    pub notes: Vec<desk::Note>,
}

#[tauri::command]
pub async fn household(state: State<'_, AppState>, id: String) -> UiResult<HouseholdView> {
    let id = HouseholdId(parse_id("nucleo", &id)?);
    with_session(&state, |s| {
        let (store, actor) = (&mut s.store, &s.actor);
        let household = registry::household_detail(store, actor, id)?;
        if !access::allows(s.role, Action::ReadDesk) {
            return Ok(HouseholdView { household, contacts: Vec::new(), notes: Vec::new() });
        }
        Ok(HouseholdView {
            household,
            contacts: desk::list_contacts(store, actor, &ContactFilter { household: Some(id), ..Default::default() })?,
            notes: desk::notes(store, actor, NoteSubject::Household(id))?,
        })
    })
}

/// A dwelling form as the UI sends it: every value a string, empty meaning "not given".
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct DwellingForm {
    pub code: String,
    pub street: String,
    pub civic: String,
    pub scala: String,
    pub piano: String,
    pub interno: String,
    pub cap: String,
    pub comune: String,
    pub provincia: String,
}

/// Creates a dwelling and the household living in it.
#[tauri::command]
pub async fn create_household(state: State<'_, AppState>, dwelling: DwellingForm) -> UiResult<HouseholdId> {
    let input = DwellingInput {
        code: given(&dwelling.code),
        street: dwelling.street.trim().to_string(),
        civic: dwelling.civic.trim().to_string(),
        scala: given(&dwelling.scala),
        piano: given(&dwelling.piano),
        interno: given(&dwelling.interno),
        cap: given(&dwelling.cap),
        comune: given(&dwelling.comune),
        provincia: given(&dwelling.provincia),
    };
    write(&state, |w| {
        let d = registry::create_dwelling(w, &input)?;
        registry::create_household(w, d, Some(today()))
    })
}

// ---------------------------------------------------------------------------------------------
// People

#[tauri::command]
pub async fn person(state: State<'_, AppState>, id: String) -> UiResult<Person> {
    let id = PersonId(parse_id("persona", &id)?);
    with_session(&state, |s| registry::get_person(&mut s.store, &s.actor, id))
}

/// A person form as the UI sends it: every value a string, empty meaning "not given".
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct PersonForm {
    pub surname: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub codice_fiscale: String,
    pub citizenship: String,
    pub phone: String,
    pub email: String,
    pub esf_labour_status: String,
    pub esf_isced: String,
    pub esf_migrant: String,
    pub esf_disability: String,
    pub esf_other_disadvantage: String,
    pub esf_homeless: String,
    pub esf_rural: String,
}

fn given(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// An optional date typed as gg/mm/aaaa: `None` when left empty; one that is not a date is a
/// field error, not a silent blank.
fn optional_date(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = given(text)?;
    let date = format::parse_date(&text);
    if date.is_none() {
        errors.push(FieldError::new(field, format!("«{text}» non è una data: usa gg/mm/aaaa")));
    }
    date
}

/// Reads a coded value; an unknown code is a field error, not a silent blank.
fn code<T>(field: &str, text: &str, parse: fn(&str) -> Option<T>, errors: &mut Vec<FieldError>) -> Option<T> {
    let text = given(text)?;
    let value = parse(&text);
    if value.is_none() {
        errors.push(FieldError::new(field, format!("valore non previsto: «{text}»")));
    }
    value
}

impl PersonForm {
    fn to_input(&self) -> UiResult<PersonInput> {
        let mut errors = Vec::new();
        let birth_date = given(&self.birth_date).and_then(|text| {
            let date = format::parse_date(&text);
            if date.is_none() {
                errors.push(FieldError::new("data_nascita", format!("«{text}» non è una data: usa gg/mm/aaaa")));
            }
            date
        });
        let sex = given(&self.sex).map(|s| s.to_uppercase().chars().next().unwrap_or(' '));
        let esf = EsfFields {
            labour_status: code("esf_labour_status", &self.esf_labour_status, LabourStatus::from_code, &mut errors),
            isced: code("esf_isced", &self.esf_isced, Isced::from_code, &mut errors),
            migrant: code("esf_migrant", &self.esf_migrant, EsfAnswer::from_code, &mut errors),
            disability: code("esf_disability", &self.esf_disability, EsfAnswer::from_code, &mut errors),
            other_disadvantage: code(
                "esf_other_disadvantage",
                &self.esf_other_disadvantage,
                EsfAnswer::from_code,
                &mut errors,
            ),
            homeless: code("esf_homeless", &self.esf_homeless, EsfAnswer::from_code, &mut errors),
            rural: code("esf_rural", &self.esf_rural, EsfAnswer::from_code, &mut errors),
        };
        let input = PersonInput {
            surname: self.surname.clone(),
            name: self.name.clone(),
            sex,
            birth_date,
            birth_place: given(&self.birth_place),
            codice_fiscale: given(&self.codice_fiscale),
            citizenship: given(&self.citizenship),
            phone: given(&self.phone),
            email: given(&self.email),
            esf,
        };
        errors.extend(input.validate());
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(invalid(errors))
        }
    }
}

/// Checks a person form as the operator types, without saving (codice fiscale, dates, e-mail...).
#[tauri::command]
pub async fn check_person(form: PersonForm) -> UiResult<Vec<FieldError>> {
    Ok(form.to_input().err().map(|e| e.fields).unwrap_or_default())
}

#[derive(Debug, Deserialize, TS)]
pub struct MembershipForm {
    pub household: String,
    pub relationship: String,
    #[serde(default)]
    pub resident_since: String,
    #[serde(default)]
    pub tenant_of_record: bool,
}

/// Creates (no `id`) or updates a person; a new person may join a household in the same write.
#[tauri::command]
pub async fn save_person(
    state: State<'_, AppState>,
    id: Option<String>,
    form: PersonForm,
    membership: Option<MembershipForm>,
) -> UiResult<PersonId> {
    let input = form.to_input()?;
    let id = id.as_deref().map(|i| parse_id("persona", i).map(PersonId)).transpose()?;
    let member = match &membership {
        None => None,
        Some(m) => {
            let relationship = Relationship::from_code(&m.relationship)
                .ok_or_else(|| invalid(vec![FieldError::new("relazione", "scegli la relazione con l'intestatario")]))?;
            let since = given(&m.resident_since).and_then(|t| format::parse_date(&t));
            let household = HouseholdId(parse_id("nucleo", &m.household)?);
            Some((household, MemberInput { relationship, resident_since: since, tenant_of_record: m.tenant_of_record }))
        }
    };
    write(&state, |w| {
        let person = match id {
            Some(id) => registry::update_person(w, id, &input).map(|_| id)?,
            None => registry::create_person(w, &input)?,
        };
        if let Some((household, member)) = &member {
            registry::add_member(w, *household, person, member)?;
        }
        Ok(person)
    })
}

// ---------------------------------------------------------------------------------------------
// Sportello

#[derive(Debug, Deserialize, TS)]
pub struct ContactForm {
    /// `aaaa-mm-ggThh:mm`; empty for now.
    #[serde(default)]
    pub occurred_at: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub channel: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub follow_up_on: String,
    /// A partner id, or `servizio_sociale`.
    pub refer_to: Option<String>,
    #[serde(default)]
    pub referral_reason: String,
}

#[tauri::command]
pub async fn add_contact(
    state: State<'_, AppState>,
    form: ContactForm,
) -> UiResult<quartiere_core::ids::DeskContactId> {
    let mut errors = Vec::new();
    let occurred_at = match given(&form.occurred_at) {
        None => Local::now().naive_local(),
        Some(t) => NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M").unwrap_or_else(|_| {
            errors.push(FieldError::new("quando", "data e ora non valide"));
            Local::now().naive_local()
        }),
    };
    let channel = code("canale", &form.channel, Channel::from_code, &mut errors).unwrap_or(Channel::Altro);
    let topics: Vec<Topic> =
        form.topics.iter().filter_map(|t| code("temi", t, Topic::from_code, &mut errors)).collect();
    let follow_up_on = given(&form.follow_up_on).and_then(|t| {
        let date = format::parse_date(&t);
        if date.is_none() {
            errors.push(FieldError::new("richiamo", "la data del richiamo non è valida"));
        }
        date
    });
    let person = form.person.as_deref().and_then(given).map(|p| parse_id("persona", &p).map(PersonId)).transpose()?;
    let household =
        form.household.as_deref().and_then(given).map(|h| parse_id("nucleo", &h).map(HouseholdId)).transpose()?;
    let referrals = match form.refer_to.as_deref().and_then(given) {
        None => Vec::new(),
        Some(t) if t == "servizio_sociale" => {
            vec![ReferralInput { target: ReferralTarget::ServizioSociale, reason: form.referral_reason.clone() }]
        }
        Some(t) => vec![ReferralInput {
            target: ReferralTarget::Partner(PartnerId(parse_id("invio", &t)?)),
            reason: form.referral_reason.clone(),
        }],
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    write(&state, |w| {
        let input = DeskContactInput {
            occurred_at,
            operator: w.actor().operator,
            person,
            household,
            channel,
            topics,
            note: given(&form.note),
            follow_up_on,
            referrals,
        };
        desk::add_contact(w, &input)
    })
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct ContactFilterForm {
    pub from: String,
    pub to: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub topic: String,
    pub follow_ups_only: bool,
}

#[tauri::command]
pub async fn contacts(state: State<'_, AppState>, filter: ContactFilterForm) -> UiResult<Vec<DeskContactView>> {
    let mut errors = Vec::new();
    let (from, to) = (optional_date("dal", &filter.from, &mut errors), optional_date("al", &filter.to, &mut errors));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let filter = ContactFilter {
        from,
        to,
        person: filter.person.as_deref().map(|p| parse_id("persona", p).map(PersonId)).transpose()?,
        household: filter.household.as_deref().map(|h| parse_id("nucleo", h).map(HouseholdId)).transpose()?,
        topic: Topic::from_code(&filter.topic),
        follow_up_due_by: filter.follow_ups_only.then(today),
        limit: Some(200),
        ..Default::default()
    };
    with_session(&state, |s| desk::list_contacts(&mut s.store, &s.actor, &filter))
}

// ---------------------------------------------------------------------------------------------
// Import

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

/// Validates a file and reports what an import would change, writing nothing.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: String,
    on_progress: IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    run_import(&state, &path, true, &on_progress)
}

/// Imports a file: all of it, or nothing if any row is invalid. The file is validated again, so
/// what is written is what the file holds now.
#[tauri::command]
pub async fn import_confirm(
    state: State<'_, AppState>,
    path: String,
    on_progress: IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    run_import(&state, &path, false, &on_progress)
}

fn run_import(
    state: &AppState,
    path: &str,
    dry_run: bool,
    on_progress: &IpcChannel<ImportProgress>,
) -> UiResult<ImportReport> {
    let options = ImportOptions { dry_run, today: today() };
    // Reading happens outside the lock: a large workbook must not hold up the rest of the UI.
    let sheet = import::read_sheet(Path::new(path))?;
    with_session(state, |s| {
        let actor = s.actor;
        import::import_sheet_with_progress(&mut s.store, &actor, &sheet, options, &mut |step| {
            // A closed window is not the import's problem: the report still comes back.
            let _ = on_progress.send(step);
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Startup

/// The environment variable the startup benchmark sets to hear when the first screen is up.
pub const STARTUP_PROBE: &str = "QUARTIERE_STARTUP_PROBE";

/// The UI calls this once, when its first screen is painted with its data; `page_ms` is how long
/// that took since the page began loading. It does nothing unless [`STARTUP_PROBE`] is set, in
/// which case it prints `ready PAGE_MS` on stdout.
#[tauri::command]
pub async fn ready(page_ms: f64) {
    if std::env::var_os(STARTUP_PROBE).is_some() {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "ready {page_ms:.0}");
        let _ = out.flush();
    }
}

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, TS)]
pub struct Settings {
    /// The desk's name (only a coordinator changes it).
    pub desk: String,
    /// `it` or `en`.
    pub language: String,
}

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> UiResult<Settings> {
    with_session(&state, |s| {
        Ok(Settings {
            desk: registry::desk_name(s.store.conn(), s.actor.desk)?,
            language: s.store.local_setting("language")?.unwrap_or_else(|| "it".into()),
        })
    })
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> UiResult<Settings> {
    if !matches!(settings.language.as_str(), "it" | "en") {
        return Err(invalid(vec![FieldError::new("lingua", "scegli italiano o inglese")]));
    }
    with_session(&state, |s| {
        // The desk's name is checked (and its change allowed) before anything is stored, so a
        // refused change leaves the settings as they were.
        let current = registry::desk_name(s.store.conn(), s.actor.desk)?;
        if settings.desk.trim() != current {
            let actor = s.actor;
            accounts::rename_desk(&mut s.store, &actor, &settings.desk)?;
        }
        s.store.set_local_setting("language", &settings.language)
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
    pub partners: Vec<(PartnerId, String)>,
}

macro_rules! choices {
    ($t:ty) => {
        <$t>::ALL.iter().map(|v| Choice { code: v.code(), it: v.label_it(), en: v.label_en() }).collect()
    };
}

#[tauri::command]
pub async fn choices(state: State<'_, AppState>) -> UiResult<Choices> {
    let partners = with_session(&state, |s| {
        if access::allows(s.role, Action::ReadRegistry) {
            registry::list_partners(s.store.conn(), &s.actor)
        } else {
            Ok(Vec::new())
        }
    })?;
    Ok(Choices {
        relationships: choices!(Relationship),
        channels: choices!(Channel),
        topics: choices!(Topic),
        labour_statuses: choices!(LabourStatus),
        isced: choices!(Isced),
        esf_answers: choices!(EsfAnswer),
        partners: partners.into_iter().map(|p| (p.id, p.fields.name)).collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Sync

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

// ---------------------------------------------------------------------------------------------
// Signing in, locking, operators

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

fn open_session<R: Runtime>(app: &AppHandle<R>, state: &AppState, signed: accounts::SignedIn) -> UiResult<Me> {
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
        let _ = window.set_title(&format!("Quartiere — {} nuclei, {} persone", counts.households, counts.people));
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

// ---------------------------------------------------------------------------------------------
// Audit log

/// The environment variable that, when set, names the folder where exports are saved instead of
/// asking with the system's save dialog (which tests cannot drive).
pub const SAVE_DIR_SEAM: &str = "QUARTIERE_SAVE_DIR";

/// Asks where to save a file the app writes (an export); `None` when the dialog is closed.
fn pick_save_path<R: Runtime>(app: &AppHandle<R>, title: &str, suggested: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(SAVE_DIR_SEAM).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(dir).join(suggested));
    }
    app.dialog().file().set_title(title).set_file_name(suggested).blocking_save_file().and_then(|p| p.into_path().ok())
}

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

// ---------------------------------------------------------------------------------------------
// Backups

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

// ---------------------------------------------------------------------------------------------
// Rights: consents, access and erasure requests, retention

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
