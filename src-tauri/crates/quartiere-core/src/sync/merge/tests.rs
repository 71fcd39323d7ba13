//! The merge's tests: the search sources taken from a snapshot's rows, the streaming load of a
//! snapshot (a late fault loads nothing), and rows merged whole and new into the snapshot base.

use super::*;

/// [`add_search_sources`] for each of `slices`.
fn search_sources(slices: &[&[WireChange]]) -> Option<crate::search::Sources> {
    let mut sources = crate::search::Sources::default();
    for slice in slices {
        add_search_sources(&mut sources, slice)?;
    }
    Some(sources)
}

mod support {
    use super::super::*;

    pub(super) fn cell(table: Table, row: u128, column: &'static str, value: Value, hlc: u64) -> WireChange {
        WireChange::for_test(table, row, column, value, hlc, 1)
    }

    pub(super) fn text(t: &str) -> Value {
        Value::Text(t.into())
    }

    pub(super) use crate::test_support::signed_in;
}

mod search_sources {
    use super::support::*;
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

mod streaming {
    use super::support::*;
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

mod fresh_rows {
    use super::support::*;
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
