//! Attendance sheets: printed from the template `foglio-presenze.typ` with one row per invited
//! person and blank rows for walk-ins, each with a code (`FP-1A2B3C4D`) on every page and in its
//! QR code. After the activity the code (typed, or read by a scanner that types it) opens the
//! sheet to record who came.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde_json::json;

use super::detail;
use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::{ActivityId, SheetId};
use crate::schema::Table;
use crate::store::{Actor, Store};

/// Blank rows at the end of every sheet, for people who come without an invitation.
pub const BLANK_ROWS: usize = 8;

/// A printed sheet: its code and its PDF.
#[derive(Debug, Clone)]
pub struct PrintedSheet {
    pub id: SheetId,
    pub code: String,
    pub pdf: Vec<u8>,
}

/// The code printed on a sheet: `FP-` and the last eight hex digits of its id (the random part of
/// a UUID v7, so two sheets printed in the same minute do not share it).
pub fn sheet_code(id: SheetId) -> String {
    let hex = id.0.simple().to_string();
    format!("FP-{}", hex[hex.len() - 8..].to_uppercase())
}

/// The sheet a typed or scanned code names: `FP-1A2B3C4D`, `fp 1a2b3c4d`, `1A2B3C4D`, or its id.
pub fn resolve_sheet(store: &Store, text: &str) -> Result<SheetId> {
    let cleaned: String = text.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let key = cleaned.strip_prefix("fp-").or_else(|| cleaned.strip_prefix("fp")).unwrap_or(&cleaned).to_string();
    let hex: String = key.chars().filter(|c| *c != '-').collect();
    let not_found = || Error::NotFound { what: "foglio presenze", key: text.trim().to_string() };
    if hex.len() < 8 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let ids: Vec<SheetId> = store
        .conn()
        .prepare("SELECT id FROM attendance_sheet WHERE deleted = 0 AND replace(id, '-', '') LIKE '%' || ?1 LIMIT 2")?
        .query_map([&hex], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => Ok(*one),
        [] => Err(not_found()),
        _ => Err(Error::Ambiguous { key: text.trim().to_string() }),
    }
}

/// The activity a sheet was printed for, with its people as recorded so far.
pub fn sheet_activity(store: &Store, actor: &Actor, sheet: SheetId) -> Result<super::ActivityDetail> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let activity: ActivityId = store
        .conn()
        .query_row("SELECT activity_id FROM attendance_sheet WHERE id = ?1 AND deleted = 0", [sheet], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "foglio presenze", key: sheet_code(sheet) })?;
    detail(store.conn(), activity)
}

/// Prints a new sheet for an activity: records it (who printed it, how many people it lists) and
/// the printing in the audit log, and returns its PDF. `lab_templates`: the data folder's
/// `modelli/` folder, where the lab's own copy of the template may be.
pub fn print_sheet(
    store: &mut Store,
    actor: &Actor,
    activity: ActivityId,
    today: NaiveDate,
    lab_templates: Option<&std::path::Path>,
) -> Result<PrintedSheet> {
    access::require(store.conn(), actor, Action::RecordActivities)?;
    let detail = detail(store.conn(), activity)?;
    let (project, funding) = crate::printing::heading(store)?;
    let invited: Vec<_> = detail.people.iter().filter(|p| p.invited).collect();
    // The sheet's id is made first, so the PDF carries it; nothing is recorded unless the PDF is made.
    let id = SheetId(store.new_id());
    let code = sheet_code(id);
    let a = &detail.activity;
    let data = json!({
        "progetto": project,
        "finanziamento": funding,
        "id": code,
        "attivita": {
            "tipo": crate::printing::capitalised(a.kind.label_it()),
            "titolo": a.title,
            "asse": a.axis.map(|x| crate::printing::capitalised(x.label_it())).unwrap_or_else(|| "Asse non indicato".into()),
            "data": format::date_long(a.held_on),
            "orario": format!("{}-{}", a.starts_at, a.ends_at),
            "luogo": a.venue,
            "tema": a.topic.clone().unwrap_or_default(),
        },
        "operatori": detail.operators,
        "partner": detail.partners,
        "partecipanti": invited.iter().map(|p| json!({ "nome": p.name, "dettaglio": p.lives_at.clone().unwrap_or_default() })).collect::<Vec<_>>(),
        "righe_libere": BLANK_ROWS,
    });
    let pdf = quartiere_docs::render(&quartiere_docs::Request {
        template: "foglio-presenze",
        data: &data,
        id: &code,
        date: today,
        lab_templates,
    })
    .map_err(|e| Error::Document(e.to_string()))?;
    let printed_at = store.now().to_rfc3339();
    store.write(actor, |w| {
        w.insert(
            Table::AttendanceSheet,
            id.0,
            &[
                ("activity_id", activity.to_string().into()),
                ("printed_at", printed_at.clone().into()),
                ("printed_by", actor.operator.to_string().into()),
                ("people", (invited.len() as i64).into()),
            ],
        )
    })?;
    audit::record(
        store,
        actor,
        AuditKind::Print,
        Some((Table::Activity, activity.0)),
        &format!("foglio presenze {code}"),
    )?;
    Ok(PrintedSheet { id, code, pdf })
}
