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
mod tests;
