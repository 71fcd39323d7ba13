//! Activities: the list and calendar, a new activity, invitations, attendance sheets printed or
//! saved, and who came, recorded from a sheet's code.

use std::path::PathBuf;

use chrono::NaiveDate;
use quartiere_core::activities::{
    self, ActivityDetail, ActivityDraft, ActivitySummary, AttendanceCount, AttendanceInput, Invitee, ScanInfo,
};
use quartiere_core::draft::given;
use quartiere_core::ids::{ActivityId, HouseholdId, PartnerId, PersonId};
use quartiere_core::FieldError;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use super::{invalid, parse_id, pick_save_path, today, with_session, write, UiError, UiResult};
use crate::AppState;

/// The activities from `from` to `to` (`aaaa-mm-gg`, both included).
#[tauri::command]
pub async fn activities(state: State<'_, AppState>, from: String, to: String) -> UiResult<Vec<ActivitySummary>> {
    let day = |field: &str, text: &str| {
        text.parse::<NaiveDate>().map_err(|_| invalid(vec![FieldError::new(field, format!("«{text}» non è una data"))]))
    };
    let (from, to) = (day("da", &from)?, day("a", &to)?);
    with_session(&state, |s| activities::list(&s.store, &s.actor, Some(from), Some(to)))
}

#[tauri::command]
pub async fn activity(state: State<'_, AppState>, id: String) -> UiResult<ActivityDetail> {
    let id = ActivityId(parse_id("attività", &id)?);
    with_session(&state, |s| activities::show(&s.store, &s.actor, id))
}

/// A new activity as the form has it; field names are the core's (`tipo`, `titolo`, ...).
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub axis: String,
    pub title: String,
    /// `gg/mm/aaaa` or `aaaa-mm-gg`.
    pub date: String,
    pub start: String,
    pub end: String,
    pub venue: String,
    pub topic: String,
    pub weeks: String,
    /// Partners organising it with the lab (their ids).
    pub partners: Vec<String>,
}

/// Creates an activity (a weekly series with `weeks` above 1); returns the first one's id.
#[tauri::command]
pub async fn create_activity(state: State<'_, AppState>, form: ActivityForm) -> UiResult<ActivityId> {
    let draft = ActivityDraft {
        kind: form.kind,
        axis: form.axis,
        title: form.title,
        date: form.date,
        start: form.start,
        end: form.end,
        venue: form.venue,
        topic: form.topic,
        weeks: form.weeks,
    };
    let (mut input, weeks) = draft.parse()?;
    input.partners =
        form.partners.iter().map(|p| parse_id("partner", p).map(PartnerId)).collect::<UiResult<Vec<_>>>()?;
    let ids = write(&state, |w| activities::create(w, &input, weeks))?;
    ids.first().copied().ok_or_else(super::internal)
}

/// Who to invite: one person, one household, or the people at an address (street, and optionally
/// civic number and staircase). Exactly one of the three.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct InviteForm {
    pub person: String,
    pub household: String,
    pub street: String,
    pub civic: String,
    pub scala: String,
}

/// Invites people to an activity; returns how many were newly invited.
#[tauri::command]
pub async fn invite(state: State<'_, AppState>, activity: String, form: InviteForm) -> UiResult<u32> {
    let activity = ActivityId(parse_id("attività", &activity)?);
    let who = if let Some(p) = given(&form.person) {
        Invitee::Person(PersonId(parse_id("persona", &p)?))
    } else if let Some(h) = given(&form.household) {
        Invitee::Household(HouseholdId(parse_id("nucleo", &h)?))
    } else if let Some(street) = given(&form.street) {
        Invitee::Address { street, civic: given(&form.civic), scala: given(&form.scala) }
    } else {
        return Err(invalid(vec![FieldError::new("via", "scrivi la via (e se vuoi civico e scala) di chi invitare")]));
    };
    write(&state, |w| activities::invite(w, activity, &who)).map(|n| n as u32)
}

/// A sheet printed: its code, and where its PDF was written.
#[derive(Debug, Serialize, TS)]
pub struct SheetFile {
    pub code: String,
    pub path: String,
}

/// What to do with a new sheet: open it in the system's PDF viewer, or save it where the
/// operator says.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SheetAction {
    Open,
    Save,
}

/// The environment variable that, when set, names a command run with the PDF's path instead of
/// the system's viewer (tests check the file; a desk with no viewer can name one).
pub const VIEWER_SEAM: &str = "QUARTIERE_PDF_VIEWER";

/// Prints a new attendance sheet for an activity and opens or saves it; `None` if the save dialog
/// was closed (then nothing is recorded).
#[tauri::command]
pub async fn print_sheet<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    activity: String,
    action: SheetAction,
) -> UiResult<Option<SheetFile>> {
    let activity = ActivityId(parse_id("attività", &activity)?);
    let title = with_session(&state, |s| activities::show(&s.store, &s.actor, activity))?.activity.title;
    let path = match action {
        SheetAction::Save => {
            let name = format!("Foglio presenze - {}.pdf", file_safe(&title));
            match pick_save_path(&app, "Salva il foglio presenze", &name) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
        SheetAction::Open => prints_folder(&state)?.join("foglio-presenze.pdf"),
    };
    let lab = quartiere_core::docs::lab_folder(&state.dir);
    let printed =
        with_session(&state, |s| activities::print_sheet(&mut s.store, &s.actor, activity, today(), Some(&lab)))?;
    let path = match action {
        // Each printout its own file, so a viewer still showing the last one is not overwritten.
        SheetAction::Open => path.with_file_name(format!("{}.pdf", printed.code)),
        SheetAction::Save => path,
    };
    std::fs::write(&path, &printed.pdf).map_err(|e| cannot_write(&path, &e))?;
    if let SheetAction::Open = action {
        open_pdf(&app, &path)?;
    }
    Ok(Some(SheetFile { code: printed.code, path: path.display().to_string() }))
}

/// The folder where sheets opened for printing are written: inside the data folder (never a
/// shared temporary folder, since a sheet lists residents), emptied at every sign-in.
pub(crate) fn prints_folder(state: &AppState) -> UiResult<PathBuf> {
    let dir = state.dir.join("stampe");
    std::fs::create_dir_all(&dir).map_err(|e| cannot_write(&dir, &e))?;
    Ok(dir)
}

/// Removes the sheets written for printing in an earlier session.
pub(crate) fn clear_prints(dir: &std::path::Path) {
    let _ = std::fs::remove_dir_all(dir.join("stampe"));
}

pub(super) fn open_pdf<R: Runtime>(app: &AppHandle<R>, path: &std::path::Path) -> UiResult<()> {
    let failed = |e: &dyn std::fmt::Display| UiError {
        kind: super::UiErrorKind::Core(quartiere_core::ErrorKind::Document),
        message: format!("il file è pronto in {} ma non riesco ad aprirlo ({e}): aprilo da lì", path.display()),
        fields: Vec::new(),
    };
    match std::env::var_os(VIEWER_SEAM).filter(|v| !v.is_empty()) {
        Some(viewer) => {
            let status = std::process::Command::new(viewer).arg(path).status().map_err(|e| failed(&e))?;
            if status.success() {
                Ok(())
            } else {
                Err(failed(&status))
            }
        }
        None => app.opener().open_path(path.display().to_string(), None::<&str>).map_err(|e| failed(&e)),
    }
}

pub(super) fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> UiError {
    UiError {
        kind: super::UiErrorKind::Core(quartiere_core::ErrorKind::Document),
        message: format!("non riesco a scrivere {}: {e}", path.display()),
        fields: Vec::new(),
    }
}

/// A title as part of a file name: no path separators or characters Windows refuses.
pub(super) fn file_safe(title: &str) -> String {
    let cleaned: String =
        title.chars().map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { ' ' } else { c }).collect();
    let trimmed: String = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    trimmed.chars().take(60).collect()
}

/// A sheet found by its code, with its activity.
#[derive(Debug, Serialize, TS)]
pub struct SheetView {
    pub sheet: String,
    pub code: String,
    pub detail: ActivityDetail,
}

/// Opens a sheet by the code typed or scanned (`FP-1A2B3C4D`).
#[tauri::command]
pub async fn sheet(state: State<'_, AppState>, code: String) -> UiResult<SheetView> {
    with_session(&state, |s| {
        let sheet = activities::resolve_sheet(&s.store, &code)?;
        let activity = activities::sheet_activity(&s.store, &s.actor, sheet)?;
        Ok(SheetView { sheet: sheet.to_string(), code: activities::sheet_code(sheet), detail: activity })
    })
    .map_err(|e| {
        if matches!(e.kind, super::UiErrorKind::Core(quartiere_core::ErrorKind::NotFound)) {
            invalid(vec![FieldError::new(
                "codice",
                format!("nessun foglio presenze ha il codice «{}»: controlla le lettere e i numeri", code.trim()),
            )])
        } else {
            e
        }
    })
}

/// Who came, as the operator ticked it from a signed sheet.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct AttendanceForm {
    pub present: Vec<String>,
    pub walk_ins: Vec<String>,
    /// Hours each attended (training sessions): `2`, `1,5`, `1:30`; blank for other activities.
    pub hours: String,
}

#[tauri::command]
pub async fn record_attendance(
    state: State<'_, AppState>,
    sheet: String,
    form: AttendanceForm,
) -> UiResult<AttendanceCount> {
    let sheet = quartiere_core::ids::SheetId(parse_id("foglio", &sheet)?);
    let people = |list: &[String]| -> UiResult<Vec<PersonId>> {
        list.iter().map(|p| parse_id("persona", p).map(PersonId)).collect()
    };
    let mut errors = Vec::new();
    let minutes = quartiere_core::draft::hours("ore", &form.hours, &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let input = AttendanceInput { present: people(&form.present)?, walk_ins: people(&form.walk_ins)?, minutes };
    write(&state, |w| activities::record_attendance(w, sheet, &input))
}

/// A line of the minutes as the form has it.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct MinuteForm {
    /// `tema`, `decisione`, `impegno`.
    pub kind: String,
    pub text: String,
    pub owner: String,
    /// `gg/mm/aaaa`, `+7`, `domani`.
    pub due: String,
}

#[tauri::command]
pub async fn add_minute(state: State<'_, AppState>, activity: String, form: MinuteForm) -> UiResult<()> {
    let activity = ActivityId(parse_id("attività", &activity)?);
    let draft = activities::MinuteDraft { kind: form.kind, text: form.text, owner: form.owner, due: form.due };
    let input = draft.parse(today())?;
    write(&state, |w| activities::add_minute(w, activity, &input).map(drop))
}

/// Marks a follow-up of some minutes done today.
#[tauri::command]
pub async fn complete_minute(state: State<'_, AppState>, item: String) -> UiResult<()> {
    let item = parse_id("impegno", &item)?;
    write(&state, |w| activities::complete_follow_up(w, item, today()))
}

/// The environment variable that, when set, names the file the scan picker returns instead of
/// asking with the system's open dialog (which tests cannot drive).
pub const SCAN_FILE_SEAM: &str = "QUARTIERE_SCAN_FILE";

/// Attaches the scan of a signed sheet (by its code), chosen with the open dialog; `None` if the
/// dialog was closed.
#[tauri::command]
pub async fn attach_scan<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    sheet: String,
) -> UiResult<Option<ScanInfo>> {
    let path = match std::env::var_os(SCAN_FILE_SEAM).filter(|p| !p.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => {
            let picked = app
                .dialog()
                .file()
                .set_title("Scegli la scansione del foglio firmato")
                .add_filter("PDF o immagine", &["pdf", "jpg", "jpeg", "png", "tif", "tiff"])
                .blocking_pick_file();
            match picked.and_then(|p| p.into_path().ok()) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = std::fs::read(&path)
        .map_err(|e| invalid(vec![FieldError::new("scansione", format!("non riesco a leggere «{name}»: {e}"))]))?;
    with_session(&state, |s| {
        let sheet = activities::resolve_sheet(&s.store, &sheet)?;
        activities::attach_scan(&mut s.store, &s.actor, sheet, &name, &bytes)
    })
    .map(Some)
}

/// Opens a scan in the system's viewer (written, like the sheets to print, inside the data folder).
#[tauri::command]
pub async fn open_scan<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: String) -> UiResult<()> {
    let id = parse_id("scansione", &id)?;
    let (name, _, bytes) = with_session(&state, |s| activities::scan_file(&mut s.store, &s.actor, id))?;
    let path = prints_folder(&state)?.join(file_safe(&name));
    std::fs::write(&path, bytes).map_err(|e| cannot_write(&path, &e))?;
    open_pdf(&app, &path)
}
