//! Sync through real folders: desks with their own SQLite files exchanging real encrypted bundles.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use quartiere_core::accounts;
use quartiere_core::audit;
use quartiere_core::clock::{SteppingClock, SystemClock};
use quartiere_core::crypto::KdfParams;
use quartiere_core::ids::IdGen;
use quartiere_core::schema::Table;
use quartiere_core::store::canonical_dump;
use quartiere_core::sync::{self, ConflictChoice, SyncReport};
use quartiere_core::{Actor, Error, Store};
use quartiere_core::{ErrorKind, RefusalKind};
use uuid::Uuid;

pub const PASS: &str = "cortile di via Pirandello";

pub struct Desk {
    pub store: Store,
    pub actor: Actor,
    pub folder: PathBuf,
    _dir: tempfile::TempDir,
}

/// A desk with its own database, whose clock is `skew_min` minutes off, enrolled in the team whose
/// key lives in `folder` (created there if missing).
pub fn desk(name: &str, seed: u64, folder: &Path, skew_min: i64) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::minutes(skew_min);
    let (mut store, actor) =
        crate::new_desk(dir.path(), name, &format!("Operatore {name}"), Box::new(SteppingClock::new(start, 3)), seed);
    fs::create_dir_all(folder).unwrap();
    sync::enrol(&mut store, &actor, folder, PASS, name, KdfParams::MINIMUM).unwrap();
    Desk { store, actor, folder: folder.to_owned(), _dir: dir }
}

pub fn run(desk: &mut Desk) -> SyncReport {
    sync::sync(&mut desk.store, &desk.actor, &mut |_| {}).unwrap()
}

/// Copies every file of `from`'s folder tree into `to`'s (what Syncthing or a USB stick does).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if !target.exists() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn person(desk: &mut Desk, surname: &str) -> Uuid {
    let id = desk.store.new_id();
    desk.store
        .write(&desk.actor, |w| {
            w.insert(Table::Person, id, &[("surname", surname.to_string().into()), ("name", "Anna".to_string().into())])
        })
        .unwrap();
    id
}

fn set(desk: &mut Desk, id: Uuid, column: &str, value: &str) {
    desk.store.write(&desk.actor, |w| w.update(Table::Person, id, &[(column, value.to_string().into())])).unwrap();
}

fn surname(desk: &Desk, id: Uuid) -> Option<String> {
    desk.store.conn().query_row("SELECT surname FROM person WHERE id = ?1", [id.to_string()], |r| r.get(0)).ok()
}

#[test]
fn a_person_made_at_one_desk_reaches_the_other_through_one_folder() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let id = person(&mut a, "Esposito");
    let report = run(&mut a);
    assert_eq!(report.published_seq, Some(1));
    let report = run(&mut b);
    assert_eq!(report.bundles_applied, 1, "{report:?}");
    assert_eq!(surname(&b, id).as_deref(), Some("Esposito"));
    // The person is findable at B: the search index is refreshed by sync too.
    let hits =
        quartiere_core::search::search(b.store.conn(), &b.actor, "espo", quartiere_core::search::Scope::PEOPLE, 5)
            .unwrap();
    assert_eq!(hits.len(), 1);
    // Nothing in the folder is readable without the key: no name in any file.
    for file in walk(shared.path()) {
        let bytes = fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("Esposito"), "{}", file.display());
    }
    let status = sync::status(&b.store, &b.actor).unwrap();
    assert_eq!(status.desks.len(), 2);
    assert!(status.desks.iter().any(|d| d.name == "Sportello A" && d.last_seq == 1));
    assert!(status.refused.is_empty());
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn a_wrong_passphrase_is_told_at_once_and_a_short_one_refused() {
    let shared = tempfile::tempdir().unwrap();
    let _a = desk("Sportello A", 1, shared.path(), 0);
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = crate::new_desk(dir.path(), "B", "Operatore", Box::new(SystemClock), 9);
    let err =
        sync::enrol(&mut store, &actor, shared.path(), "cortile di via Verdi", "B", KdfParams::MINIMUM).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    assert!(err.to_string().contains("parola d'accesso errata"));
    let err = sync::enrol(&mut store, &actor, shared.path(), "corta", "B", KdfParams::MINIMUM).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    assert!(!sync::is_enrolled(&store).unwrap());
}

#[test]
fn the_recovery_code_enrols_a_desk_without_the_passphrase() {
    let shared = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = crate::new_desk(dir.path(), "A", "Operatore", Box::new(SystemClock), 3);
    let outcome = sync::enrol(&mut store, &actor, shared.path(), PASS, "A", KdfParams::MINIMUM).unwrap();
    assert!(outcome.created_team);
    let code = outcome.recovery_code.unwrap();
    let (mut b, actor_b) = crate::new_desk(&dir.path().join("b"), "B", "Operatore", Box::new(SystemClock), 4);
    sync::enrol_with_recovery_code(&mut b, &actor_b, shared.path(), &code.to_lowercase(), "B").unwrap();
    sync::sync(&mut store, &actor, &mut |_| {}).unwrap();
    let report = sync::sync(&mut b, &actor_b, &mut |_| {}).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert!(report.bundles_applied >= 1);
}

/// Damages a copy of `file` in `how` and returns the damaged bytes.
fn damaged(bytes: &[u8], how: &str) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match how {
        "truncated" => out.truncate(bytes.len() / 2),
        "bit_flip" => {
            let at = bytes.len() / 2;
            out[at] ^= 0x10;
        }
        "header_edit" => out[50] ^= 1,
        _ => unreachable!(),
    }
    out
}

#[test]
fn damaged_forged_replayed_and_wrong_key_bundles_are_refused_whole_and_later_ones_apply() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let b_folder = tempfile::tempdir().unwrap();
    copy_tree(shared.path(), b_folder.path());
    let mut b = desk("Sportello B", 2, b_folder.path(), 0);
    let first = person(&mut a, "Primo");
    run(&mut a);
    let second = person(&mut a, "Secondo");
    run(&mut a);
    let a_dir = a.store.desk().0.hyphenated().to_string();
    let b1 = shared.path().join("desks").join(&a_dir).join("b-0000000000000001.qrt");
    let b2 = shared.path().join("desks").join(&a_dir).join("b-0000000000000002.qrt");
    let target = b_folder.path().join("desks").join(&a_dir);
    fs::copy(shared.path().join("desks").join(&a_dir).join("desk.qrt"), target.join("desk.qrt")).unwrap();
    let good1 = fs::read(&b1).unwrap();
    let changes_before =
        b.store.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0)).unwrap();

    for how in ["truncated", "bit_flip", "header_edit"] {
        fs::write(target.join("b-0000000000000001.qrt"), damaged(&good1, how)).unwrap();
        let report = run(&mut b);
        assert_eq!(report.refused.len(), 1, "{how}: {report:?}");
        assert_eq!(report.bundles_applied, 0, "{how}");
        assert_eq!(surname(&b, first), None, "{how}: nothing applied in part");
    }
    let shown = &sync::status(&b.store, &b.actor).unwrap().refused[0];
    assert_eq!(shown.kind, Some(RefusalKind::BadSignature), "{shown:?}");
    let after = b.store.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0)).unwrap();
    // Only B's own bundle bookkeeping: no change row came from the damaged files.
    assert_eq!(after, changes_before);

    // Replayed: bundle 1 copied under the name of bundle 2.
    fs::write(target.join("b-0000000000000002.qrt"), &good1).unwrap();
    let report = run(&mut b);
    assert!(report
        .refused
        .iter()
        .any(|r| r.path.ends_with("b-0000000000000002.qrt") && r.kind == Some(RefusalKind::NameMismatch)));

    // The truncated file is then delivered whole, and the real bundle 2 arrives: both apply.
    fs::write(target.join("b-0000000000000001.qrt"), &good1).unwrap();
    fs::copy(&b2, target.join("b-0000000000000002.qrt")).unwrap();
    let report = run(&mut b);
    assert_eq!(report.bundles_applied, 2, "{report:?}");
    assert!(report.refused.is_empty());
    assert!(sync::status(&b.store, &b.actor).unwrap().refused.is_empty(), "refusals clear once the file is whole");
    assert_eq!(surname(&b, second).as_deref(), Some("Secondo"));

    // Forged: a bundle for A's next number, written with the team key but signed by another desk's key.
    let mut c = desk("Sportello C", 3, b_folder.path(), 0);
    person(&mut c, "Falso");
    run(&mut c);
    let c_dir = c.store.desk().0.hyphenated().to_string();
    let c_bundle = fs::read(b_folder.path().join("desks").join(&c_dir).join("b-0000000000000001.qrt")).unwrap();
    let mut forged = c_bundle.clone();
    forged[24..40].copy_from_slice(a.store.desk().0.as_bytes());
    forged[40..48].copy_from_slice(&3u64.to_le_bytes());
    fs::write(target.join("b-0000000000000003.qrt"), &forged).unwrap();
    let report = run(&mut b);
    let refusal = report.refused.iter().find(|r| r.path.ends_with("b-0000000000000003.qrt")).expect("forged refused");
    assert_eq!(refusal.kind, Some(RefusalKind::BadSignature), "{refusal:?}");

    // Wrong key: a team made with another passphrase writes a bundle; B cannot have its key.
    let other = tempfile::tempdir().unwrap();
    let mut stranger = desk("Estraneo", 4, other.path(), 0);
    person(&mut stranger, "Estraneo");
    run(&mut stranger);
    copy_tree(other.path().join("desks").as_path(), b_folder.path().join("desks").as_path());
    let report = run(&mut b);
    assert!(
        report.refused.iter().any(|r| r.kind == Some(RefusalKind::CardMissingKey) && r.path.contains("desk.qrt")),
        "{report:?}"
    );
    assert_eq!(
        b.store
            .conn()
            .query_row("SELECT count(*) FROM person WHERE surname = 'Estraneo'", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0
    );
}

#[test]
fn concurrent_edits_keep_the_loser_for_review_and_notes_never_conflict() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let id = person(&mut a, "Rossi");
    run(&mut a);
    run(&mut b);
    set(&mut a, id, "phone", "02 1111");
    set(&mut b, id, "phone", "02 2222");
    // Notes on the same person at both desks: separate rows, never a conflict.
    for d in [&mut a, &mut b] {
        let actor = d.actor;
        d.store
            .write(&actor, |w| {
                quartiere_core::desk::add_note(
                    w,
                    quartiere_core::desk::NoteSubject::Person(quartiere_core::ids::PersonId(id)),
                    "ha chiamato",
                )
            })
            .unwrap();
    }
    run(&mut a);
    run(&mut b);
    run(&mut a);
    let dump_a = canonical_dump(a.store.conn()).unwrap();
    assert_eq!(dump_a, canonical_dump(b.store.conn()).unwrap(), "same data at both desks");
    let at_a = sync::conflicts(&a.store, &a.actor).unwrap();
    let at_b = sync::conflicts(&b.store, &b.actor).unwrap();
    assert_eq!((at_a.len(), at_b.len()), (1, 1), "{at_a:?} {at_b:?}");
    let c = &at_a[0];
    assert_eq!(c.field, "phone");
    assert_eq!(c.record_label, "Rossi Anna");
    let values = BTreeSet::from([c.current_value.clone(), c.other_value.clone()]);
    assert_eq!(values, BTreeSet::from(["02 1111".to_string(), "02 2222".to_string()]));
    // The operator at A takes the other value; it wins everywhere and settles B's conflict too.
    let other = c.other_value.clone();
    sync::resolve_conflict(&mut a.store, &a.actor.clone(), c.id, ConflictChoice::Other).unwrap();
    run(&mut a);
    run(&mut b);
    assert!(sync::conflicts(&a.store, &a.actor).unwrap().is_empty());
    assert!(sync::conflicts(&b.store, &b.actor).unwrap().is_empty(), "settled by the later edit");
    let phone: String =
        b.store.conn().query_row("SELECT phone FROM person WHERE id = ?1", [id.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(phone, other);
    // A later, sequential edit is no conflict.
    set(&mut b, id, "phone", "02 3333");
    run(&mut b);
    let report = run(&mut a);
    assert_eq!(report.new_conflicts, 0);
}

#[test]
fn clock_skew_gives_a_warning_and_the_data() {
    let shared = tempfile::tempdir().unwrap();
    let mut ahead = desk("Sportello avanti", 1, shared.path(), 90);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let id = person(&mut ahead, "Bianchi");
    run(&mut ahead);
    let report = run(&mut b);
    assert_eq!(surname(&b, id).as_deref(), Some("Bianchi"));
    assert!(report.warnings.iter().any(|w| w.contains("orologio") && w.contains("avanti")), "{report:?}");
    assert!(!sync::status(&b.store, &b.actor).unwrap().warnings.is_empty());
    // B's next edit of that person still orders after the skewed one.
    set(&mut b, id, "surname", "Bianchi Rossi");
    run(&mut b);
    run(&mut ahead);
    assert_eq!(surname(&ahead, id).as_deref(), Some("Bianchi Rossi"));
}

#[test]
fn a_desk_restored_from_an_old_backup_is_stopped_then_re_enrols_and_loses_nothing() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    person(&mut a, "Prima");
    run(&mut a);
    // Backup of A's database file, then more work published.
    let db = a.store.path().to_owned();
    let backup = db.with_extension("backup");
    // A file copy taken while the desk is idle: the database and its write-ahead log.
    let wal = db.with_extension("sqlite-wal");
    fs::copy(&db, &backup).unwrap();
    let wal_backup = backup.with_extension("backup-wal");
    let had_wal = fs::copy(&wal, &wal_backup).is_ok();
    let lost = person(&mut a, "Dopo il backup");
    run(&mut a);
    run(&mut b);
    let Desk { store, actor, folder, _dir } = a;
    drop(store);
    fs::copy(&backup, &db).unwrap();
    let _ = fs::remove_file(&wal);
    if had_wal {
        fs::copy(&wal_backup, &wal).unwrap();
    }
    let _ = fs::remove_file(db.with_extension("sqlite-shm"));
    let store = accounts::sign_in(
        db.parent().unwrap(),
        "Operatore Sportello A",
        crate::OPERATOR_PASS,
        Box::new(SteppingClock::new(Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap(), 3)),
        IdGen::seeded(11),
    )
    .unwrap()
    .store;
    let mut a = Desk { store, actor, folder, _dir };
    let old_id = a.store.desk();
    person(&mut a, "Nuova dopo il ripristino");
    let report = run(&mut a);
    assert_eq!(report.published_seq, None, "a restored desk does not publish over its old numbers");
    let status = sync::status(&a.store, &a.actor).unwrap();
    assert!(status.blocked.as_deref().is_some_and(|b| b.contains("ripristinata")), "{status:?}");
    // Re-enrol: a new desk id; the bundle lost with the backup comes back from the folder.
    let actor = a.actor;
    sync::enrol(&mut a.store, &actor, &a.folder.clone(), PASS, "Sportello A", KdfParams::MINIMUM).unwrap();
    assert_ne!(a.store.desk(), old_id);
    a.actor = Actor { desk: a.store.desk(), operator: actor.operator };
    let report = run(&mut a);
    assert!(report.published_seq.is_some(), "{report:?}");
    assert_eq!(surname(&a, lost).as_deref(), Some("Dopo il backup"));
    run(&mut b);
    assert_eq!(canonical_dump(a.store.conn()).unwrap(), canonical_dump(b.store.conn()).unwrap());
    // The audit chains survive too: the restored desk's unpublished events moved to its new
    // chain, so no two events claim one place in the old one.
    for d in [&a, &b] {
        let check = audit::verify(&d.store, &d.actor).unwrap();
        assert!(check.intact() && check.awaited == 0, "{check:?}");
        assert_eq!(check.desks, 3, "B, A before the restore, A re-enrolled");
    }
}

#[test]
fn audit_chains_travel_and_a_bundle_rewriting_an_event_is_refused() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    person(&mut a, "Registrata");
    run(&mut a);
    run(&mut b);
    let check = audit::verify(&b.store, &b.actor).unwrap();
    assert!(check.intact() && check.desks == 2, "{check:?}");
    let from_a = audit::list(&b.store, &b.actor, &audit::AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.desk == "Sportello A")
        .count();
    assert!(from_a >= 3, "A's creation, login and edit reach B");

    // Someone holding A's key slips a rewrite of a published event into A's change record; A signs
    // and publishes it like any change. B refuses the bundle whole.
    let dir = a.store.dir().to_owned();
    let (key, _) = quartiere_core::vault::unlock(&dir, "Operatore Sportello A", crate::OPERATOR_PASS).unwrap();
    let raw = rusqlite::Connection::open(a.store.path()).unwrap();
    raw.execute_batch(&key.pragma()).unwrap();
    raw.execute(
        "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id)
         SELECT ?1, 'audit_event', id, 'detail', 'ritoccato', (SELECT max(hlc) + 1 FROM change_log), desk_id, operator_id
         FROM audit_event WHERE desk_id = ?2 AND kind = 'edit' LIMIT 1",
        rusqlite::params![Uuid::now_v7().to_string(), a.store.desk().to_string()],
    )
    .unwrap();
    person(&mut a, "Dopo");
    let published = run(&mut a);
    assert!(published.published_seq.is_some());
    let report = run(&mut b);
    assert!(report.refused.iter().any(|r| r.kind == Some(RefusalKind::RewritesAuditEvent)), "{report:?}");
    assert_eq!(
        b.store
            .conn()
            .query_row("SELECT count(*) FROM person WHERE surname = 'Dopo'", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0,
        "nothing of the bundle applied"
    );
}

#[test]
fn a_new_desk_joins_from_a_snapshot_and_old_bundles_are_pruned_once_everyone_has_them() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    for i in 0..5 {
        person(&mut a, &format!("Persona {i}"));
        run(&mut a);
    }
    run(&mut b);
    run(&mut a); // A learns B has everything.
    let report = sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    assert!(report.snapshot_written.is_some());
    let a_dir = shared.path().join("desks").join(a.store.desk().0.hyphenated().to_string());
    let bundles = |dir: &Path| {
        fs::read_dir(dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("b-"))
            .count()
    };
    assert!(report.files_pruned >= 5, "{report:?}");
    assert!(bundles(&a_dir) < 5);
    let mut c = desk("Sportello C", 3, shared.path(), 0);
    let mut phases = Vec::new();
    let report = sync::sync(&mut c.store, &c.actor, &mut |p| phases.push(p.phase)).unwrap();
    assert!(report.snapshot_loaded.is_some(), "{report:?}");
    assert!(phases.iter().any(|p| p == "snapshot"), "the load is shown as such: {phases:?}");
    run(&mut a);
    run(&mut b);
    run(&mut c);
    let dump = same_data(&[&a, &b, &c]);
    assert!(dump.contains("Persona 4"));
}

#[test]
fn a_removed_desk_is_refused_after_the_key_is_rotated() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Coordinamento", 1, shared.path(), 0);
    let mut lost = desk("Portatile smarrito", 2, shared.path(), 0);
    let mut b = desk("Sportello B", 3, shared.path(), 0);
    run(&mut lost);
    run(&mut a);
    run(&mut b);
    let code =
        sync::rotate_key(&mut a.store, &a.actor, "nuova frase del gruppo", &[lost.store.desk()], KdfParams::MINIMUM)
            .unwrap();
    assert!(code.len() > 50);
    person(&mut a, "Dopo la rotazione");
    run(&mut a);
    // B cannot read the new key's bundles until it unlocks the new key file.
    let report = run(&mut b);
    assert!(report.refused.iter().any(|r| r.kind == Some(RefusalKind::MissingKey)), "{report:?}");
    assert!(sync::status(&b.store, &b.actor).unwrap().new_key_waiting);
    assert_eq!(sync::unlock(&mut b.store, &b.actor, PASS).unwrap_err().kind(), ErrorKind::WrongPassphrase);
    assert!(sync::unlock(&mut b.store, &b.actor, "nuova frase del gruppo").unwrap() >= 1);
    // The lost laptop (old key, old passphrase) writes on: once B holds the new key file's removal
    // list, those bundles are refused.
    person(&mut lost, "Dal portatile smarrito");
    run(&mut lost);
    let report = run(&mut b);
    assert!(
        report.refused.iter().any(|r| r.kind == Some(RefusalKind::RemovedDesk)),
        "the removed desk's bundle is refused: {report:?}"
    );
    let names: Vec<String> = b
        .store
        .conn()
        .prepare("SELECT surname FROM person")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(names.contains(&"Dopo la rotazione".to_string()));
    assert!(!names.contains(&"Dal portatile smarrito".to_string()));
    assert!(sync::status(&b.store, &b.actor).unwrap().desks.iter().any(|d| d.removed));
}

#[test]
fn a_desk_restored_from_its_backup_is_told_to_re_enrol_and_gets_back_what_it_published() {
    use quartiere_core::backup::{self, BackupReason};
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    person(&mut a, "Prima");
    run(&mut a);
    let made = backup::backup_now(&mut a.store, &a.actor, BackupReason::Manual).unwrap();
    let lost = person(&mut a, "Dopo la copia");
    run(&mut a);
    run(&mut b);

    let old_id = a.store.desk();
    let Desk { store, actor, folder, _dir } = a;
    let dir = store.dir().to_owned();
    drop(store);
    let clock = Box::new(SteppingClock::new(Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap(), 3));
    let restored = backup::restore(
        &dir,
        Path::new(&made.path),
        "Operatore Sportello A",
        crate::OPERATOR_PASS,
        clock,
        IdGen::seeded(12),
    )
    .unwrap();
    let mut a = Desk { store: restored.store, actor, folder, _dir };
    assert_eq!(surname(&a, lost), None, "the backup predates it");
    let status = sync::status(&a.store, &a.actor).unwrap();
    assert!(status.blocked.as_deref().is_some_and(|m| m.contains("ripristinata dalla copia")), "{status:?}");
    assert_eq!(run(&mut a).published_seq, None, "nothing published over the old numbers");

    let operator = a.actor.operator;
    sync::enrol(&mut a.store, &a.actor, &a.folder.clone(), PASS, "Sportello A", KdfParams::MINIMUM).unwrap();
    a.actor = Actor { desk: a.store.desk(), operator };
    run(&mut a);
    assert_eq!(surname(&a, lost).as_deref(), Some("Dopo la copia"), "back from the folder");
    run(&mut b);
    assert_eq!(canonical_dump(a.store.conn()).unwrap(), canonical_dump(b.store.conn()).unwrap());
    for d in [&a, &b] {
        let check = audit::verify(&d.store, &d.actor).unwrap();
        assert!(check.intact(), "{check:?}");
    }

    // A's old identity never syncs again, and its card says so in A's new one: B does not wait for
    // its acknowledgements, and prunes what A (new) has acknowledged.
    person(&mut b, "Terza");
    run(&mut b);
    run(&mut a);
    let pruned = sync::snapshot_now(&mut b.store, &b.actor).unwrap();
    assert!(pruned.files_pruned >= 2, "{pruned:?}");
    assert_eq!(surname(&a, lost).as_deref(), Some("Dopo la copia"));
    // The sync screen tells the two identities apart.
    for d in [&a, &b] {
        let desks = sync::status(&d.store, &d.actor).unwrap().desks;
        let named_a: Vec<_> = desks.iter().filter(|s| s.name == "Sportello A").collect();
        assert_eq!(named_a.len(), 2, "{desks:?}");
        assert!(named_a.iter().any(|s| s.replaced && !s.this_desk && s.desk_id == old_id), "{desks:?}");
        assert!(named_a.iter().any(|s| !s.replaced && s.desk_id != old_id), "{desks:?}");
    }
}

/// A desk that joined from a snapshot holds the winning edit in its snapshot base; a concurrent
/// edit arriving later loses there as everywhere, is kept for review, and the review names the
/// desk whose value the record holds.
#[test]
fn a_conflict_against_a_value_loaded_from_a_snapshot_names_the_right_desk() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    // B's clock is half an hour behind: its edit is the older of the two.
    let mut b = desk("Sportello B", 2, shared.path(), -30);
    let id = person(&mut a, "Rossi");
    run(&mut a);
    run(&mut b);
    set(&mut b, id, "phone", "02 2222");
    set(&mut a, id, "phone", "02 1111");
    run(&mut a);
    sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    let mut c = desk("Sportello C", 3, shared.path(), 0);
    assert!(run(&mut c).snapshot_loaded.is_some());
    run(&mut b);
    let report = run(&mut c);
    assert_eq!(report.new_conflicts, 1, "{report:?}");
    let at_c = sync::conflicts(&c.store, &c.actor).unwrap();
    assert_eq!(at_c.len(), 1, "{at_c:?}");
    let conflict = &at_c[0];
    assert_eq!((conflict.current_value.as_str(), conflict.current_desk.as_str()), ("02 1111", "Sportello A"));
    assert_eq!((conflict.other_value.as_str(), conflict.other_desk.as_str()), ("02 2222", "Sportello B"));
    let phone: String =
        c.store.conn().query_row("SELECT phone FROM person WHERE id = ?1", [id.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(phone, "02 1111");
}

/// Files that arrive before their desk's card are refused ("postazione sconosciuta"); once the
/// card is there the new desk loads the snapshot, and neither the snapshot nor a bundle it covers
/// stays listed as refused on the sync screen.
#[test]
fn files_refused_before_their_desks_card_arrived_are_not_left_refused() {
    let a_folder = tempfile::tempdir().unwrap();
    let c_folder = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, a_folder.path(), 0);
    person(&mut a, "Esposito");
    run(&mut a);
    let own = a_folder.path().join("desks").join(a.store.desk().0.hyphenated().to_string());
    // The first bundle, kept before the snapshot lets desk A prune it.
    let staged = tempfile::tempdir().unwrap();
    copy_tree(&own, staged.path());
    sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    person(&mut a, "Rossi");
    run(&mut a);
    copy_tree(&own, staged.path());

    copy_tree(&a_folder.path().join("keys"), &ensure_dir(c_folder.path().join("keys")));
    let mut c = desk("Sportello C", 3, c_folder.path(), 0);
    let target = ensure_dir(c_folder.path().join("desks").join(a.store.desk().0.hyphenated().to_string()));
    for file in walk(staged.path()) {
        if file.file_name().unwrap() != "desk.qrt" {
            fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
    }
    let first = run(&mut c);
    assert!(first.snapshot_loaded.is_none());
    assert!(first.refused.len() >= 3, "the snapshot and two bundles wait for the card: {first:?}");
    assert!(first.refused.iter().all(|r| r.kind == Some(RefusalKind::UnknownDesk)), "{first:?}");

    fs::copy(own.join("desk.qrt"), target.join("desk.qrt")).unwrap();
    let second = run(&mut c);
    assert!(second.snapshot_loaded.is_some(), "{second:?}");
    let status = sync::status(&c.store, &c.actor).unwrap();
    assert!(status.refused.is_empty(), "nothing is refused any more: {:?}", status.refused);
    assert_eq!(count_people(&c), 2);
}

/// Asserts every desk holds the same data; returns it (the canonical dump).
fn same_data(desks: &[&Desk]) -> String {
    let dump = canonical_dump(desks[0].store.conn()).unwrap();
    for (i, d) in desks.iter().enumerate().skip(1) {
        assert_eq!(dump, canonical_dump(d.store.conn()).unwrap(), "desk {i} differs from the first");
    }
    dump
}

fn ensure_dir(path: PathBuf) -> PathBuf {
    fs::create_dir_all(&path).unwrap();
    path
}

fn count_people(d: &Desk) -> i64 {
    d.store.conn().query_row("SELECT count(*) FROM person", [], |r| r.get(0)).unwrap()
}

/// What a sync tool does to one desk's sub-folder: `to` ends with exactly the files `from` has.
fn mirror_desk(from: &Path, to: &Path, desk: &Desk) {
    let rel = PathBuf::from("desks").join(desk.store.desk().0.hyphenated().to_string());
    let (source, target) = (from.join(&rel), ensure_dir(to.join(&rel)));
    for file in walk(&target) {
        if !source.join(file.file_name().unwrap()).exists() {
            fs::remove_file(file).unwrap();
        }
    }
    for file in walk(&source) {
        fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
    }
}

fn bundle_names(folder: &Path, desk: &Desk) -> Vec<String> {
    let dir = folder.join("desks").join(desk.store.desk().0.hyphenated().to_string());
    let mut names: Vec<String> = walk(&dir)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("b-"))
        .collect();
    names.sort();
    names
}

/// Desk A cannot wait for a desk it has never heard of. Desk B's card has not reached A's copy of
/// the folder when A, having heard from C, prunes bundles B had only partly applied: B takes what
/// it lacks from A's snapshot, and all three end with the same data.
#[test]
fn bundles_pruned_before_a_desks_card_arrived_reach_it_through_the_snapshot() {
    let folders: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let path = |i: usize| folders[i].path();
    let mut a = desk("Sportello A", 1, path(0), 0);
    for i in 1..3 {
        copy_tree(&path(0).join("keys"), &ensure_dir(path(i).join("keys")));
    }
    let mut b = desk("Sportello B", 2, path(1), 0);
    let mut c = desk("Sportello C", 3, path(2), 0);

    let esposito = person(&mut a, "Esposito");
    run(&mut a);
    // Alone in its folder, desk A writes a snapshot but prunes nothing: no desk has acknowledged.
    let alone = sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    assert!(alone.snapshot_written.is_some());
    assert_eq!(alone.files_pruned, 0, "{alone:?}");
    assert_eq!(bundle_names(path(0), &a), ["b-0000000000000001.qrt"]);

    // B gets A's card and first bundle only, and applies it: B has joined by bundles.
    let a_rel = PathBuf::from("desks").join(a.store.desk().0.hyphenated().to_string());
    let b_copy = ensure_dir(path(1).join(&a_rel));
    for name in ["desk.qrt", "b-0000000000000001.qrt"] {
        fs::copy(path(0).join(&a_rel).join(name), b_copy.join(name)).unwrap();
    }
    assert_eq!(run(&mut b).bundles_applied, 1);

    // A goes on; C gets all of it and acknowledges; A hears from C (never from B) and prunes.
    let rossi = person(&mut a, "Rossi");
    run(&mut a);
    set(&mut a, esposito, "phone", "02 4840 1234");
    run(&mut a);
    mirror_desk(path(0), path(2), &a);
    run(&mut c);
    mirror_desk(path(2), path(0), &c);
    run(&mut a);
    let pruning = sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    assert!(pruning.files_pruned >= 3, "{pruning:?}");
    assert!(!bundle_names(path(0), &a).contains(&"b-0000000000000002.qrt".to_string()));

    // B's copy loses the pruned bundles too, and gets A's snapshot half-copied first: the gap is
    // not silent, the snapshot is refused and stays listed as such, sync after sync.
    mirror_desk(path(0), path(1), &a);
    let snapshot = walk(&path(1).join(&a_rel))
        .into_iter()
        .find(|f| f.file_name().unwrap().to_string_lossy().starts_with("s-"))
        .unwrap();
    let whole = fs::read(&snapshot).unwrap();
    fs::write(&snapshot, &whole[..whole.len() / 2]).unwrap();
    for _ in 0..2 {
        let report = run(&mut b);
        assert!(report.gaps_filled.is_empty() && report.refused.len() == 1, "{report:?}");
        let refused = sync::status(&b.store, &b.actor).unwrap().refused;
        assert!(refused.len() == 1 && refused[0].path.contains("/s-"), "{refused:?}");
    }
    assert_eq!(surname(&b, rossi), None);

    // The whole copy arrives: what the pruned bundles held comes from A's snapshot.
    fs::write(&snapshot, &whole).unwrap();
    let report = run(&mut b);
    assert_eq!(surname(&b, rossi).as_deref(), Some("Rossi"), "{report:?}");
    let phone: Option<String> = b
        .store
        .conn()
        .query_row("SELECT phone FROM person WHERE id = ?1", [esposito.to_string()], |r| r.get(0))
        .unwrap();
    assert_eq!(phone.as_deref(), Some("02 4840 1234"));
    assert_eq!(report.gaps_filled.len(), 1, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert!(sync::status(&b.store, &b.actor).unwrap().refused.is_empty());
    // Only what B lacked was merged: nothing B already had came through again.
    assert_eq!(report.duplicates, 0, "{report:?}");
    // Filled once: the next sync finds no gap.
    assert!(run(&mut b).gaps_filled.is_empty());

    // Everything delivered everywhere: one state.
    for _ in 0..2 {
        for (from, d) in [(0, &a), (1, &b), (2, &c)] {
            for to in 0..3 {
                if to != from {
                    mirror_desk(path(from), path(to), d);
                }
            }
        }
        run(&mut a);
        run(&mut b);
        run(&mut c);
    }
    same_data(&[&a, &b, &c]);
    for d in [&a, &b, &c] {
        assert!(sync::status(&d.store, &d.actor).unwrap().refused.is_empty());
    }
}

/// An acknowledgement is answered by nothing: once two desks have exchanged a change and its
/// acknowledgement, syncing on publishes and applies nothing, however often it runs (the app syncs
/// every few minutes all day).
#[test]
fn desks_with_nothing_new_stop_answering_each_other() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    person(&mut a, "Esposito");
    // A's person, B's own first changes (its desk and operator), each acknowledged once.
    for _ in 0..2 {
        run(&mut a);
        run(&mut b);
    }
    for _ in 0..5 {
        for d in [&mut a, &mut b] {
            let report = run(d);
            assert_eq!((report.bundles_applied, report.published_seq), (0, None), "{report:?}");
        }
    }
    // A new change is news again, and its acknowledgement reaches its writer, which stays quiet.
    let rossi = person(&mut b, "Rossi");
    let sent = run(&mut b).published_seq.expect("B publishes its change");
    let got = run(&mut a);
    assert_eq!(got.bundles_applied, 1, "{got:?}");
    assert!(got.published_seq.is_some(), "A acknowledges it: {got:?}");
    assert_eq!(surname(&a, rossi).as_deref(), Some("Rossi"));
    let quiet = run(&mut b);
    assert_eq!((quiet.bundles_applied, quiet.published_seq), (1, None), "{quiet:?}");
    assert_eq!(run(&mut a).published_seq, None);
    let status = sync::status(&a.store, &a.actor).unwrap();
    assert!(status.desks.iter().any(|d| d.name == "Sportello B" && d.last_seq == sent as u32), "{:?}", status.desks);
}

#[test]
fn a_scan_travels_apart_from_the_bundles_and_a_tampered_one_is_not_taken() {
    use quartiere_core::activities::{self, ActivityDraft};
    let shared = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let draft = ActivityDraft {
        kind: "assemblea".into(),
        title: "Assemblea sui cortili".into(),
        date: "02/03/2026".into(),
        start: "17:30".into(),
        end: "19:00".into(),
        venue: "Sala comune".into(),
        ..Default::default()
    };
    let (input, weeks) = draft.parse().unwrap();
    let activity = a.store.write(&a.actor, |w| activities::create(w, &input, weeks)).unwrap()[0];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let sheet = activities::print_sheet(&mut a.store, &a.actor, activity, day, None).unwrap();
    // A 2 MB scan (a photographed sheet does not compress).
    let mut scan = b"%PDF-1.7\n".to_vec();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    scan.extend((0..2 * 1024 * 1024).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    activities::attach_scan(&mut a.store, &a.actor, sheet.id, "foglio firmato.pdf", &scan).unwrap();

    let report = run(&mut a);
    assert_eq!((report.published_seq, report.scans_sent), (Some(1), 1), "{report:?}");
    let files = walk(shared.path());
    let size = |prefix: &str| -> u64 {
        files
            .iter()
            .filter(|f| f.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .map(|f| fs::metadata(f).unwrap().len())
            .sum()
    };
    assert!(size("b-") < 32 * 1024, "the bundle carries the scan's description, not its bytes: {} bytes", size("b-"));
    assert!(size("f-") > 2 * 1024 * 1024, "the scan's own file: {} bytes", size("f-"));
    // Encrypted: the PDF's header is nowhere in the folder.
    for file in &files {
        assert!(!contains_bytes(&fs::read(file).unwrap(), b"%PDF-1.7"), "{}", file.display());
    }
    // The next sync sends nothing again.
    assert_eq!(run(&mut a).scans_sent, 0);

    let report = run(&mut b);
    assert_eq!((report.bundles_applied, report.scans_received), (1, 1), "{report:?}");
    let shown = activities::show(&b.store, &b.actor, activity).unwrap();
    assert_eq!(shown.scans.len(), 1);
    assert!(shown.scans[0].here && shown.scans[0].file_name == "foglio firmato.pdf");
    let (name, mime, bytes) = activities::scan_file(&mut b.store, &b.actor, shown.scans[0].id).unwrap();
    assert_eq!((name.as_str(), mime.as_str()), ("foglio firmato.pdf", "application/pdf"));
    assert!(bytes == scan, "the same bytes at the other desk");

    // A third desk finds the scan's file altered in the folder: it is not taken, the sync says
    // why, and the scan shows as not here yet.
    let scan_file = files.iter().find(|f| f.file_name().unwrap().to_string_lossy().starts_with("f-")).unwrap();
    let mut altered = fs::read(scan_file).unwrap();
    let middle = altered.len() / 2;
    altered[middle] ^= 1;
    fs::write(scan_file, altered).unwrap();
    let mut c = desk("Sportello C", 3, shared.path(), 0);
    let report = run(&mut c);
    assert_eq!(report.scans_received, 0, "{report:?}");
    assert!(
        report.warnings.iter().any(|w| w.contains("scansione «foglio firmato.pdf» non accettata")),
        "{:?}",
        report.warnings
    );
    let shown = activities::show(&c.store, &c.actor, activity).unwrap();
    assert!(!shown.scans[0].here);
    let err = activities::scan_file(&mut c.store, &c.actor, shown.scans[0].id).unwrap_err();
    assert!(err.to_string().contains("non è ancora arrivata"), "{err}");
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
