//! Applying another desk's changes: column-level last-writer-wins on (hybrid logical clock, desk).
//!
//! Commutative, idempotent and order-independent: a change is kept in the change record whatever
//! its order of arrival (the history), and a column takes the value of its highest (hlc, desk)
//! change. A change already present (same cell, clock and desk) is skipped. When the writer of a
//! change had not seen the value it overrides (its frontier does not cover the bundle that
//! published it), the two edits were concurrent: the losing value is kept in `sync_conflict`.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

use super::base;
use super::format::WireChange;
use crate::clock::Hlc;
use crate::error::Result;
use crate::ids::DeskId;
use crate::schema::Table;
use crate::search;
use crate::store::{same_value, upsert_row};

/// Tables a snapshot may load in bulk: not the desks, operators and audit events, whose whole
/// history the sync checks read from the change record.
fn bulk_loadable(table: Table) -> bool {
    !matches!(table, Table::Desk | Table::Operator | Table::AuditEvent)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Changes new to this desk (recorded in its change record).
    pub new: usize,
    /// Changes already present (duplicates), skipped.
    pub duplicates: usize,
    /// New conflicts kept for review.
    pub conflicts: usize,
}

struct Cell {
    column: &'static str,
    value: Value,
    hlc: Hlc,
    desk: DeskId,
    origin_seq: Option<u64>,
    operator: Uuid,
}

impl Cell {
    fn rank(&self) -> (Hlc, DeskId) {
        (self.hlc, self.desk)
    }
}

/// Merges `changes` inside `tx`. `contexts` are the causal contexts the changes point into. Returns the stats and the newest clock seen.
pub fn merge(
    tx: &Transaction<'_>,
    changes: &[WireChange],
    contexts: &[BTreeMap<DeskId, u64>],
    now: &str,
) -> Result<(MergeStats, Option<Hlc>)> {
    let mut stats = MergeStats::default();
    let mut newest: Option<Hlc> = None;
    let mut touched = BTreeSet::new();
    let open_conflicts: i64 =
        tx.query_row("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL", [], |r| r.get(0))?;
    let has_base = base::any(tx)?;
    let mut existing_stmt = tx.prepare_cached(
        "SELECT col, value, hlc, desk_id, origin_seq, operator_id FROM change_log WHERE tbl = ?1 AND row_id = ?2",
    )?;
    let mut insert_stmt = tx.prepare_cached(
        "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id, origin_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut conflict_stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO sync_conflict (tbl, row_id, col, winner_value, winner_hlc, winner_desk,
             loser_value, loser_hlc, loser_desk, loser_operator, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut settle_stmt = tx.prepare_cached(
        "UPDATE sync_conflict SET resolved_at = ?5, resolution = 'superseded'
         WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 AND resolved_at IS NULL AND loser_hlc < ?4 AND winner_hlc < ?4",
    )?;

    // A bundle's changes share a few batches, desks and operators: their text forms are made once.
    let mut texts = Texts::default();
    for group in changes.chunk_by(|a, b| a.table == b.table && a.row_id == b.row_id) {
        let (table, row_id) = (group[0].table, group[0].row_id);
        let row_text = row_id.to_string();
        let mut cells: Vec<Cell> = Vec::new();
        let mut rows = existing_stmt.query(params![table.name(), row_text])?;
        while let Some(r) = rows.next()? {
            // Every recorded column is one of the table's (written through the schema).
            let Some(column) = table.column(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?) else { continue };
            cells.push(Cell {
                column,
                value: r.get(1)?,
                hlc: Hlc::from_i64(r.get(2)?),
                desk: r.get(3)?,
                origin_seq: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
                operator: Uuid::parse_str(&r.get::<_, String>(5)?).unwrap_or_default(),
            });
        }
        if has_base {
            let base = base::cells_of(tx, table, row_id)?;
            if !base.is_empty() {
                // A base cell's value is the row's: right for its column's winner, the only cell
                // whose value the merge reads.
                let values = row_values(tx, table, row_id)?.unwrap_or_default();
                cells.extend(base.into_iter().map(|b| Cell {
                    column: b.column,
                    value: column_value(table, &values, b.column),
                    hlc: b.hlc,
                    desk: b.desk,
                    origin_seq: Some(b.origin_seq),
                    operator: b.operator.0,
                }));
            }
        }
        let mut winners: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, cell) in cells.iter().enumerate() {
            let slot = winners.entry(cell.column).or_insert(i);
            if cell.rank() > cells[*slot].rank() {
                *slot = i;
            }
        }
        let mut changed: BTreeMap<&str, Value> = BTreeMap::new();
        for c in group {
            newest = newest.max(Some(c.hlc));
            if cells.iter().any(|e| e.column == c.column && e.hlc == c.hlc && e.desk == c.desk) {
                stats.duplicates += 1;
                continue;
            }
            insert_stmt.execute(params![
                texts.of(c.batch),
                table.name(),
                row_text,
                c.column,
                c.value,
                c.hlc.as_i64(),
                texts.of(c.desk.0),
                texts.of(c.operator.0),
                c.origin_seq as i64
            ])?;
            stats.new += 1;
            let incoming = Cell {
                column: c.column,
                value: c.value.clone(),
                hlc: c.hlc,
                desk: c.desk,
                origin_seq: Some(c.origin_seq),
                operator: c.operator.0,
            };
            let winner = winners.get(&c.column).map(|&i| &cells[i]);
            let wins = winner.is_none_or(|w| incoming.rank() > w.rank());
            if let Some(w) = winner {
                // Had the writer of `c` seen the current winner? Its own earlier edits, yes; another
                // desk's, only if its frontier covers the bundle that published them.
                let context = &contexts[c.context as usize];
                let seen =
                    w.desk == c.desk || w.origin_seq.is_some_and(|s| context.get(&w.desk).is_some_and(|&f| f >= s));
                if !seen && table != Table::Note && !same_value(&w.value, &c.value) {
                    let (win, lose) = if wins { (&incoming, w) } else { (w, &incoming) };
                    stats.conflicts += conflict_stmt.execute(params![
                        table.name(),
                        row_text,
                        c.column,
                        win.value,
                        win.hlc.as_i64(),
                        win.desk,
                        lose.value,
                        lose.hlc.as_i64(),
                        lose.desk,
                        lose.operator.to_string(),
                        now
                    ])?;
                } else if seen && wins && open_conflicts > 0 {
                    settle_stmt.execute(params![table.name(), row_text, c.column, c.hlc.as_i64(), now])?;
                }
            }
            cells.push(incoming);
            if wins {
                winners.insert(c.column, cells.len() - 1);
                changed.insert(c.column, c.value.clone());
            }
        }
        if !changed.is_empty() {
            upsert_row(tx, table, row_id, changed.iter().map(|(k, v)| (*k, v)))?;
            touched.insert((table, row_id));
        }
    }
    search::refresh(tx, &touched)?;
    Ok((stats, newest))
}

/// Text forms of the ids a merge binds again and again.
#[derive(Default)]
struct Texts(std::collections::HashMap<Uuid, std::rc::Rc<str>>);

impl Texts {
    fn of(&mut self, id: Uuid) -> std::rc::Rc<str> {
        self.0.entry(id).or_insert_with(|| id.to_string().into()).clone()
    }
}

/// Loads a snapshot's changes. A table this desk holds nothing of yet (the usual case for a new
/// desk) is loaded in bulk: each row inserted whole, its cells kept in the snapshot base, and the
/// search index rebuilt once at the end. Every other table goes through [`merge`].
pub fn load_snapshot(
    tx: &Transaction<'_>,
    changes: &[WireChange],
    contexts: &[BTreeMap<DeskId, u64>],
    now: &str,
) -> Result<(MergeStats, Option<Hlc>)> {
    let mut stats = MergeStats::default();
    let mut newest: Option<Hlc> = None;
    let mut reindex = false;
    for slice in changes.chunk_by(|a, b| a.table == b.table) {
        let table = slice[0].table;
        if !(bulk_loadable(table) && is_empty(tx, table)? && sorted_by_row(slice)) {
            let (more, seen) = merge(tx, slice, contexts, now)?;
            stats.new += more.new;
            stats.duplicates += more.duplicates;
            stats.conflicts += more.conflicts;
            newest = newest.max(seen);
            continue;
        }
        crate::store::without_indexes(tx, table.name(), || {
            let mut chunks = base::ChunkWriter::new(table);
            let mut insert = RowInserter::new(table);
            for row in slice.chunk_by(|a, b| a.row_id == b.row_id) {
                // The winner of each column (a snapshot has one cell per column; be strict anyway).
                let mut winners: Vec<Option<&WireChange>> = vec![None; table.columns().len()];
                for c in row {
                    newest = newest.max(Some(c.hlc));
                    let Some(i) = table.columns().iter().position(|k| *k == c.column) else { continue };
                    if winners[i].is_none_or(|w| (c.hlc, c.desk) > (w.hlc, w.desk)) {
                        winners[i] = Some(c);
                    }
                }
                insert.insert(tx, row[0].row_id, &winners)?;
                chunks.add(tx, row)?;
                stats.new += row.len();
            }
            chunks.flush(tx)
        })?;
        reindex |= matches!(table, Table::Person | Table::Household | Table::Membership | Table::Dwelling);
    }
    if reindex {
        search::rebuild(tx)?;
    }
    Ok((stats, newest))
}

/// No row, no change and no base for `table` at this desk.
fn is_empty(tx: &Transaction<'_>, table: Table) -> Result<bool> {
    let t = table.name();
    Ok(tx.query_row(
        &format!(
            "SELECT NOT EXISTS (SELECT 1 FROM {t}) AND NOT EXISTS (SELECT 1 FROM change_log WHERE tbl = ?1)
                AND NOT EXISTS (SELECT 1 FROM base_chunk WHERE tbl = ?1)"
        ),
        [t],
        |r| r.get(0),
    )?)
}

/// Rows come one after another in increasing id order (each row's cells together).
fn sorted_by_row(slice: &[WireChange]) -> bool {
    slice.windows(2).all(|w| w[0].row_id <= w[1].row_id)
}

/// Inserts whole rows of one table, keeping one prepared statement while rows have the same
/// columns (looking it up in the statement cache for every row was 6-9 % of the row phase in a
/// profile of 425,000 rows).
struct RowInserter<'c> {
    table: Table,
    columns: u64,
    stmt: Option<rusqlite::CachedStatement<'c>>,
}

impl<'c> RowInserter<'c> {
    fn new(table: Table) -> RowInserter<'c> {
        RowInserter { table, columns: u64::MAX, stmt: None }
    }

    /// `cells` has one slot per column of the table, in its order.
    fn insert(&mut self, tx: &'c Transaction<'_>, id: Uuid, cells: &[Option<&WireChange>]) -> Result<()> {
        let columns = cells.iter().enumerate().filter(|(_, c)| c.is_some()).fold(0u64, |m, (i, _)| m | 1 << i);
        if columns != self.columns || self.stmt.is_none() {
            let names: Vec<&str> =
                self.table.columns().iter().zip(cells).filter(|(_, c)| c.is_some()).map(|(n, _)| *n).collect();
            let sql = format!(
                "INSERT INTO {} (id{}) VALUES (?1{})",
                self.table.name(),
                names.iter().map(|n| format!(", {n}")).collect::<String>(),
                (2..names.len() + 2).map(|i| format!(", ?{i}")).collect::<String>(),
            );
            // The previous statement goes back to the cache before the next is taken from it.
            self.stmt = None;
            self.stmt = Some(tx.prepare_cached(&sql)?);
            self.columns = columns;
        }
        let id_text = Value::Text(id.to_string());
        let mut all: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(cells.len() + 1);
        all.push(&id_text);
        all.extend(cells.iter().flatten().map(|c| &c.value as &dyn rusqlite::ToSql));
        self.stmt.as_mut().expect("prepared above").execute(all.as_slice())?;
        Ok(())
    }
}

/// A row's values, in the order of `table.columns()`; `None` if the row is not there.
pub(super) fn row_values(conn: &rusqlite::Connection, table: Table, id: Uuid) -> Result<Option<Vec<Value>>> {
    let width = table.columns().len();
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", table.columns().join(", "), table.name());
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect())
        .optional()?)
}

/// The value of `column` among a row's values read by [`row_values`] (null if absent).
pub(super) fn column_value(table: Table, values: &[Value], column: &str) -> Value {
    table.columns().iter().position(|c| *c == column).and_then(|i| values.get(i).cloned()).unwrap_or(Value::Null)
}
