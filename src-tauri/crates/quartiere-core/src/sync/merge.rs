//! Applying another desk's changes: column-level last-writer-wins on (hybrid logical clock, desk).
//!
//! Commutative, idempotent and order-independent: a change is kept in the change record whatever
//! its order of arrival (the history), and a column takes the value of its highest (hlc, desk)
//! change. A change already present (same cell, clock and desk) is skipped. When the writer of a
//! change had not seen the value it overrides (its frontier does not cover the bundle that
//! published it), the two edits were concurrent: the losing value is kept in `sync_conflict`.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::Value;
use rusqlite::{params, Transaction};
use uuid::Uuid;

use super::format::WireChange;
use crate::clock::Hlc;
use crate::error::Result;
use crate::ids::DeskId;
use crate::schema::Table;
use crate::search;
use crate::store::{same_value, upsert_row};

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
    column: String,
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

    for group in changes.chunk_by(|a, b| a.table == b.table && a.row_id == b.row_id) {
        let (table, row_id) = (group[0].table, group[0].row_id);
        let row_text = row_id.to_string();
        let mut cells: Vec<Cell> = existing_stmt
            .query_map(params![table.name(), row_text], |r| {
                Ok(Cell {
                    column: r.get(0)?,
                    value: r.get(1)?,
                    hlc: Hlc::from_i64(r.get(2)?),
                    desk: r.get(3)?,
                    origin_seq: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
                    operator: Uuid::parse_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut winners: BTreeMap<String, usize> = BTreeMap::new();
        for (i, cell) in cells.iter().enumerate() {
            let slot = winners.entry(cell.column.clone()).or_insert(i);
            if cell.rank() > cells[*slot].rank() {
                *slot = i;
            }
        }
        let mut changed: BTreeMap<String, Value> = BTreeMap::new();
        for c in group {
            newest = newest.max(Some(c.hlc));
            if cells.iter().any(|e| e.column == c.column && e.hlc == c.hlc && e.desk == c.desk) {
                stats.duplicates += 1;
                continue;
            }
            insert_stmt.execute(params![
                c.batch.to_string(),
                table.name(),
                row_text,
                c.column,
                c.value,
                c.hlc.as_i64(),
                c.desk,
                c.operator,
                c.origin_seq as i64
            ])?;
            stats.new += 1;
            let incoming = Cell {
                column: c.column.clone(),
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
                winners.insert(c.column.clone(), cells.len() - 1);
                changed.insert(c.column.clone(), c.value.clone());
            }
        }
        if !changed.is_empty() {
            upsert_row(tx, table, row_id, changed.iter().map(|(k, v)| (k.as_str(), v)))?;
            touched.insert((table, row_id));
        }
    }
    search::refresh(tx, &touched)?;
    Ok((stats, newest))
}
