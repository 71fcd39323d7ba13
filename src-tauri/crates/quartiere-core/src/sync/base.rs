//! The snapshot base (`base_chunk`): where the rows a desk loaded from a snapshot, or merged whole
//! and new from a large bundle, keep the clocks of their cells, instead of one `change_log` row per
//! cell. Chunks of a table never overlap: [`cells_of`] reads the last chunk starting at or before
//! an id (the merge splits its new chunks to keep it so).
//!
//! A chunk covers up to [`CHUNK_ROWS`] rows of one table with consecutive ids. Its bytes (counts
//! and numbers as LEB128 varints): the distinct desk and operator ids it names (count, 16 bytes
//! each); the distinct writes its cells came from (count, then for each: desk number, operator
//! number, batch 16 bytes, origin bundle); then each row until the end (id 16 bytes, cell count,
//! and for each cell: column number in the table's schema, write number, and its clock as the
//! zigzag difference from the previous cell's clock in the chunk). No value is kept here: the
//! row itself holds the value of every cell's winner, and only winners' values are ever read. So a
//! base cell takes part in last-writer-wins, duplicate detection and conflicts like a change in
//! the record, and the desk's own snapshots carry it on, while an erasure has nothing to clear here.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::format::{put_varint, put_zigzag, Reader, WireChange};
use super::SyncError;
use crate::clock::Hlc;
use crate::error::{Error, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;

/// Rows per chunk: a lookup reads and scans one chunk (a few kilobytes), a bulk load writes one
/// database row per chunk.
pub(super) const CHUNK_ROWS: usize = 64;

/// The clock of one cell loaded from a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct BaseCell {
    pub column: &'static str,
    pub hlc: Hlc,
    pub desk: DeskId,
    pub operator: OperatorId,
    pub batch: Uuid,
    pub origin_seq: u64,
}

/// Where a cell was written: desk, operator, batch, origin bundle.
type Write = (DeskId, OperatorId, Uuid, u64);

fn damaged() -> SyncError {
    SyncError::Damaged("base della copia iniziale danneggiata".into())
}

/// Writes the rows of a bulk load, in increasing id order, a chunk at a time.
pub(super) struct ChunkWriter {
    table: Table,
    first: Option<Uuid>,
    last: Uuid,
    rows: usize,
    writes: Vec<Write>,
    index: HashMap<Write, usize>,
    /// The last cell's write and its number: a row's cells nearly always share one, and comparing
    /// costs less than hashing (3.4 million cells for 100,000 people).
    last_write: Option<(Write, usize)>,
    previous: u64,
    body: Vec<u8>,
}

fn number<T: Copy + Eq + std::hash::Hash>(list: &mut Vec<T>, index: &mut HashMap<T, usize>, item: T) -> usize {
    *index.entry(item).or_insert_with(|| {
        list.push(item);
        list.len() - 1
    })
}

impl ChunkWriter {
    pub(super) fn new(table: Table) -> ChunkWriter {
        ChunkWriter {
            table,
            first: None,
            last: Uuid::nil(),
            rows: 0,
            writes: Vec::new(),
            index: HashMap::new(),
            last_write: None,
            previous: 0,
            body: Vec::new(),
        }
    }

    /// Adds one row: its cells (all of this table, all of one row id, with known columns).
    pub(super) fn add(&mut self, conn: &Connection, cells: &[WireChange]) -> Result<()> {
        let id = cells[0].row_id;
        self.first.get_or_insert(id);
        self.last = id;
        self.body.extend_from_slice(id.as_bytes());
        put_varint(&mut self.body, cells.len() as u64);
        for c in cells {
            let write = (c.desk, c.operator, c.batch, c.origin_seq);
            let w = match self.last_write {
                Some((last, w)) if last == write => w,
                _ => number(&mut self.writes, &mut self.index, write),
            };
            self.last_write = Some((write, w));
            let column = self.table.columns().iter().position(|k| *k == c.column).ok_or_else(damaged)?;
            put_varint(&mut self.body, column as u64);
            put_varint(&mut self.body, w as u64);
            put_zigzag(&mut self.body, c.hlc.0.wrapping_sub(self.previous) as i64);
            self.previous = c.hlc.0;
        }
        self.rows += 1;
        if self.rows == CHUNK_ROWS {
            self.flush(conn)?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        let Some(first) = self.first.take() else { return Ok(()) };
        let mut ids = Vec::new();
        let mut id_index = HashMap::new();
        let mut writes = Vec::with_capacity(self.writes.len() * 22);
        put_varint(&mut writes, self.writes.len() as u64);
        for (desk, operator, batch, origin_seq) in &self.writes {
            put_varint(&mut writes, number(&mut ids, &mut id_index, desk.0) as u64);
            put_varint(&mut writes, number(&mut ids, &mut id_index, operator.0) as u64);
            writes.extend_from_slice(batch.as_bytes());
            put_varint(&mut writes, *origin_seq);
        }
        let mut bytes = Vec::with_capacity(ids.len() * 16 + writes.len() + self.body.len() + 2);
        put_varint(&mut bytes, ids.len() as u64);
        for id in &ids {
            bytes.extend_from_slice(id.as_bytes());
        }
        bytes.extend_from_slice(&writes);
        bytes.extend_from_slice(&self.body);
        conn.prepare_cached("INSERT INTO base_chunk (tbl, first_row, last_row, rows) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![self.table.name(), first.to_string(), self.last.to_string(), bytes])?;
        self.rows = 0;
        self.writes.clear();
        self.index.clear();
        self.last_write = None;
        self.previous = 0;
        self.body.clear();
        Ok(())
    }
}

/// Reads a chunk's rows, calling `f` with each row's id and cells. Checked as strictly as a
/// bundle: a damaged chunk is an error, never a wrong cell.
fn read_chunk(
    table: Table,
    bytes: &[u8],
    mut f: impl FnMut(Uuid, Vec<BaseCell>) -> std::ops::ControlFlow<()>,
) -> std::result::Result<(), SyncError> {
    let mut r = Reader::new(bytes);
    let n = r.count(16)?;
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(r.uuid()?);
    }
    let n = r.count(2 + 16 + 1)?;
    let mut writes: Vec<Write> = Vec::with_capacity(n);
    for _ in 0..n {
        let desk = *ids.get(r.varint()? as usize).ok_or_else(damaged)?;
        let operator = *ids.get(r.varint()? as usize).ok_or_else(damaged)?;
        writes.push((DeskId(desk), OperatorId(operator), r.uuid()?, r.varint()?));
    }
    let mut previous = 0u64;
    while !r.at_end() {
        let id = r.uuid()?;
        let cells = r.count(3)?;
        let mut out = Vec::with_capacity(cells);
        for _ in 0..cells {
            let column = table.columns().get(r.varint()? as usize).copied().ok_or_else(damaged)?;
            let (desk, operator, batch, origin_seq) = *writes.get(r.varint()? as usize).ok_or_else(damaged)?;
            previous = previous.wrapping_add(r.zigzag()? as u64);
            out.push(BaseCell { column, hlc: Hlc(previous), desk, operator, batch, origin_seq });
        }
        if f(id, out).is_break() {
            break;
        }
    }
    Ok(())
}

/// The base cells of one row (none if it was not loaded from a snapshot).
pub(super) fn cells_of(conn: &Connection, table: Table, row_id: Uuid) -> Result<Vec<BaseCell>> {
    // The last chunk starting at or before the id (one index seek), if it reaches that far.
    let id = row_id.to_string();
    let chunk: Option<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT last_row, rows FROM base_chunk WHERE tbl = ?1 AND first_row <= ?2
             ORDER BY first_row DESC LIMIT 1",
        )?
        .query_row(params![table.name(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((last, bytes)) = chunk.filter(|(last, _)| *last >= id) else {
        return Ok(Vec::new());
    };
    debug_assert!(last >= id);
    let mut found = Vec::new();
    read_chunk(table, &bytes, |row, cells| {
        if row == row_id {
            found = cells;
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    })?;
    Ok(found)
}

/// Every row's base cells, chunk by chunk (for this desk's own snapshots).
pub(super) fn for_each(conn: &Connection, mut f: impl FnMut(Table, Uuid, Vec<BaseCell>) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT tbl, rows FROM base_chunk ORDER BY tbl, first_row")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let tbl: String = r.get(0)?;
        let table =
            Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
        let bytes: Vec<u8> = r.get(1)?;
        let mut failed = None;
        read_chunk(table, &bytes, |id, cells| match f(table, id, cells) {
            Ok(()) => std::ops::ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                std::ops::ControlFlow::Break(())
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(())
}

/// Before the write path replaces cells of a row: each base cell that still holds its column's
/// value (no change in the record beats it) is written to the change record with that value
/// (`old`, the row's), so the desk keeps every value it held, as the merge does for the cells it
/// replaces. The write path calls it only at desks that have a base ([`any`]).
pub(crate) fn keep_replaced(conn: &Connection, table: Table, row_id: Uuid, old: &[(&str, &Value)]) -> Result<()> {
    let cells = cells_of(conn, table, row_id)?;
    for (column, value) in old {
        let Some(cell) = cells.iter().filter(|c| c.column == *column).max_by_key(|c| (c.hlc, c.desk)) else {
            continue;
        };
        if newest_logged(conn, table, row_id, column)? < Some((cell.hlc, cell.desk)) {
            record(conn, table, row_id, cell, value)?;
        }
    }
    Ok(())
}

/// The rank (clock, desk) of a cell's newest change in the change record, if it has one.
pub(super) fn newest_logged(
    conn: &Connection,
    table: Table,
    row_id: Uuid,
    column: &str,
) -> Result<Option<(Hlc, DeskId)>> {
    let logged: Option<(i64, DeskId)> = conn
        .prepare_cached(
            "SELECT hlc, desk_id FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND col = ?3
             ORDER BY hlc DESC, desk_id DESC LIMIT 1",
        )?
        .query_row(params![table.name(), row_id.to_string(), column], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(logged.map(|(hlc, desk)| (Hlc::from_i64(hlc), desk)))
}

/// Writes a base cell to the change record with `value`, the value it holds: done just before a
/// newer change replaces it. The cell stays in its chunk (a chunk is never rewritten); the merge
/// and the desk's snapshots take the change record's copy as the same change.
pub(super) fn record(conn: &Connection, table: Table, row_id: Uuid, cell: &BaseCell, value: &Value) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id, origin_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        cell.batch.to_string(),
        table.name(),
        row_id.to_string(),
        cell.column,
        value,
        cell.hlc.as_i64(),
        cell.desk,
        cell.operator,
        cell.origin_seq as i64
    ])?;
    Ok(())
}

/// Whether this desk has any base at all (most desks never do: the merge skips the lookups).
pub(crate) fn any(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM base_chunk)", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(row: u128, column: &'static str, hlc: u64) -> WireChange {
        WireChange::for_test(Table::Person, row, column, Value::Text("non conservato".into()), hlc, 4)
    }

    #[test]
    fn chunks_keep_clocks_not_values_and_damage_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../../quartiere-store/migrations/0006_base.sql")).unwrap();
        let mut writer = ChunkWriter::new(Table::Person);
        for row in 1..=(CHUNK_ROWS as u128 + 10) {
            let cells = [change(row, "surname", 10), change(row, "name", 10), change(row, "deleted", 12 + row as u64)];
            writer.add(&conn, &cells).unwrap();
        }
        writer.flush(&conn).unwrap();
        let chunks: i64 = conn.query_row("SELECT count(*) FROM base_chunk", [], |r| r.get(0)).unwrap();
        assert_eq!(chunks, 2);
        let cells = cells_of(&conn, Table::Person, Uuid::from_u128(70)).unwrap();
        assert_eq!(cells.iter().map(|c| c.column).collect::<Vec<_>>(), ["surname", "name", "deleted"]);
        assert_eq!(cells[2].hlc, Hlc(82));
        assert_eq!(cells[0].origin_seq, 4);
        assert!(cells_of(&conn, Table::Person, Uuid::from_u128(500)).unwrap().is_empty());
        assert!(cells_of(&conn, Table::Note, Uuid::from_u128(70)).unwrap().is_empty());
        // One write (desk, operator, batch) for all: ids, then about 7 bytes a cell, no values.
        let bytes: Vec<u8> = conn.query_row("SELECT rows FROM base_chunk LIMIT 1", [], |r| r.get(0)).unwrap();
        assert!(bytes.len() < 2 * 16 + 24 + 64 * (17 + 3 * 5), "{}", bytes.len());
        assert!(!bytes.windows(4).any(|w| w == b"cons"));
        let mut cut = bytes.clone();
        cut.pop();
        assert!(read_chunk(Table::Person, &cut, |_, _| std::ops::ControlFlow::Continue(())).is_err());
        let mut seen = 0;
        for_each(&conn, |_, _, cells| {
            seen += cells.len();
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, 3 * (CHUNK_ROWS + 10));
    }
}
