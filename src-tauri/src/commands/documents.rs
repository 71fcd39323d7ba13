//! Printing the training and case documents: the enrolment form, the course register and the
//! participant's plan, opened in the system's viewer or saved where the dialog says.

use quartiere_core::ids::{CaseId, CourseId, EnrolmentId};
use quartiere_core::printing::Printed;
use serde::Deserialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use super::activities::{cannot_write, file_safe, open_pdf, prints_folder, SheetAction, SheetFile};
use super::{parse_id, pick_save_path, today, with_session, UiResult};
use crate::AppState;

/// Which document: the enrolment form of an enrolment, a course's register, a case's plan.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Enrolment,
    Register,
    Plan,
    /// A repayment plan's agreement, to sign.
    Agreement,
}

/// Makes the document and opens or saves it; `None` if the save dialog was closed.
#[tauri::command]
pub async fn print_document<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: DocumentKind,
    id: String,
    action: SheetAction,
) -> UiResult<Option<SheetFile>> {
    let uuid = parse_id("documento", &id)?;
    let printed: Printed = with_session(&state, |s| {
        let actor = s.actor;
        match kind {
            DocumentKind::Enrolment => {
                quartiere_core::training::documents::enrolment_form(&mut s.store, &actor, EnrolmentId(uuid), today())
            }
            DocumentKind::Register => {
                quartiere_core::training::documents::course_register(&mut s.store, &actor, CourseId(uuid), today())
            }
            DocumentKind::Plan => quartiere_core::cases::plan_document(&mut s.store, &actor, CaseId(uuid), today()),
            DocumentKind::Agreement => quartiere_core::arrears::agreement::agreement_document(
                &mut s.store,
                &actor,
                quartiere_core::ids::PlanId(uuid),
                today(),
            ),
        }
    })?;
    let path = match action {
        SheetAction::Save => {
            let name = format!("{}.pdf", file_safe(&printed.title));
            match pick_save_path(&app, "Salva il documento", &name) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
        // Inside the data folder, emptied at every sign-in: a document lists residents.
        SheetAction::Open => prints_folder(&state)?.join(format!("{}.pdf", printed.id)),
    };
    std::fs::write(&path, &printed.pdf).map_err(|e| cannot_write(&path, &e))?;
    if let SheetAction::Open = action {
        open_pdf(&app, &path)?;
    }
    Ok(Some(SheetFile { code: printed.id, path: path.display().to_string() }))
}
