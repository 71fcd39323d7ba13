//! Applying another desk's changes: column-level last-writer-wins on (hybrid logical clock, desk).
//!
//! Commutative, idempotent and order-independent: a change is kept whatever its order of arrival
//! (the history), and a column takes the value of its highest (hlc, desk) change. A change already
//! present (same cell, clock and desk) is skipped. When the writer of a change had not seen the
//! value it overrides (its frontier does not cover the bundle that published it), the two edits
//! were concurrent: the losing value is kept in `sync_conflict`.
//!
//! Where a change is kept: in the change record, one row per cell; except the cells of rows that
//! arrive whole and new to this desk, [`BASE_MIN_ROWS`] or more of one table in one merge (a list
//! imported at another desk, a snapshot into tables this desk already holds): those rows keep their
//! cells' clocks in the snapshot base, as rows loaded in bulk do, and their values in the row. A
//! base cell that a newer change replaces is written to the change record first, with the value
//! it held, so no value this desk held is lost.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

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

/// Rows new to this desk that one merge must receive of a table for their cells to go to the
/// snapshot base rather than the change record: one full chunk. The everyday bundle (a few rows)
/// keeps every cell in the change record, where `quartiere changes` lists it.
pub(super) const BASE_MIN_ROWS: usize = base::CHUNK_ROWS;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Changes new to this desk (recorded in its change record or its snapshot base).
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
    /// A cell of the snapshot base, not yet in the change record.
    base: Option<base::BaseCell>,
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
    let mut record = Recorder::new(tx)?;
    // Rows new to this desk, each whole in one group: their cells are recorded at the end, in the
    // base or in the change record depending on how many a table got.
    let mut fresh: BTreeMap<(Table, Uuid), &[WireChange]> = BTreeMap::new();
    let mut chunks = ChunkRanges::default();
    for group in changes.chunk_by(|a, b| a.table == b.table && a.row_id == b.row_id) {
        let (table, row_id) = (group[0].table, group[0].row_id);
        if let Some(earlier) = fresh.remove(&(table, row_id)) {
            // The row came earlier in this merge, and comes again: its first cells are recorded
            // now, so this group merges with them like with any known row.
            for c in earlier {
                record.change(c)?;
            }
        }
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
                base: None,
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
                    base: Some(b),
                }));
            }
        }
        if cells.is_empty()
            && bulk_loadable(table)
            && one_cell_per_column(group)
            && !(has_base && chunks.covers(tx, table, row_id)?)
        {
            // New here: every cell wins, nothing is a duplicate or a conflict.
            newest = newest.max(group.iter().map(|c| c.hlc).max());
            stats.new += group.len();
            upsert_row(tx, table, row_id, group.iter().map(|c| (c.column, &c.value)))?;
            touched.insert((table, row_id));
            fresh.insert((table, row_id), group);
            continue;
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
            record.change(c)?;
            stats.new += 1;
            let incoming = Cell {
                column: c.column,
                value: c.value.clone(),
                hlc: c.hlc,
                desk: c.desk,
                origin_seq: Some(c.origin_seq),
                operator: c.operator.0,
                base: None,
            };
            let winner = winners.get(&c.column).copied();
            let wins = winner.is_none_or(|w| incoming.rank() > cells[w].rank());
            if let Some(w) = winner.map(|w| &cells[w]) {
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
            if let Some(w) = winner.filter(|_| wins) {
                // A base cell about to lose the value it holds (the row's) is recorded with it first.
                let w = &mut cells[w];
                if let Some(b) = w.base.take() {
                    base::record(tx, table, row_id, &b, &w.value)?;
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
    // The new rows, a table at a time in id order: in the base if the table got enough of them.
    let mut rows = fresh.into_iter().peekable();
    while let Some(((table, _), _)) = rows.peek() {
        let table = *table;
        let mut of_table = Vec::new();
        while let Some((_, cells)) = rows.next_if(|((t, _), _)| *t == table) {
            of_table.push(cells);
        }
        if of_table.len() >= BASE_MIN_ROWS {
            chunks.write(tx, table, &of_table)?;
        } else {
            for c in of_table.into_iter().flatten() {
                record.change(c)?;
            }
        }
    }
    search::refresh(tx, &touched)?;
    Ok((stats, newest))
}

/// Each column at most once (a row written whole once, as an import or a snapshot writes it).
fn one_cell_per_column(group: &[WireChange]) -> bool {
    group.iter().enumerate().all(|(i, c)| group[..i].iter().all(|d| d.column != c.column))
}

/// Appends to the change record, binding the text forms of the ids a merge binds again and again.
struct Recorder<'c> {
    stmt: rusqlite::CachedStatement<'c>,
    texts: std::collections::HashMap<Uuid, std::rc::Rc<str>>,
}

impl<'c> Recorder<'c> {
    fn new(tx: &'c Transaction<'_>) -> Result<Recorder<'c>> {
        let stmt = tx.prepare_cached(
            "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id, origin_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        Ok(Recorder { stmt, texts: Default::default() })
    }

    fn text(&mut self, id: Uuid) -> std::rc::Rc<str> {
        self.texts.entry(id).or_insert_with(|| id.to_string().into()).clone()
    }

    /// Records a change as it came.
    fn change(&mut self, c: &WireChange) -> Result<()> {
        let (batch, desk, operator) = (self.text(c.batch), self.text(c.desk.0), self.text(c.operator.0));
        self.stmt.execute(params![
            batch,
            c.table.name(),
            c.row_id.to_string(),
            c.column,
            c.value,
            c.hlc.as_i64(),
            desk,
            operator,
            c.origin_seq as i64
        ])?;
        Ok(())
    }
}

/// The id ranges of a table's base chunks, read once per merge when first needed. Chunks never
/// overlap (a lookup reads the last chunk starting at or before an id): a row inside a chunk's
/// range is never put in a new chunk, and new chunks end before any chunk that starts between
/// their rows.
#[derive(Default)]
struct ChunkRanges(std::collections::HashMap<Table, Vec<(Uuid, Uuid)>>);

impl ChunkRanges {
    fn of(&mut self, tx: &Transaction<'_>, table: Table) -> Result<&[(Uuid, Uuid)]> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(table) {
            let mut stmt =
                tx.prepare_cached("SELECT first_row, last_row FROM base_chunk WHERE tbl = ?1 ORDER BY first_row")?;
            let mut rows = stmt.query([table.name()])?;
            let mut ranges = Vec::new();
            while let Some(r) = rows.next()? {
                let first = crate::store::parse_uuid(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?;
                let last = crate::store::parse_uuid(r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?;
                ranges.push((first, last));
            }
            slot.insert(ranges);
        }
        Ok(&self.0[&table])
    }

    /// Whether `id` falls within one of the table's chunks.
    fn covers(&mut self, tx: &Transaction<'_>, table: Table, id: Uuid) -> Result<bool> {
        let ranges = self.of(tx, table)?;
        let before = ranges.partition_point(|(first, _)| *first <= id);
        Ok(before > 0 && ranges[before - 1].1 >= id)
    }

    /// Writes new rows (in id order, none inside an existing chunk) as chunks of the base.
    fn write(&mut self, tx: &Transaction<'_>, table: Table, rows: &[&[WireChange]]) -> Result<()> {
        let ranges = self.of(tx, table)?.to_vec();
        let mut writer = base::ChunkWriter::new(table);
        let mut region = None;
        for cells in rows {
            // How many chunks start before this row: a chunk must not span one.
            let here = ranges.partition_point(|(first, _)| *first < cells[0].row_id);
            if region.is_some_and(|r| r != here) {
                writer.flush(tx)?;
            }
            region = Some(here);
            writer.add(tx, cells)?;
        }
        writer.flush(tx)?;
        self.0.remove(&table);
        Ok(())
    }
}

/// A run of a snapshot's changes, all of one table: loaded by this thread, read by the one making
/// search documents.
pub type Run = Arc<Vec<WireChange>>;

/// The tables the search index is made of.
const INDEXED: [Table; 4] = [Table::Dwelling, Table::Household, Table::Person, Table::Membership];

/// Loads a snapshot's changes, which come in runs as they are decoded: each run of one table, a
/// table's runs one after another, rows whole within a run (`runs`). A table this desk holds
/// nothing of yet (the usual case for a new desk) is loaded in bulk while its rows come in
/// increasing id order: its indexes dropped at its first run and built again after its last,
/// each row inserted whole, its cells kept in the snapshot base, and the search index rebuilt
/// once at the end. Every other run goes through [`merge`] (so does the rest of a table whose rows
/// stop coming in order).
///
/// When the index's four tables all load in bulk, their documents are made from the snapshot's
/// rows on another thread: it takes each run of those tables as this one loads it and keeps only
/// what the index reads ([`search::Sources`]), so every run is freed once loaded and the next
/// ones reuse its memory. When the four tables have come whole (a run of a later table has come),
/// it computes the documents ([`search::documents`], the same function the rebuild from the
/// tables uses) while this one goes on inserting rows, hands them over for the full-text index,
/// then builds their rows in a memory database of its own, which this one copies whole
/// ([`search::stage`]). Otherwise the index is rebuilt from the tables.
pub fn load_snapshot(
    tx: &Transaction<'_>,
    runs: impl Iterator<Item = Result<Vec<WireChange>>>,
    contexts: &[BTreeMap<DeskId, u64>],
    now: &str,
) -> Result<(MergeStats, Option<Hlc>)> {
    // Documents from the snapshot only if the four tables are empty here and each comes in
    // consecutive runs, loaded in bulk, before the documents start.
    let mut documents_ahead = true;
    for table in INDEXED {
        documents_ahead &= is_empty(tx, table)?;
    }
    let schema = search::staging_schema(tx)?;
    // Cleared when the documents will not be used: their thread then stops at the next run.
    let wanted = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|scope| {
        let mut stats = MergeStats::default();
        let mut newest: Option<Hlc> = None;
        let mut loaded = BTreeSet::new();
        let mut seen_indexed = BTreeSet::new();
        // The documents' thread: fed the indexed tables' runs until they are whole, it hands the
        // documents to this thread for the full-text index, then stages their rows. A failure
        // in staging costs only speed: the rows are then inserted here.
        let (feed, runs_fed) = std::sync::mpsc::channel::<Run>();
        let mut feed = Some(feed).filter(|_| documents_ahead);
        let (hand, words) = std::sync::mpsc::sync_channel::<Arc<Vec<search::Document>>>(1);
        let (wanted, schema) = (&wanted, &schema);
        let staging = scope.spawn(move || {
            let mut sources = search::Sources::default();
            for run in runs_fed {
                if !wanted.load(std::sync::atomic::Ordering::Relaxed) {
                    return None;
                }
                add_search_sources(&mut sources, &run)?;
            }
            if !wanted.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            let documents = Arc::new(search::documents(&sources));
            drop(sources);
            hand.send(Arc::clone(&documents)).ok()?;
            search::stage(schema, &documents).ok()
        });
        // Loaded runs are freed on another thread (millions of values for a large snapshot).
        let (free, freed) = std::sync::mpsc::channel::<Run>();
        scope.spawn(move || freed.into_iter().for_each(drop));
        let mut bulk: Option<Bulk<'_>> = None;
        let mut previous: Option<Table> = None;
        for run in runs {
            let run = Arc::new(run?);
            let Some(first) = run.first() else { continue };
            let table = first.table;
            let continues = previous == Some(table);
            previous = Some(table);
            if INDEXED.contains(&table) {
                documents_ahead &= continues || !seen_indexed.contains(&table);
                seen_indexed.insert(table);
                // A run of an indexed table after the documents started: they are incomplete.
                match &feed {
                    Some(f) if documents_ahead => documents_ahead = f.send(Arc::clone(&run)).is_ok(),
                    _ => documents_ahead = false,
                }
            }
            // Tables come in schema order: a run of a table after the four means they are whole.
            if INDEXED.iter().all(|t| *t < table) {
                feed = None;
            }
            let slice = run.as_slice();
            // A bulk load goes on while its table's rows keep coming in increasing id order.
            let goes_on = |b: &Bulk<'_>| b.table == table && b.last < Some(slice[0].row_id) && sorted_by_row(slice);
            if let Some(done) = bulk.take_if(|b| !goes_on(b)) {
                // The rest of a table loaded in part goes through the merge; its documents too.
                documents_ahead &= !(done.table == table && INDEXED.contains(&table));
                done.finish(tx)?;
            }
            if bulk.is_none() && !continues && bulk_loadable(table) && is_empty(tx, table)? && sorted_by_row(slice) {
                bulk = Some(Bulk::start(tx, table)?);
                loaded.insert(table);
            }
            match bulk.as_mut() {
                Some(b) => {
                    for row in slice.chunk_by(|a, b| a.row_id == b.row_id) {
                        newest = newest.max(row.iter().map(|c| c.hlc).max());
                        stats.new += row.len();
                        b.add(tx, row)?;
                    }
                }
                None => {
                    let (more, seen) = merge(tx, slice, contexts, now)?;
                    stats.new += more.new;
                    stats.duplicates += more.duplicates;
                    stats.conflicts += more.conflicts;
                    newest = newest.max(seen);
                }
            }
            if !documents_ahead {
                wanted.store(false, std::sync::atomic::Ordering::Relaxed);
            }
            // (Should that thread be gone, the run is freed here.)
            let _ = free.send(run);
        }
        drop((feed, free));
        if let Some(done) = bulk.take() {
            done.finish(tx)?;
        }
        // Taken from the snapshot only if every indexed table it held was loaded in bulk.
        let indexed = INDEXED.iter().any(|t| loaded.contains(t));
        let all_bulk = seen_indexed.iter().all(|t| loaded.contains(t));
        if !(documents_ahead && all_bulk && indexed) {
            wanted.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        if indexed {
            // Not waited for when they will not be used.
            let documents = if documents_ahead && all_bulk { words.recv() } else { Err(std::sync::mpsc::RecvError) };
            match documents {
                Ok(documents) => {
                    search::load_words(tx, &documents)?;
                    let staged = staging.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    search::load_documents(tx, &documents, staged)?;
                }
                // None (a value of an unexpected type: the tables decide), or not whole.
                Err(_) => search::rebuild(tx)?,
            }
        }
        Ok((stats, newest))
    })
}

/// The winner of each column of one row, in the table's column order: the highest (clock, desk)
/// among the row's cells (a snapshot has one cell per column; be strict anyway).
fn winners(table: Table, row: &[WireChange]) -> Vec<Option<&WireChange>> {
    let mut winners: Vec<Option<&WireChange>> = vec![None; table.columns().len()];
    for c in row {
        let Some(i) = table.columns().iter().position(|k| *k == c.column) else { continue };
        if winners[i].is_none_or(|w| (c.hlc, c.desk) > (w.hlc, w.desk)) {
            winners[i] = Some(c);
        }
    }
    winners
}

/// [`add_search_sources`] for each of `slices`.
#[cfg(test)]
fn search_sources(slices: &[&[WireChange]]) -> Option<search::Sources> {
    let mut sources = search::Sources::default();
    for slice in slices {
        add_search_sources(&mut sources, slice)?;
    }
    Some(sources)
}

/// Adds the rows of `run` (whole rows of one table) to the search index's sources, as the bulk
/// load will leave the four indexed tables: each row's column winners, a column without a cell at
/// its default (`''` for the NOT NULL text columns, 0 for `deleted`, NULL otherwise). `None` if a
/// value is not of the type its column keeps as is (text, or an integer for `deleted`): the
/// tables then decide.
fn add_search_sources(sources: &mut search::Sources, run: &[WireChange]) -> Option<()> {
    use rusqlite::types::Value::{Integer, Null, Text};
    type Cells<'c> = [Option<&'c WireChange>];
    fn at<'c>(table: Table, cells: &'c Cells<'c>, column: &str) -> Option<&'c Value> {
        let i = table.columns().iter().position(|c| *c == column)?;
        cells[i].map(|c| &c.value)
    }
    // Some(None) for NULL or no cell, Some(Some(text)) for text, None for any other type.
    fn text(table: Table, cells: &Cells<'_>, column: &str) -> Option<Option<String>> {
        match at(table, cells, column) {
            None | Some(Null) => Some(None),
            Some(Text(t)) => Some(Some(t.clone())),
            Some(_) => None,
        }
    }
    fn required(table: Table, cells: &Cells<'_>, column: &str) -> Option<String> {
        match at(table, cells, column) {
            None => Some(String::new()),
            Some(Text(t)) => Some(t.clone()),
            Some(_) => None,
        }
    }
    fn id(table: Table, cells: &Cells<'_>, column: &str) -> Option<Option<Uuid>> {
        Some(text(table, cells, column)?.and_then(|t| Uuid::parse_str(&t).ok()))
    }
    fn deleted(table: Table, cells: &Cells<'_>) -> Option<bool> {
        match at(table, cells, "deleted") {
            None => Some(false),
            Some(Integer(i)) => Some(*i != 0),
            Some(_) => None,
        }
    }
    let Some(table) = run.first().map(|c| c.table).filter(|t| INDEXED.contains(t)) else { return Some(()) };
    for row in run.chunk_by(|a, b| a.row_id == b.row_id) {
        let cells = winners(table, row);
        let row_id = row[0].row_id;
        match table {
            Table::Person => sources.people.push(search::PersonSource {
                id: row_id,
                surname: required(table, &cells, "surname")?,
                name: required(table, &cells, "name")?,
                codice_fiscale: text(table, &cells, "codice_fiscale")?,
                deleted: deleted(table, &cells)?,
            }),
            Table::Membership => sources.memberships.push(search::MembershipSource {
                id: row_id,
                person: id(table, &cells, "person_id")?,
                household: id(table, &cells, "household_id")?,
                open: text(table, &cells, "left_on")?.is_none() && !deleted(table, &cells)?,
            }),
            Table::Household => sources.households.push(search::HouseholdSource {
                id: row_id,
                dwelling: id(table, &cells, "dwelling_id")?,
                listed: text(table, &cells, "dissolved_on")?.is_none() && !deleted(table, &cells)?,
            }),
            Table::Dwelling => {
                let dwelling = crate::registry::DwellingInput {
                    code: text(table, &cells, "code")?,
                    street: required(table, &cells, "street")?,
                    civic: required(table, &cells, "civic")?,
                    scala: text(table, &cells, "scala")?,
                    piano: text(table, &cells, "piano")?,
                    interno: text(table, &cells, "interno")?,
                    ..Default::default()
                };
                sources.dwellings.insert(row_id, dwelling);
            }
            _ => {}
        }
    }
    Some(())
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

/// A table being loaded in bulk, across the runs its rows come in.
struct Bulk<'c> {
    table: Table,
    /// Its indexes, dropped until the table has come whole.
    indexes: Vec<(String, String)>,
    chunks: base::ChunkWriter,
    insert: RowInserter<'c>,
    /// The last row loaded.
    last: Option<Uuid>,
}

impl<'c> Bulk<'c> {
    fn start(tx: &Transaction<'_>, table: Table) -> Result<Bulk<'c>> {
        let indexes = crate::store::drop_indexes(tx, table.name())?;
        Ok(Bulk { table, indexes, chunks: base::ChunkWriter::new(table), insert: RowInserter::new(table), last: None })
    }

    /// One row: its cells, together.
    fn add(&mut self, tx: &'c Transaction<'_>, row: &[WireChange]) -> Result<()> {
        self.insert.insert(tx, row[0].row_id, &winners(self.table, row))?;
        self.chunks.add(tx, row)?;
        self.last = Some(row[0].row_id);
        Ok(())
    }

    /// The table has come whole (or stops coming in order): the last chunk, then the indexes.
    fn finish(mut self, tx: &Transaction<'_>) -> Result<()> {
        self.chunks.flush(tx)?;
        // The statement goes back to the cache before the schema changes.
        drop(self.insert);
        crate::store::restore_indexes(tx, &self.indexes)
    }
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
pub(crate) fn row_values(conn: &rusqlite::Connection, table: Table, id: Uuid) -> Result<Option<Vec<Value>>> {
    let width = table.columns().len();
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", table.columns().join(", "), table.name());
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect())
        .optional()?)
}

/// The value of `column` among a row's values read by [`row_values`] (null if absent).
pub(crate) fn column_value(table: Table, values: &[Value], column: &str) -> Value {
    table.columns().iter().position(|c| *c == column).and_then(|i| values.get(i).cloned()).unwrap_or(Value::Null)
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub(super) fn cell(table: Table, row: u128, column: &'static str, value: Value, hlc: u64) -> WireChange {
        WireChange::for_test(table, row, column, value, hlc, 1)
    }

    pub(super) fn text(t: &str) -> Value {
        Value::Text(t.into())
    }

    /// A new desk in `dir`, signed in.
    pub(crate) fn signed_in(dir: &std::path::Path) -> crate::accounts::SignedIn {
        crate::accounts::create_desk(
            dir,
            "Sportello",
            "Operatrice",
            "una passphrase lunga abbastanza",
            crate::crypto::KdfParams::MINIMUM,
            Box::new(crate::clock::SystemClock),
            crate::ids::IdGen::seeded(9),
        )
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;

    #[test]
    fn search_sources_take_each_columns_winner_and_the_tables_defaults() {
        let dwellings = [
            cell(Table::Dwelling, 10, "street", text("Via Fermi"), 1),
            cell(Table::Dwelling, 10, "civic", text("3"), 1),
        ];
        let households = [cell(Table::Household, 20, "dwelling_id", text(&Uuid::from_u128(10).to_string()), 1)];
        // Two cells for the surname: the later clock wins; no `deleted` cell means 0.
        let people = [
            cell(Table::Person, 30, "surname", text("Rossi"), 1),
            cell(Table::Person, 30, "surname", text("Russo"), 2),
            cell(Table::Person, 31, "surname", text("Diop"), 1),
            cell(Table::Person, 31, "deleted", Value::Integer(1), 1),
        ];
        let memberships = [
            cell(Table::Membership, 40, "person_id", text(&Uuid::from_u128(30).to_string()), 1),
            cell(Table::Membership, 40, "household_id", text(&Uuid::from_u128(20).to_string()), 1),
            cell(Table::Membership, 41, "left_on", text("2026-01-01"), 1),
        ];
        let slices: Vec<&[WireChange]> = vec![&dwellings, &households, &people, &memberships];
        let sources = search_sources(&slices).expect("every value of its column's type");
        assert_eq!(sources.people.len(), 2);
        assert_eq!((sources.people[0].surname.as_str(), sources.people[0].name.as_str()), ("Russo", ""));
        assert!(!sources.people[0].deleted && sources.people[1].deleted);
        assert!(sources.memberships[0].open && !sources.memberships[1].open);
        assert_eq!(sources.memberships[0].household, Some(Uuid::from_u128(20)));
        assert!(sources.households[0].listed);
        let dwelling = &sources.dwellings[&Uuid::from_u128(10)];
        assert_eq!((dwelling.street.as_str(), dwelling.scala.as_deref()), ("Via Fermi", None));
        // A value the table would convert (a number in a text column): the tables decide instead.
        let odd = [cell(Table::Dwelling, 10, "civic", Value::Integer(3), 1)];
        assert!(search_sources(&[&odd]).is_none());
        let null_surname = [cell(Table::Person, 30, "surname", Value::Null, 1)];
        assert!(search_sources(&[&null_surname]).is_none());
    }
}

#[cfg(test)]
mod streaming {
    use super::tests_support::*;
    use super::*;
    use crate::error::{Error, Refusal};
    use crate::sync::SyncError;

    /// A fault met after some tables are already in (a snapshot is decoded while it loads) undoes
    /// the whole load: no row, no base, no search document stays.
    #[test]
    fn a_fault_late_in_a_snapshot_leaves_nothing_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = signed_in(dir.path()).store;
        let runs: Vec<Result<Vec<WireChange>>> = vec![
            Ok(vec![cell(Table::Dwelling, 10, "street", text("Via Fermi"), 1)]),
            Ok(vec![cell(Table::Person, 30, "surname", text("Rossi"), 1)]),
            Err(Refusal::Damaged("contenuto non valido alla posizione 99: fine inattesa".into()).into()),
        ];
        let contexts = [BTreeMap::new()];
        let outcome = store.bulk_apply_tx(|tx| {
            let (stats, newest) = load_snapshot(tx, runs.into_iter(), &contexts, "2026-12-01T10:00:00Z")?;
            Ok((stats, newest))
        });
        assert!(matches!(outcome, Err(Error::Sync(SyncError::Refused(Refusal::Damaged(_))))), "{outcome:?}");
        for table in ["dwelling", "person", "base_chunk", "search_doc"] {
            let rows: i64 = store.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            assert_eq!(rows, 0, "{table}");
        }
    }

    fn rows(table: Table, ids: std::ops::RangeInclusive<u128>, column: &'static str, value: &str) -> Vec<WireChange> {
        ids.map(|i| cell(table, i, column, text(&format!("{value}{i}")), 1)).collect()
    }

    fn count(store: &crate::store::Store, sql: &str) -> i64 {
        store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The search index as rows, to compare two ways of building it.
    fn index(store: &crate::store::Store) -> Vec<(String, String, String, String)> {
        store
            .conn()
            .prepare("SELECT kind, ref_id, sort_key, lead_key FROM search_doc ORDER BY kind, ref_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// A table may come in several runs: it loads in bulk across them (its indexes dropped once and
    /// built again once, its chunks continuing), and the search documents made from the runs on
    /// the other thread are those the tables give. A table whose rows stop coming in order loads
    /// the rest through the merge, and the index is then rebuilt from the tables.
    #[test]
    fn a_table_in_several_runs_loads_in_bulk_and_rows_out_of_order_are_merged() {
        for out_of_order in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mut store = signed_in(dir.path()).store;
            let person_indexes = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person'";
            let indexes = count(&store, person_indexes);
            let households = if out_of_order {
                vec![
                    rows(Table::Household, 110..=120, "dissolved_on", "2026-"),
                    rows(Table::Household, 101..=105, "dissolved_on", "2026-"),
                ]
            } else {
                vec![
                    rows(Table::Household, 101..=105, "dissolved_on", "2026-"),
                    rows(Table::Household, 110..=120, "dissolved_on", "2026-"),
                ]
            };
            let mut runs = vec![rows(Table::Dwelling, 1..=3, "street", "Via ")];
            runs.extend(households);
            runs.push(rows(Table::Person, 1000..=1039, "surname", "Rossi"));
            runs.push(rows(Table::Person, 1040..=1079, "surname", "Rossi"));
            runs.push(rows(Table::Person, 1080..=1099, "surname", "Rossi"));
            runs.push(rows(Table::Note, 5000..=5001, "body", "nota "));
            let contexts = [BTreeMap::new()];
            store
                .bulk_apply_tx(|tx| {
                    let (stats, newest) =
                        load_snapshot(tx, runs.into_iter().map(Ok), &contexts, "2026-12-01T10:00:00Z")?;
                    assert_eq!(stats.new, 3 + 16 + 100 + 2);
                    Ok((stats, newest))
                })
                .unwrap();
            assert_eq!(count(&store, "SELECT count(*) FROM person"), 100);
            assert_eq!(count(&store, person_indexes), indexes, "the person indexes are back");
            // 100 people in two chunks, as from a single run: one writer across the runs.
            assert_eq!(count(&store, "SELECT count(*) FROM base_chunk WHERE tbl = 'person'"), 2);
            assert_eq!(count(&store, "SELECT count(*) FROM household"), 16);
            let merged = count(&store, "SELECT count(*) FROM change_log WHERE tbl = 'household'");
            assert_eq!(merged, if out_of_order { 5 } else { 0 }, "households 101-105 came after 110-120");
            let loaded = index(&store);
            assert_eq!(loaded.iter().filter(|d| d.0 == search::HitKind::Person.code()).count(), 100);
            store.local_write(|tx| search::rebuild(tx)).unwrap();
            assert_eq!(index(&store), loaded, "the same index as the tables give");
        }
    }

    /// A value the documents' thread cannot read as its column's type (a number for a surname)
    /// stops it; the index is then rebuilt from the tables, which hold the value as SQLite stored
    /// it, and the load goes on.
    #[test]
    fn a_value_of_another_type_leaves_the_index_to_the_tables() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = signed_in(dir.path()).store;
        let mut people = rows(Table::Person, 1000..=1009, "surname", "Rossi");
        people.push(cell(Table::Person, 1010, "surname", Value::Integer(42), 1));
        let runs = vec![people, rows(Table::Note, 5000..=5001, "body", "nota ")];
        let contexts = [BTreeMap::new()];
        store
            .bulk_apply_tx(|tx| load_snapshot(tx, runs.into_iter().map(Ok), &contexts, "2026-12-01T10:00:00Z"))
            .unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM person"), 11);
        let loaded = index(&store);
        assert_eq!(loaded.len(), 11);
        assert!(loaded.iter().any(|d| d.2 == "42"), "{loaded:?}");
        store.local_write(|tx| search::rebuild(tx)).unwrap();
        assert_eq!(index(&store), loaded);
    }

    /// The search rows built on another thread, in an in-memory database of its own, are copied
    /// whole into the desk's index, under the numbers the full-text index gives them; the memory
    /// database is detached and freed once the transaction has ended.
    #[test]
    fn search_rows_staged_on_another_thread_are_copied_whole_then_released() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = signed_in(dir.path()).store;
        let dwellings = rows(Table::Dwelling, 1..=3, "street", "Via ");
        let households: Vec<WireChange> = (101..=103u128)
            .map(|i| cell(Table::Household, i, "dwelling_id", text(&Uuid::from_u128(i - 100).to_string()), 1))
            .collect();
        let people = rows(Table::Person, 1000..=1049, "surname", "Rossi");
        let slices: Vec<&[WireChange]> = vec![&dwellings, &households, &people];
        let documents = Arc::new(search::documents(&search_sources(&slices).unwrap()));
        assert_eq!(documents.len(), 53);
        let schema = store.local_write(|tx| search::staging_schema(tx)).unwrap();
        let staging = {
            let documents = Arc::clone(&documents);
            std::thread::spawn(move || search::stage(&schema, &documents).unwrap())
        };
        let staged = staging.join().unwrap();
        let copied = store
            .local_write(|tx| {
                search::load_words(tx, &documents)?;
                search::load_documents(tx, &documents, Some(staged))
            })
            .unwrap();
        assert!(copied, "the staged rows were copied, not inserted again");
        let attached = "SELECT count(*) FROM pragma_database_list WHERE name = 'search_staging'";
        assert_eq!(count(&store, attached), 1);
        let loaded = index(&store);
        assert_eq!(loaded.len(), 53);
        // Each row has the number its words have in the full-text index.
        let found: i64 = count(
            &store,
            "SELECT count(*) FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid
             WHERE search_fts MATCH 'rossi1049' AND d.kind = 'person'",
        );
        assert_eq!(found, 1);
        search::release_staged(store.conn()).unwrap();
        assert_eq!(count(&store, attached), 0);
        let copied = store.local_write(|tx| search::load_documents(tx, &documents, None)).unwrap();
        assert!(!copied);
        assert_eq!(index(&store), loaded, "the same rows as inserting them here gives");
    }
}

#[cfg(test)]
mod fresh_rows {
    use super::tests_support::*;
    use super::*;
    use crate::ids::OperatorId;
    use crate::store::Store;

    fn store(dir: &std::path::Path) -> Store {
        signed_in(dir).store
    }

    /// A person row written whole: surname and name.
    fn person(row: u128, surname: &str, hlc: u64) -> [WireChange; 2] {
        [cell(Table::Person, row, "surname", text(surname), hlc), cell(Table::Person, row, "name", text("N"), hlc)]
    }

    fn apply(store: &mut Store, changes: &[WireChange], contexts: &[BTreeMap<DeskId, u64>]) -> MergeStats {
        store.apply_tx(|tx| merge(tx, changes, contexts, "2026-12-01T10:00:00Z")).unwrap()
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The rows of a two-column query.
    fn pairs<A: rusqlite::types::FromSql, B: rusqlite::types::FromSql>(
        store: &Store,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Vec<(A, B)> {
        store
            .conn()
            .prepare(sql)
            .unwrap()
            .query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// A row's surname changes in the change record (value, clock), oldest first.
    fn surname_history(store: &Store, row: Uuid) -> Vec<(String, i64)> {
        pairs(
            store,
            "SELECT value, hlc FROM change_log WHERE row_id = ?1 AND col = 'surname' ORDER BY hlc",
            [row.to_string()],
        )
    }

    /// Every row's cells, from the change record and the base (clock, desk), sorted.
    fn cells_of_row(store: &Store, row: u128) -> Vec<(String, u64)> {
        let id = Uuid::from_u128(row);
        let mut out: Vec<(String, u64)> = store
            .conn()
            .prepare("SELECT col, hlc FROM change_log WHERE tbl = 'person' AND row_id = ?1")
            .unwrap()
            .query_map([id.to_string()], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        out.extend(base::cells_of(store.conn(), Table::Person, id).unwrap().iter().map(|c| (c.column.into(), c.hlc.0)));
        out.sort();
        out
    }

    fn surname(store: &Store, row: u128) -> String {
        store
            .conn()
            .query_row("SELECT surname FROM person WHERE id = ?1", [Uuid::from_u128(row).to_string()], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn rows_arriving_whole_go_to_the_base_without_chunks_overlapping() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let contexts = [BTreeMap::new()];
        // 100 new people (ids 10, 20, ... 1000): two chunks, nothing in the change record.
        let first: Vec<WireChange> = (1..=100).flat_map(|i| person(i * 10, &format!("S{i}"), 5)).collect();
        let stats = apply(&mut store, &first, &contexts);
        assert_eq!((stats.new, stats.duplicates), (200, 0));
        assert_eq!(count(&store, "SELECT count(*) FROM change_log WHERE tbl = 'person'"), 0);
        assert_eq!(count(&store, "SELECT count(*) FROM base_chunk"), 2);
        // Fewer than a chunk's worth of new rows: the change record, as any everyday bundle.
        let few: Vec<WireChange> = (1..=3).flat_map(|i| person(5000 + i, "Pochi", 5)).collect();
        apply(&mut store, &few, &contexts);
        assert_eq!(count(&store, "SELECT count(*) FROM change_log WHERE tbl = 'person'"), 6);
        // New rows before, between, inside and after the existing chunks (64 rows each at most:
        // 10..640 and 650..1000), and one row that comes twice in the same merge.
        let mut second: Vec<WireChange> = Vec::new();
        for row in [5, 645, 15] {
            second.extend(person(row, "Nuovo", 6));
        }
        second.extend((1..=80).flat_map(|i| person(1000 + i, "Dopo", 6)));
        second.push(cell(Table::Person, 1001, "phone", text("02 1234"), 7));
        let stats = apply(&mut store, &second, &contexts);
        assert_eq!((stats.new, stats.duplicates), (167, 0));
        // Row 15 lies inside a chunk and row 1001 came twice: both in the change record.
        assert_eq!(
            count(&store, "SELECT count(DISTINCT row_id) FROM change_log WHERE tbl = 'person'"),
            5,
            "the three small ones, row 15 and row 1001"
        );
        let ranges: Vec<(String, String)> =
            pairs(&store, "SELECT first_row, last_row FROM base_chunk ORDER BY first_row", []);
        for pair in ranges.windows(2) {
            assert!(pair[0].1 < pair[1].0, "chunks overlap: {ranges:?}");
        }
        assert_eq!(ranges.len(), 2 + 4, "row 5, row 645, and 1002..1080 in two chunks: {ranges:?}");
        // Every row finds exactly its own cells.
        for row in (1..=100).map(|i| i * 10).chain([5, 15, 645]).chain(1002..=1080) {
            let hlc = if row % 10 == 0 && row <= 1000 { 5 } else { 6 };
            assert_eq!(cells_of_row(&store, row), [("name".into(), hlc), ("surname".into(), hlc)], "row {row}");
        }
        assert_eq!(cells_of_row(&store, 1001).len(), 3);
        // Delivered again: all duplicates, nothing written.
        let stats = apply(&mut store, &second, &contexts);
        assert_eq!((stats.new, stats.duplicates), (0, 167));
        let stats = apply(&mut store, &first, &contexts);
        assert_eq!((stats.new, stats.duplicates), (0, 200));
    }

    #[test]
    fn a_base_cell_replaced_keeps_its_value_in_the_change_record_and_conflicts_show_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store(dir.path());
        let first: Vec<WireChange> = (1..=70).flat_map(|i| person(i, &format!("S{i}"), 5)).collect();
        let seen: BTreeMap<DeskId, u64> = [(DeskId(Uuid::from_u128(1)), 1)].into();
        let contexts = [BTreeMap::new(), seen];
        apply(&mut store, &first, &contexts);
        assert_eq!(count(&store, "SELECT count(*) FROM change_log WHERE tbl = 'person'"), 0);
        let other = |row: u128, value: &str, hlc: u64, context: u32| WireChange {
            desk: DeskId(Uuid::from_u128(5)),
            operator: OperatorId(Uuid::from_u128(6)),
            batch: Uuid::from_u128(7),
            context,
            ..cell(Table::Person, row, "surname", text(value), hlc)
        };
        // Row 1: desk 5 had seen the row (context 1): a plain edit. Row 2: it had not: a conflict
        // whose losing value is the base cell's. Row 3: an older concurrent edit loses.
        let stats = apply(
            &mut store,
            &[other(1, "Nuovo1", 9, 1), other(2, "Nuovo2", 9, 0), other(3, "Vecchio3", 2, 0)],
            &contexts,
        );
        assert_eq!((stats.new, stats.conflicts), (3, 2));
        assert_eq!(
            (surname(&store, 1), surname(&store, 2), surname(&store, 3)),
            ("Nuovo1".into(), "Nuovo2".into(), "S3".into())
        );
        let kept = surname_history(&store, Uuid::from_u128(1));
        assert_eq!(kept, [("S1".to_string(), 5), ("Nuovo1".to_string(), 9)], "the replaced value is recorded");
        let losers: Vec<(String, String)> =
            pairs(&store, "SELECT loser_value, winner_value FROM sync_conflict ORDER BY row_id", []);
        assert_eq!(losers, [("S2".to_string(), "Nuovo2".to_string()), ("Vecchio3".to_string(), "S3".to_string())]);
        // Row 3's base cell still wins and was not copied; the same edits again change nothing.
        assert_eq!(count(&store, "SELECT count(*) FROM change_log WHERE col = 'surname'"), 5);
        let stats = apply(&mut store, &[other(1, "Nuovo1", 9, 1), other(2, "Nuovo2", 9, 0)], &contexts);
        assert_eq!((stats.new, stats.duplicates), (0, 2));
    }

    #[test]
    fn a_local_edit_of_a_base_cell_keeps_the_value_it_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let crate::accounts::SignedIn { mut store, actor, .. } = signed_in(dir.path());
        let first: Vec<WireChange> = (1..=70).flat_map(|i| person(i, &format!("S{i}"), 5)).collect();
        apply(&mut store, &first, &[BTreeMap::new()]);
        let (one, two) = (Uuid::from_u128(1), Uuid::from_u128(2));
        store
            .write(&actor, |w| {
                w.update(Table::Person, one, &[("surname", text("Corretto")), ("name", text("N"))])?;
                w.update(Table::Person, one, &[("surname", text("Ricorretto"))])?;
                w.reassert(Table::Person, two, &[("surname", text("S2"))])
            })
            .unwrap();
        let history = |row: Uuid| surname_history(&store, row);
        // The base value once, then the two edits; the unchanged name is not recorded at all.
        let values: Vec<String> = history(one).into_iter().map(|(v, _)| v).collect();
        assert_eq!(values, ["S1", "Corretto", "Ricorretto"]);
        assert_eq!(history(one)[0].1, 5);
        let names = count(&store, "SELECT count(*) FROM change_log WHERE tbl = 'person' AND col = 'name'");
        assert_eq!(names, 0);
        // A settled conflict writes the same value again: the base cell is recorded before it.
        assert_eq!(history(two).into_iter().map(|(v, _)| v).collect::<Vec<_>>(), ["S2", "S2"]);
        assert_eq!(surname(&store, 1), "Ricorretto");
    }
}
