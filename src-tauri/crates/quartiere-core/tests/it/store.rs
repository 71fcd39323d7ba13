use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::schema::{Table, SCHEMA_VERSION};
use quartiere_core::store::canonical_dump;

use crate::*;

#[test]
fn migrations_create_the_tables_the_code_knows() {
    let f = fixture();
    let conn = f.store.conn();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    for table in Table::ALL {
        let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.name())).unwrap();
        let mut columns: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|c| c.unwrap()).collect();
        assert_eq!(columns.remove(0), "id", "{}", table.name());
        assert_eq!(columns, table.columns(), "columns of {}", table.name());
        let deleted = columns.iter().any(|c| c == "deleted");
        assert!(deleted, "{} needs a tombstone column", table.name());
    }
    // Reopening an up-to-date database changes nothing and keeps the desk id.
    let desk = f.store.desk();
    drop(f.store);
    let again = reopen(f.dir.path(), 1);
    assert_eq!(again.desk(), desk);
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quartiere.sqlite");
    let key = [7u8; 32];
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&quartiere_core::vault::DbKey::from_bytes(key).pragma()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = match quartiere_core::Store::open(
        &path,
        quartiere_core::vault::DbKey::from_bytes(key),
        Box::new(quartiere_core::clock::SystemClock),
        quartiere_core::ids::IdGen::seeded(1),
        &quartiere_core::HOOKS,
    ) {
        Err(e) => e,
        Ok(_) => panic!("a newer schema must be refused"),
    };
    assert!(err.to_string().contains("versione più recente"), "{err}");
}

#[test]
fn every_write_is_recorded_with_operator_desk_and_clock() {
    let mut f = fixture();
    let before = change_count(&f.store);
    let id = f
        .store
        .write(&f.actor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Rossi".into(), name: "Mario".into(), ..Default::default() },
            )
        })
        .unwrap();
    let rows: Vec<(String, String, String, i64, String, String)> = f
        .store
        .conn()
        .prepare("SELECT tbl, row_id, col, hlc, desk_id, operator_id FROM change_log WHERE seq > ?1 ORDER BY seq")
        .unwrap()
        .query_map([before], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(rows.len() >= 3);
    let mut last_hlc = 0;
    for (tbl, row_id, _col, hlc, desk, operator) in &rows {
        // The write's own audit event is recorded last, in the same transaction.
        if tbl == "audit_event" {
            assert!(rows.iter().any(|r| r.0 == "person"));
        } else {
            assert_eq!(tbl, "person");
            assert_eq!(row_id, &id.to_string());
        }
        assert_eq!(desk, &f.actor.desk.to_string());
        assert_eq!(operator, &f.actor.operator.to_string());
        assert!(*hlc > last_hlc, "clock readings grow");
        last_hlc = *hlc;
    }
    assert!(rows.iter().any(|r| r.2 == "surname"));
    assert_eq!(rows.last().map(|r| r.0.as_str()), Some("audit_event"));
    // Ids are UUID v7.
    assert_eq!(id.0.get_version_num(), 7);
}

#[test]
fn writing_around_the_change_record_is_refused() {
    let f = fixture();
    let err = f
        .store
        .conn()
        .execute("INSERT INTO person (id, surname, name) VALUES ('x', 'Furtivo', 'Scrittore')", [])
        .unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
    assert_eq!(count(&f.store, "SELECT count(*) FROM person WHERE surname = 'Furtivo'"), 0);
}

#[test]
fn a_failed_write_leaves_no_trace() {
    let mut f = fixture();
    let before = canonical_dump(f.store.conn()).unwrap();
    let changes = change_count(&f.store);
    let result = f.store.write(&f.actor, |w| {
        registry::create_person(
            w,
            &PersonInput { surname: "Bianchi".into(), name: "Anna".into(), ..Default::default() },
        )?;
        // The second person is invalid, so the whole write must roll back.
        registry::create_person(
            w,
            &PersonInput {
                surname: "Verdi".into(),
                name: "Luca".into(),
                codice_fiscale: Some("RSSMRA45D25F205X".into()),
                ..Default::default()
            },
        )
    });
    assert!(result.is_err());
    assert_eq!(canonical_dump(f.store.conn()).unwrap(), before);
    assert_eq!(change_count(&f.store), changes);
    // The store still works after the failure.
    f.store
        .write(&f.actor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Neri".into(), name: "Ada".into(), ..Default::default() },
            )
        })
        .unwrap();
}

/// The proof that nothing writes around the change record: a database rebuilt from the change
/// record alone equals the original, after every kind of domain operation.
#[test]
fn the_change_record_alone_rebuilds_the_database() {
    let mut f = fixture();
    let actor = f.actor;
    demo::generate(&mut f.store, &actor, &DemoConfig { households: 25, people: None, seed: 3, today: today() })
        .unwrap();
    crate::desk::exercise_desk_log(&mut f.store, &actor);
    crate::registry::exercise_household_history(&mut f.store, &actor);
    crate::import::exercise_import(&mut f.store, &actor);

    let changes = f.store.changes_since(0, usize::MAX).unwrap();
    let replay_dir = tempfile::tempdir().unwrap();
    let mut replica = empty_store(replay_dir.path(), 99);
    replica.apply_changes(&changes).unwrap();
    let original = canonical_dump(f.store.conn()).unwrap();
    assert_eq!(canonical_dump(replica.conn()).unwrap(), original);
    assert!(original.lines().count() > 200);
    // The derived search index is rebuilt too.
    let hits =
        quartiere_core::search::search(replica.conn(), &actor, "rossi", quartiere_core::search::Scope::ALL, 5).unwrap();
    let original_hits =
        quartiere_core::search::search(f.store.conn(), &f.actor, "rossi", quartiere_core::search::Scope::ALL, 5)
            .unwrap();
    assert_eq!(hits, original_hits);
}

#[test]
fn writes_naming_columns_in_any_order_keep_each_value_in_its_column() {
    // Row writes reuse one statement per table and set of columns: the order a caller names the
    // columns in must not move a value into another column.
    let mut f = fixture();
    let t = |s: &str| rusqlite::types::Value::Text(s.into());
    let (a, b) = f
        .store
        .write(&f.actor, |w| {
            let (a, b) = (w.new_id(), w.new_id());
            w.insert(Table::Person, a, &[("surname", t("Rossi")), ("name", t("Mario"))])?;
            w.insert(Table::Person, b, &[("name", t("Awa")), ("surname", t("Diop"))])?;
            w.update(Table::Person, a, &[("name", t("Maria")), ("surname", t("Russo"))])?;
            Ok((a, b))
        })
        .unwrap();
    let read = |id: uuid::Uuid| -> (String, String) {
        f.store
            .conn()
            .query_row("SELECT surname, name FROM person WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    assert_eq!(read(a), ("Russo".to_string(), "Maria".to_string()));
    assert_eq!(read(b), ("Diop".to_string(), "Awa".to_string()));
}

/// A database made before pages became 16 KiB keeps its 4 KiB pages and opens as before, whatever
/// its size, with what its write-ahead log holds; a new one is made with 16 KiB pages.
#[test]
fn a_database_with_the_old_page_size_still_opens_whole() {
    use quartiere_core::vault::{open_keyed, DbKey, PAGE_SIZE};
    let dir = tempfile::tempdir().unwrap();
    let key = [9u8; 32];
    let flags = rusqlite::OpenFlags::default();
    let page_size = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("PRAGMA cipher_page_size", [], |r| r.get::<_, String>(0)).unwrap().parse().unwrap()
    };

    let new = dir.path().join("nuovo.sqlite");
    let conn = open_keyed(&new, &DbKey::from_bytes(key), flags).unwrap().expect("a new file opens");
    conn.execute_batch("CREATE TABLE t (v TEXT)").unwrap();
    assert_eq!(page_size(&conn), i64::from(PAGE_SIZE));
    drop(conn);

    // An old desk's file: 4 KiB pages, grown until its size is also a multiple of 16 KiB (so the
    // new size is tried first and fails), its last rows still in the write-ahead log.
    let old = dir.path().join("vecchio.sqlite");
    let conn = rusqlite::Connection::open(&old).unwrap();
    conn.execute_batch(&DbKey::from_bytes(key).pragma_for(4096)).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v TEXT)").unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let mut rows = 0;
    while rows < 50 || !std::fs::metadata(&old).unwrap().len().is_multiple_of(u64::from(PAGE_SIZE)) {
        conn.execute("INSERT INTO t VALUES (?1)", [format!("riga {rows} {}", "x".repeat(500))]).unwrap();
        rows += 1;
        if rows % 8 == 0 {
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        }
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    conn.execute("INSERT INTO t VALUES ('solo nel log')", []).unwrap();
    // A copy taken while the log holds a row, as after a crash.
    let copy = dir.path().join("copia");
    std::fs::create_dir(&copy).unwrap();
    for suffix in ["", "-wal"] {
        std::fs::copy(format!("{}{suffix}", old.display()), format!("{}/vecchio.sqlite{suffix}", copy.display()))
            .unwrap();
    }
    drop(conn);
    let copied = copy.join("vecchio.sqlite");
    assert_eq!(std::fs::metadata(&copied).unwrap().len() % u64::from(PAGE_SIZE), 0);
    assert!(std::fs::metadata(format!("{}-wal", copied.display())).unwrap().len() > 0);
    let opened = open_keyed(&copied, &DbKey::from_bytes(key), flags).unwrap().expect("the old file opens");
    assert_eq!(page_size(&opened), 4096);
    let count: i64 = opened.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(count, rows + 1, "every row, the one only in the log too");
    drop(opened);
    // Opened again (the log now folded into the file): still whole.
    let again = open_keyed(&copied, &DbKey::from_bytes(key), flags).unwrap().expect("opens again");
    let count: i64 = again.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(count, rows + 1);
    // Another key opens neither.
    assert!(open_keyed(&copied, &DbKey::from_bytes([1u8; 32]), flags).unwrap().is_none());
    assert!(open_keyed(&new, &DbKey::from_bytes([1u8; 32]), flags).unwrap().is_none());
}

/// Twenty commands started together at one desk each wait their turn: every write starts as one
/// (`BEGIN IMMEDIATE`), so the busy timeout applies and none fails with "database is locked".
#[test]
fn writers_started_together_wait_their_turn() {
    let f = fixture();
    let dir = f.dir.path().to_path_buf();
    let actor = f.actor;
    drop(f.store);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(20));
    // All sign in at once (one of them makes the day's backup, the others do not wait for it),
    // then all write at once.
    let threads: Vec<_> = (0..20u64)
        .map(|i| {
            let (dir, barrier) = (dir.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut store = reopen(&dir, 100 + i);
                barrier.wait();
                store.write(&actor, |w| {
                    let input =
                        PersonInput { surname: format!("Insieme{i}"), name: "Anna".into(), ..Default::default() };
                    registry::create_person(w, &input)
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap().unwrap();
    }
    let store = reopen(&dir, 99);
    assert_eq!(count(&store, "SELECT count(*) FROM person WHERE surname LIKE 'Insieme%'"), 20);
    assert_eq!(quartiere_core::backup::list_in(&dir.join("backup")).unwrap().len(), 1, "one backup made, whole");
}

/// A full disk is named as such, and the write leaves nothing behind.
#[test]
fn a_full_disk_is_named_and_the_write_leaves_nothing() {
    let mut f = fixture();
    let actor = f.actor;
    let before = canonical_dump(f.store.conn()).unwrap();
    let pages: i64 = f.store.conn().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    // The file may not grow: what a full disk does to SQLite.
    f.store.conn().query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(())).unwrap();
    let error = f
        .store
        .write(&actor, |w| {
            for i in 0..2000 {
                let input = PersonInput { surname: format!("Pieno{i}"), name: "x".repeat(90), ..Default::default() };
                registry::create_person(w, &input)?;
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(error.kind(), quartiere_core::ErrorKind::DiskFull);
    assert_eq!(error.to_string(), "il disco è pieno: libera spazio e riprova (l'operazione non è stata registrata)");
    assert_eq!(canonical_dump(f.store.conn()).unwrap(), before);
}

/// A data folder SQLite may not write is named as such, never taken for a wrong key.
#[test]
fn a_read_only_database_is_named_not_taken_for_a_wrong_key() {
    let f = fixture();
    let path = f.dir.path().join("quartiere.sqlite");
    let (key, _) = quartiere_core::vault::unlock(f.dir.path(), "Giulia Operatrice", OPERATOR_PASS).unwrap();
    let conn = quartiere_core::vault::open_keyed(&path, &key, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .expect("the right key opens the file read-only");
    let refused = conn.execute("DELETE FROM person", []).unwrap_err();
    let error = quartiere_core::Error::from(refused);
    assert_eq!(error.kind(), quartiere_core::ErrorKind::ReadOnly);
    assert_eq!(
        error.to_string(),
        "la cartella dei dati è in sola lettura o non hai i permessi per scriverci: controlla i permessi della cartella, o che il disco non sia protetto dalla scrittura"
    );
}

/// A data folder that is a file is named as such, not as "create a desk".
#[test]
fn a_data_folder_that_is_a_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quartiere");
    std::fs::write(&file, b"non una cartella").unwrap();
    let error = quartiere_core::accounts::sign_in(&file, "Giulia", "x", clock(), quartiere_core::ids::IdGen::seeded(1))
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        format!(
            "dati non validi: data-dir: {} è un file, non una cartella: indica la cartella dei dati di Quartiere",
            file.display()
        )
    );
}
