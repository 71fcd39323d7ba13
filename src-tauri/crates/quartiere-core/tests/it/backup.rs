//! Backups: they read as noise, rotate, restore to the same data; a damaged one or a wrong
//! passphrase restores nothing; an upgrade keeps the old file first.

use std::path::Path;

use quartiere_core::accounts;
use quartiere_core::audit::{self, AuditFilter};
use quartiere_core::backup::{self, BackupReason};
use quartiere_core::ids::IdGen;
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::ErrorKind;
use quartiere_core::{vault, Store};

use crate::vault::{sensitive_person, sqlite3_reads, CF, SURNAME};
use crate::*;

/// Every synced table but the audit log, whose events a restore adds to (the sign-in, the restore).
fn data_dump(store: &Store) -> String {
    let dump = quartiere_core::store::canonical_dump(store.conn()).unwrap();
    dump.split("[audit_event]").next().unwrap().to_string()
}

fn audit_ids(store: &Store) -> Vec<String> {
    let mut stmt = store.conn().prepare("SELECT id FROM audit_event ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn backups_read_as_noise_rotate_and_restore_to_the_same_data() {
    let mut f = fixture();
    let coordinator = f.actor;
    let person = sensitive_person(&mut f.store, &coordinator);
    let (before, events_before) = (data_dump(&f.store), audit_ids(&f.store));
    let made = backup::backup_now(&mut f.store, &coordinator, BackupReason::Manual).unwrap();
    let copy = Path::new(&made.path).join("quartiere.sqlite");

    // The copy is as unreadable as the database: no name, no code, no schema, not a database.
    let bytes = std::fs::read(&copy).unwrap();
    for needle in [SURNAME, CF, "SQLite format", "CREATE TABLE"] {
        assert!(!contains(&bytes, needle), "{needle} in clear in the backup");
    }
    let out = sqlite3_reads(&copy);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a database"), "{out:?}");
    let manifest = std::fs::read_to_string(Path::new(&made.path).join("backup.json")).unwrap();
    assert!(!manifest.contains(SURNAME));

    // Work after the backup, then the restore: the data are exactly those of the backup.
    f.store
        .write(&coordinator, |w| {
            registry::update_person(
                w,
                person,
                &PersonInput { surname: "Cambiato".into(), name: "Dopo".into(), ..Default::default() },
            )?;
            registry::create_person(
                w,
                &PersonInput { surname: "Nuova".into(), name: "Dopo".into(), ..Default::default() },
            )
        })
        .unwrap();
    assert_ne!(data_dump(&f.store), before);
    drop(f.store);
    let restored = backup::restore(
        f.dir.path(),
        Path::new(&made.path),
        "Giulia Operatrice",
        OPERATOR_PASS,
        clock(),
        IdGen::seeded(31),
    )
    .unwrap();
    assert_eq!(data_dump(&restored.store), before, "the round trip gives back the data of the backup");
    let events_after = audit_ids(&restored.store);
    assert!(events_before.iter().all(|e| events_after.contains(e)), "the log up to the backup is kept");
    let restore_events = audit::list(&restored.store, &coordinator, &AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == audit::AuditKind::Restore)
        .count();
    assert_eq!(restore_events, 1);
    assert!(audit::verify(&restored.store, &coordinator).unwrap().intact());
    // What it replaced is kept aside, never deleted.
    let aside: Vec<_> = std::fs::read_dir(f.dir.path().join("backup"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("sostituito-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(aside[0].path().join("quartiere.sqlite").exists());

    // Rotation keeps the newest regular backups.
    let mut store = restored.store;
    for _ in 0..(backup::KEEP_REGULAR + 2) {
        backup::backup_now(&mut store, &coordinator, BackupReason::Manual).unwrap();
    }
    let kept = backup::list(&store, &coordinator).unwrap();
    assert_eq!(kept.len(), backup::KEEP_REGULAR);
    assert!(kept.windows(2).all(|w| w[0].made_at > w[1].made_at), "newest first");
}

#[test]
fn a_damaged_backup_or_a_wrong_passphrase_restores_nothing() {
    let mut f = fixture();
    let coordinator = f.actor;
    sensitive_person(&mut f.store, &coordinator);
    let made = backup::backup_now(&mut f.store, &coordinator, BackupReason::Manual).unwrap();
    drop(f.store);
    let dir = f.dir.path();
    let db_before = std::fs::read(dir.join("quartiere.sqlite")).unwrap();
    let backup_dir = Path::new(&made.path);

    let wrong = backup::restore(dir, backup_dir, "Giulia Operatrice", "non è questa", clock(), IdGen::seeded(3));
    assert_eq!(wrong.err().unwrap().kind(), ErrorKind::WrongCredentials);
    let copy = backup_dir.join("quartiere.sqlite");
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[5000] ^= 0x01;
    std::fs::write(&copy, &bytes).unwrap();
    let damaged = backup::restore(dir, backup_dir, "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(3));
    let message = damaged.err().unwrap().to_string();
    assert!(message.contains("danneggiata"), "{message}");
    assert_eq!(std::fs::read(dir.join("quartiere.sqlite")).unwrap(), db_before, "the desk's database untouched");
    assert!(!dir
        .join("backup")
        .read_dir()
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("sostituito")));
}

#[test]
fn an_upgrade_keeps_the_old_file_first_and_the_day_starts_with_a_backup() {
    let f = fixture();
    let dir = f.dir.path().to_path_buf();
    // The day's backup is made at the first sign-in, not at the second.
    drop(f.store);
    let signed = accounts::sign_in(&dir, "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(4)).unwrap();
    assert!(signed.backup_warning.is_none());
    let coordinator = signed.actor;
    assert_eq!(backup::list(&signed.store, &coordinator).unwrap().len(), 1);
    let store = signed.store;
    drop(store);
    let again = accounts::sign_in(&dir, "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(5)).unwrap();
    assert_eq!(backup::list(&again.store, &coordinator).unwrap().len(), 1, "one a day");
    drop(again);

    // Make the file one schema version older (as a desk that has not upgraded yet), then open it.
    let (key, _) = vault::unlock(&dir, "Giulia Operatrice", OPERATOR_PASS).unwrap();
    {
        let raw = rusqlite::Connection::open(dir.join("quartiere.sqlite")).unwrap();
        raw.execute_batch(&key.pragma()).unwrap();
        // Undo migrations 17 (arrears), 16 (placements), 15 (cases), 14 (training), 13 (scans), 12 (minutes), 11 (activities), 10 (identity decisions), 9 (relationship text), 8 (refusal kinds), 6 (snapshot base) and 5 (rights): the file is as
        // schema 4 left it (7 rebuilt the search index, which is still whole).
        raw.execute_batch(
            "DROP TABLE lab_secret; DROP TABLE plan_action_link; DROP TABLE plan_action; DROP TABLE indicator_target; DROP TABLE solidarity_credit; DROP TABLE plan_payment; DROP TABLE plan_terms; DROP TABLE repayment_plan; DROP TABLE arrears_assessment; DROP TABLE account_period; DROP TABLE community_hours; DROP TABLE placement; DROP INDEX referral_case; ALTER TABLE referral DROP COLUMN case_id; ALTER TABLE referral DROP COLUMN state; ALTER TABLE referral DROP COLUMN state_on; ALTER TABLE referral DROP COLUMN shares_data; ALTER TABLE referral DROP COLUMN consent_id; ALTER TABLE referral DROP COLUMN recorded_by; DROP TABLE case_goal; DROP TABLE case_operator; DROP TABLE case_file;
             DROP TABLE esf_participant; DROP TABLE enrolment; DROP TABLE course; DROP TABLE scan_blob; DROP TABLE sheet_scan; DROP TABLE minute_item; DROP TABLE attendance; DROP TABLE attendance_sheet; DROP TABLE invitation; DROP TABLE activity_partner;
             DROP TABLE activity_operator; DROP TABLE activity;
             DROP TABLE identity_decision; ALTER TABLE membership DROP COLUMN relationship_text; ALTER TABLE sync_refused DROP COLUMN kind; DROP TABLE base_chunk; DROP TABLE consent; DROP TABLE privacy_request; DROP TABLE purged_batch;
             ALTER TABLE person DROP COLUMN erased_on; PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let upgraded = accounts::sign_in(&dir, "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(6)).unwrap();
    let all = backup::list(&upgraded.store, &coordinator).unwrap();
    let kept = all.iter().find(|b| b.reason == BackupReason::BeforeMigration).expect("a backup before the upgrade");
    assert_eq!(kept.schema_version, 4);
    let copy = rusqlite::Connection::open(Path::new(&kept.path).join("quartiere.sqlite")).unwrap();
    copy.execute_batch(&key.pragma()).unwrap();
    let version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 4, "the copy is the file as it was");
    let people: i64 = copy.query_row("SELECT count(*) FROM person", [], |r| r.get(0)).unwrap();
    assert_eq!(people, count(&upgraded.store, "SELECT count(*) FROM person"));
}
