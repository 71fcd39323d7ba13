//! What every document the core prints shares: the project's lines at the top, rendering through
//! the document engine with the lab's own templates if any, the printout recorded in the audit log.

use chrono::NaiveDate;
use rusqlite::OptionalExtension;

use crate::error::{Error, Result};
use crate::store::Store;

/// A document made: its id (printed on it), a title for its file name, and the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub id: String,
    pub title: String,
    pub pdf: Vec<u8>,
}

/// The project's line (with the desk's name) and the funder's, at the top of every document.
pub(crate) fn heading(store: &Store) -> Result<(String, String)> {
    let desk: Option<String> =
        store.conn().query_row("SELECT name FROM desk WHERE id = ?1", [store.desk()], |r| r.get(0)).optional()?;
    Ok((
        format!("Laboratorio sociale di quartiere{}", desk.map(|d| format!(" · {d}")).unwrap_or_default()),
        "Progetto cofinanziato dal Fondo Sociale Europeo Plus (FSE+)".to_string(),
    ))
}

/// Renders `template` with `data`; the lab's own copy in the data folder's `modelli/` wins.
pub(crate) fn render(
    store: &Store,
    template: &str,
    data: &serde_json::Value,
    id: &str,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let lab = quartiere_docs::lab_folder(store.dir());
    quartiere_docs::render(&quartiere_docs::Request { template, data, id, date: today, lab_templates: Some(&lab) })
        .map_err(|e| Error::Document(e.to_string()))
}

/// A short document id from a record's id: `PREFIX-` and its last eight hex digits.
pub(crate) fn short_id(prefix: &str, id: uuid::Uuid) -> String {
    let hex = id.simple().to_string().to_uppercase();
    format!("{prefix}-{}", &hex[hex.len() - 8..])
}

/// Minutes as `h:mm`.
pub(crate) fn hours(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The first letter in capitals.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}
