//! The ente gestore's statement (estratto conto): one row per dwelling and month with what was
//! billed and paid, rent and service charges apart, as CSV or a spreadsheet. Read like the
//! Comune's lists (same reader, same rules): every row is checked first, every problem is named
//! with its row, column and reason, and nothing is written unless the whole file is right.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::draft::{parse_period, MonthInput};
use super::schedule::last_day;
use crate::access::{self, Action};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::HouseholdId;
use crate::import::{read_sheet, RowError, Sheet};
use crate::store::{parse_uuid, Actor, Store};
use crate::text::fold;

/// The statement's columns, by our name, with the headers statements use for them.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "codice_alloggio",
        &[
            "codice_alloggio",
            "cod_alloggio",
            "alloggio",
            "codice_unita",
            "codice_ui",
            "id_alloggio",
            "codice_contratto",
            "contratto",
        ],
    ),
    ("periodo", &["periodo", "mese", "competenza", "mese_competenza", "mese_di_competenza", "periodo_di_competenza"]),
    ("canone", &["canone", "canone_addebitato", "addebito_canone", "canone_di_locazione", "importo_canone"]),
    ("spese", &["spese", "servizi", "servizi_a_rimborso", "spese_addebitate", "addebito_spese", "oneri_accessori"]),
    ("canone_pagato", &["canone_pagato", "pagato_canone", "incassato_canone", "versato_canone"]),
    ("spese_pagate", &["spese_pagate", "servizi_pagati", "pagato_spese", "incassato_spese", "versato_spese"]),
];

fn column_of(header: &str) -> Option<&'static str> {
    let key = fold(header).replace([' ', '.', '-'], "_");
    COLUMNS.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(name, _)| *name)
}

/// What a statement did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatementReport {
    pub rows: usize,
    pub households: usize,
    /// Months new to the account.
    pub added: usize,
    /// Months whose figures changed.
    pub changed: usize,
    pub unchanged: usize,
    /// Every problem; when there is one, nothing was written.
    pub errors: Vec<RowError>,
}

struct Line {
    row: usize,
    household: HouseholdId,
    month: MonthInput,
}

/// The household living in each dwelling (by the ente gestore's code) at a month's end.
fn household_at(conn: &Connection, code: &str, month_end: NaiveDate) -> Result<Option<HouseholdId>> {
    let day = month_end.to_string();
    let id: Option<String> = conn
        .prepare_cached(
            "SELECT h.id FROM household h JOIN dwelling d ON d.id = h.dwelling_id
             WHERE d.code = ?1 AND d.deleted = 0 AND h.deleted = 0
               AND (h.formed_on IS NULL OR h.formed_on <= ?2) AND (h.dissolved_on IS NULL OR h.dissolved_on > ?2)
             ORDER BY h.formed_on DESC, h.id LIMIT 1",
        )?
        .query_row(params![code, day], |r| r.get(0))
        .map(Some)
        .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
    id.map(|i| parse_uuid(&i).map(HouseholdId)).transpose()
}

fn check(conn: &Connection, sheet: &Sheet) -> Result<(Vec<Line>, Vec<RowError>)> {
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in sheet.headers.iter().enumerate() {
        if let Some(name) = column_of(h) {
            at.entry(name).or_insert(i);
        }
    }
    let mut errors = Vec::new();
    for required in ["codice_alloggio", "periodo", "canone", "spese"] {
        if !at.contains_key(required) {
            errors.push(RowError {
                row: sheet.header_row,
                column: required.into(),
                reason: format!(
                    "manca la colonna «{required}»: l'estratto conto deve avere codice_alloggio, periodo, canone e spese \
                     (e, se ci sono, canone_pagato e spese_pagate)"
                ),
            });
        }
    }
    if !errors.is_empty() {
        return Ok((Vec::new(), errors));
    }
    let cell = |cells: &[String], name: &str| -> String {
        at.get(name).and_then(|i| cells.get(*i)).map(|c| c.trim().to_string()).unwrap_or_default()
    };
    let mut lines = Vec::new();
    let mut seen: HashMap<(String, NaiveDate), usize> = HashMap::new();
    for (row, cells) in &sheet.rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut problem =
            |column: &str, reason: String| errors.push(RowError { row: *row, column: column.into(), reason });
        let code = cell(cells, "codice_alloggio");
        let period = cell(cells, "periodo");
        let month = parse_period(&period);
        if code.is_empty() {
            problem("codice_alloggio", "manca il codice dell'alloggio".into());
        }
        if month.is_none() {
            problem("periodo", format!("«{period}» non è un mese: scrivi mm/aaaa (03/2026)"));
        }
        let mut amounts = [0_i64; 4];
        for (slot, name) in ["canone", "spese", "canone_pagato", "spese_pagate"].into_iter().enumerate() {
            let text = cell(cells, name);
            if text.is_empty() {
                continue;
            }
            match format::parse_money(&text) {
                Ok(v) if v >= 0 => amounts[slot] = v,
                Ok(_) => problem(name, format!("«{text}»: l'importo non può essere negativo")),
                Err(reason) => problem(name, reason),
            }
        }
        let (Some(month), false) = (month, code.is_empty()) else { continue };
        if let Some(first) = seen.insert((code.clone(), month), *row) {
            problem("periodo", format!("l'alloggio {code} ha già il mese {} alla riga {first}", month.format("%m/%Y")));
            continue;
        }
        match household_at(conn, &code, last_day(month))? {
            Some(household) => lines.push(Line {
                row: *row,
                household,
                month: MonthInput {
                    month,
                    rent_billed: amounts[0],
                    charges_billed: amounts[1],
                    rent_paid: amounts[2],
                    charges_paid: amounts[3],
                },
            }),
            None => {
                let known: bool = conn
                    .prepare_cached("SELECT count(*) > 0 FROM dwelling WHERE code = ?1 AND deleted = 0")?
                    .query_row([&code], |r| r.get(0))?;
                problem(
                    "codice_alloggio",
                    if known {
                        format!("nessun nucleo abitava l'alloggio {code} a fine {}", month.format("%m/%Y"))
                    } else {
                        format!("l'alloggio {code} non è nell'anagrafica: importa prima l'elenco del Comune o correggi il codice")
                    },
                );
            }
        }
    }
    Ok((lines, errors))
}

/// Imports a statement file; with `dry_run`, only says what it would do. A file with any problem
/// writes nothing and the report lists every problem. Needs [`Action::RecordArrears`].
pub fn import_statement(store: &mut Store, actor: &Actor, path: &Path, dry_run: bool) -> Result<StatementReport> {
    access::require(store.conn(), actor, Action::RecordArrears)?;
    let sheet = read_sheet(path)?;
    import_statement_sheet(store, actor, &sheet, dry_run)
}

/// [`import_statement`] over cells already read.
pub fn import_statement_sheet(
    store: &mut Store,
    actor: &Actor,
    sheet: &Sheet,
    dry_run: bool,
) -> Result<StatementReport> {
    access::require(store.conn(), actor, Action::RecordArrears)?;
    let (lines, errors) = check(store.conn(), sheet)?;
    let mut report = StatementReport { rows: sheet.rows.len(), errors, ..Default::default() };
    if lines.is_empty() && report.errors.is_empty() {
        return Err(Error::Import("l'estratto conto non ha righe".into()));
    }
    report.households = lines.iter().map(|l| l.household).collect::<std::collections::HashSet<_>>().len();
    // What each line does to the account.
    let existing: HashMap<(String, String), [i64; 4]> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT household_id, period, rent_billed, charges_billed, rent_paid, charges_paid FROM account_period WHERE deleted = 0",
        )?;
        let rows =
            stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?])))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut to_write = Vec::new();
    for line in &lines {
        let key = (line.household.to_string(), super::period_code(line.month.month));
        let values = [line.month.rent_billed, line.month.charges_billed, line.month.rent_paid, line.month.charges_paid];
        match existing.get(&key) {
            None => report.added += 1,
            Some(v) if *v == values => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => report.changed += 1,
        }
        to_write.push(line);
    }
    if dry_run || !report.errors.is_empty() || to_write.is_empty() {
        return Ok(report);
    }
    store.write(actor, |w| {
        for line in &to_write {
            super::record_month(w, line.household, &line.month, "estratto")
                .map_err(|e| Error::Import(format!("riga {}: {e}", line.row)))?;
        }
        Ok(())
    })?;
    Ok(report)
}
