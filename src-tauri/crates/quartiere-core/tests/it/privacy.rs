//! Privacy at rest and roles: the database is encrypted, a passphrase change touches only the key
//! file, every role is refused what it must not do through the core API.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDateTime;
use quartiere_core::access::{Action, Role};
use quartiere_core::accounts;
use quartiere_core::audit::{self, AuditFilter};
use quartiere_core::backup::{self, BackupReason};
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::desk::{self, ContactFilter, DeskContactInput};
use quartiere_core::ids::{IdGen, PersonId};
use quartiere_core::import::{self, ImportOptions, Sheet};
use quartiere_core::privacy;
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::search::{self, Scope};
use quartiere_core::sync::{self, crypto::KdfParams};
use quartiere_core::{vault, Actor, Error, Store};

use crate::*;

const SURNAME: &str = "Zanardelli";
const CF: &str = "RSSMRA45D25F205N";

fn sensitive_person(store: &mut Store, actor: &Actor) -> PersonId {
    store
        .write(actor, |w| {
            registry::create_person(
                w,
                &PersonInput {
                    surname: SURNAME.into(),
                    name: "Ottavia".into(),
                    codice_fiscale: Some(CF.into()),
                    ..Default::default()
                },
            )
        })
        .unwrap()
}

/// The plain `sqlite3` tool, as someone who found the laptop would use it.
fn sqlite3_reads(path: &Path) -> std::process::Output {
    Command::new("sqlite3")
        .arg(path)
        .arg("SELECT surname FROM person;")
        .output()
        .expect("the sqlite3 tool (Debian package sqlite3) is needed by this test")
}

#[test]
fn the_database_and_its_log_read_as_noise_without_the_key() {
    let mut f = fixture();
    let actor = f.actor;
    sensitive_person(&mut f.store, &actor);
    let db = f.store.path().to_owned();
    let wal = db.with_extension("sqlite-wal");
    // While the app is open the newest pages are in the write-ahead log: it must be noise too.
    let wal_bytes = std::fs::read(&wal).expect("a WAL file while the store is open");
    assert!(wal_bytes.len() > 4096);
    for (label, bytes) in [("database", std::fs::read(&db).unwrap()), ("WAL", wal_bytes)] {
        assert!(!contains(&bytes, SURNAME), "surname in clear in the {label}");
        assert!(!contains(&bytes, CF), "codice fiscale in clear in the {label}");
        assert!(!contains(&bytes, "SQLite format"), "a plain SQLite header in the {label}");
        assert!(!contains(&bytes, "CREATE TABLE"), "the schema in clear in the {label}");
    }
    drop(f.store);

    let out = sqlite3_reads(&db);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a database"), "{out:?}");
    let strings = Command::new("strings").arg("-n").arg("6").arg(&db).output().expect("strings (binutils)");
    let text = String::from_utf8_lossy(&strings.stdout).to_lowercase();
    assert!(!text.contains(&SURNAME.to_lowercase()) && !text.contains(&CF.to_lowercase()));
    assert!(!text.contains("person") && !text.contains("codice_fiscale"), "not even the schema's names");

    // With the passphrase everything is there.
    let store = reopen(f.dir.path(), 2);
    // Sorts and temporary tables, which SQLCipher would not encrypt, are kept in memory.
    let temp_store: i64 = store.conn().query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
    assert_eq!(temp_store, 2, "temporary files in memory");
    let hits = search::search(store.conn(), &actor, SURNAME, Scope::PEOPLE, 5).unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn a_wrong_name_or_passphrase_opens_nothing_and_says_the_same() {
    let f = fixture();
    drop(f.store);
    let dir = f.dir.path();
    let wrong = accounts::sign_in(dir, "Giulia Operatrice", "non è questa la parola", clock(), IdGen::seeded(1));
    let unknown = accounts::sign_in(dir, "Nessuno", OPERATOR_PASS, clock(), IdGen::seeded(1));
    for result in [wrong, unknown] {
        let err = result.err().expect("refused");
        assert_eq!(err.kind(), "wrong_credentials");
        assert_eq!(err.to_string(), "nome o parola d'accesso errati");
    }
    // Names are matched without regard to case and accents, as the operator types them.
    let signed = accounts::sign_in(dir, "  giulia operatrice ", OPERATOR_PASS, clock(), IdGen::seeded(1)).unwrap();
    assert_eq!(signed.role, Role::Coordinator);
    assert_eq!(signed.name, "Giulia Operatrice");
    // Another key file's key does not open this database.
    let other = tempfile::tempdir().unwrap();
    let (other_store, _) = new_desk(other.path(), "Altra", "Altro Operatore", clock(), 3);
    drop(other_store);
    drop(signed);
    std::fs::copy(vault::keys_path(other.path()), vault::keys_path(dir)).unwrap();
    let err = accounts::sign_in(dir, "Altro Operatore", OPERATOR_PASS, clock(), IdGen::seeded(1)).err().unwrap();
    assert_eq!(err.kind(), "wrong_key", "{err}");
}

#[test]
fn changing_a_passphrase_rewrites_the_key_file_and_not_the_database() {
    let mut f = fixture();
    let actor = f.actor;
    sensitive_person(&mut f.store, &actor);
    drop(f.store);
    let db = f.dir.path().join(quartiere_core::store::DB_FILE_NAME);
    let before = std::fs::read(&db).unwrap();
    let keys_before = std::fs::read(vault::keys_path(f.dir.path())).unwrap();
    let new = "una frase nuova e lunga";
    let err =
        accounts::change_passphrase(f.dir.path(), "Giulia Operatrice", OPERATOR_PASS, "corta", KdfParams::MINIMUM)
            .unwrap_err();
    assert!(err.to_string().contains("almeno 10 caratteri"), "{err}");
    accounts::change_passphrase(f.dir.path(), "Giulia Operatrice", OPERATOR_PASS, new, KdfParams::MINIMUM).unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database is not re-encrypted");
    assert_ne!(std::fs::read(vault::keys_path(f.dir.path())).unwrap(), keys_before);
    assert!(accounts::sign_in(f.dir.path(), "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(1)).is_err());
    let signed = accounts::sign_in(f.dir.path(), "Giulia Operatrice", new, clock(), IdGen::seeded(1)).unwrap();
    assert_eq!(registry::overview(signed.store.conn(), &signed.actor).unwrap().people, 1);
}

#[test]
fn a_folder_with_an_unencrypted_database_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(quartiere_core::store::DB_FILE_NAME);
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    let before = std::fs::read(&db).unwrap();
    let err =
        accounts::create_desk(dir.path(), "A", "Anna", OPERATOR_PASS, KdfParams::MINIMUM, clock(), IdGen::seeded(1))
            .err()
            .unwrap();
    assert_eq!(err.kind(), "forbidden", "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!vault::exists(dir.path()), "no key file left behind");
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Tries `action` through the core API as `actor`; `Ok(true)` if done, `Ok(false)` if refused
/// for the role. Any other error fails the test.
fn attempt(store: &mut Store, actor: &Actor, action: Action, person: PersonId, folder: &Path) -> bool {
    let outcome: Result<(), Error> = match action {
        Action::ReadAggregates => registry::overview(store.conn(), actor).map(drop),
        Action::ReadRegistry => registry::get_person(store, actor, person)
            .and_then(|_| registry::list_households(store.conn(), actor))
            .and_then(|_| search::search(store.conn(), actor, SURNAME, Scope::ALL, 5))
            .map(drop),
        Action::EditRegistry => store
            .write(actor, |w| {
                registry::create_person(
                    w,
                    &PersonInput { surname: "Nuova".into(), name: "Persona".into(), ..Default::default() },
                )
            })
            .map(drop),
        Action::ReadDesk => desk::list_contacts(store, actor, &ContactFilter::default()).map(drop),
        Action::RecordDesk => store
            .write(actor, |w| {
                desk::add_contact(
                    w,
                    &DeskContactInput {
                        occurred_at: at("2026-03-02 10:00"),
                        operator: actor.operator,
                        person: Some(person),
                        household: None,
                        channel: Channel::DiPersona,
                        topics: vec![Topic::Casa],
                        note: None,
                        follow_up_on: None,
                        referrals: vec![],
                    },
                )
            })
            .map(drop),
        Action::Import => {
            let sheet = Sheet { header_row: 1, headers: vec!["cognome".into()], rows: vec![] };
            import::import_sheet(store, actor, &sheet, ImportOptions { dry_run: true, today: today() }).map(drop)
        }
        Action::Sync => sync::status(store, actor).map(drop),
        Action::ManageSync => {
            sync::enrol(store, actor, folder, "frase del gruppo di prova", "Sportello", KdfParams::MINIMUM).map(drop)
        }
        Action::Administer => accounts::operators(store, actor).map(drop),
        Action::ReadAudit => audit::list(store, actor, &AuditFilter::default())
            .and_then(|_| audit::verify(store, actor))
            .and_then(|_| audit::export_for_dpo(store, actor, &folder.join("registro.json")))
            .map(drop),
        Action::Backup => {
            backup::backup_now(store, actor, BackupReason::Manual).and_then(|_| backup::list(store, actor)).map(drop)
        }
        Action::Rights => privacy::export_person(store, actor, person, &folder.join("accesso"), today())
            .and_then(|_| privacy::retention(store, actor, today()))
            .map(drop),
    };
    match outcome {
        Ok(()) => true,
        Err(Error::Forbidden { message }) => {
            let role = quartiere_core::access::role_of(store.conn(), actor.operator).unwrap().unwrap();
            assert!(message.contains(role.label()) && message.contains(action.describe()), "{message}");
            false
        }
        // Refused later for a reason that is not the role (an empty import): it got past the door.
        Err(Error::Invalid(_)) | Err(Error::Import(_)) => true,
        Err(other) => panic!("{action:?}: {other}"),
    }
}

#[test]
fn every_role_is_refused_what_it_must_not_do() {
    use Action::*;
    // The table the project agreed (rows: actions; columns: sportello, tutor, afol, morosità,
    // coordinatore, Comune), written out here rather than read from the code under test.
    let expected: &[(Action, [bool; 6])] = &[
        (ReadAggregates, [true, true, true, true, true, true]),
        (ReadRegistry, [true, true, true, true, true, false]),
        (EditRegistry, [true, true, false, false, true, false]),
        (ReadDesk, [true, true, false, false, true, false]),
        (RecordDesk, [true, true, false, false, true, false]),
        (Import, [true, false, false, false, true, false]),
        (Sync, [true, true, true, true, true, false]),
        (ManageSync, [false, false, false, false, true, false]),
        (Administer, [false, false, false, false, true, false]),
        (ReadAudit, [false, false, false, false, true, false]),
        (Backup, [false, false, false, false, true, false]),
        (Rights, [false, false, false, false, true, false]),
    ];
    assert_eq!(expected.len(), Action::ALL.len());
    let roles =
        [Role::DeskOperator, Role::Tutor, Role::Afol, Role::ArrearsOfficer, Role::Coordinator, Role::ComuneViewer];
    assert_eq!(roles, Role::ALL);

    let mut f = fixture();
    let coordinator = f.actor;
    let person = sensitive_person(&mut f.store, &coordinator);
    let mut failures = Vec::new();
    for (i, role) in roles.into_iter().enumerate() {
        let name = format!("Operatore {}", role.code());
        let id =
            accounts::add_operator(&mut f.store, &coordinator, &name, role, OPERATOR_PASS, KdfParams::MINIMUM).unwrap();
        let actor = Actor { desk: f.store.desk(), operator: id };
        for (action, allowed) in expected {
            let folder = tempfile::tempdir().unwrap();
            let done = attempt(&mut f.store, &actor, *action, person, folder.path());
            if done != allowed[i] {
                failures.push(format!("{} {:?}: expected {}, got {}", role.code(), action, allowed[i], done));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_refused_write_leaves_no_trace_and_operators_are_managed_by_the_coordinator() {
    let mut f = fixture();
    let coordinator = f.actor;
    let tutor = operator_with_role(&mut f, "Tina Tutor", quartiere_core::access::Role::Tutor);
    let changes = change_count(&f.store);
    // A tutor may add a person, but not in the same write rename the desk: the whole write goes.
    let err = f
        .store
        .write(&tutor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Parziale".into(), name: "No".into(), ..Default::default() },
            )?;
            w.update(
                quartiere_core::schema::Table::Desk,
                w.actor().desk.0,
                &[("name", "Altro nome".to_string().into())],
            )
        })
        .unwrap_err();
    assert_eq!(err.kind(), "forbidden");
    assert_eq!(change_count(&f.store), changes);
    assert_eq!(count(&f.store, "SELECT count(*) FROM person WHERE surname = 'Parziale'"), 0);

    // The same name twice is refused; the last coordinator cannot be demoted or removed.
    let dup =
        accounts::add_operator(&mut f.store, &coordinator, "tina TUTOR", Role::Afol, OPERATOR_PASS, KdfParams::MINIMUM);
    assert_eq!(dup.unwrap_err().kind(), "invalid");
    let err = accounts::set_role(&mut f.store, &coordinator, coordinator.operator, Role::Tutor).unwrap_err();
    assert!(err.to_string().contains("almeno un coordinatore"));
    // A tutor cannot promote themself.
    let err = accounts::set_role(&mut f.store, &tutor, tutor.operator, Role::Coordinator).unwrap_err();
    assert!(err.to_string().contains("Tutor di quartiere"), "{err}");

    // The tutor signs in with their own passphrase; once deactivated, they cannot.
    let dir = f.dir.path().to_owned();
    let signed = accounts::sign_in(&dir, "Tina Tutor", OPERATOR_PASS, clock(), IdGen::seeded(5)).unwrap();
    assert_eq!(signed.role, Role::Tutor);
    drop(signed);
    accounts::deactivate(&mut f.store, &coordinator, tutor.operator).unwrap();
    let err = accounts::sign_in(&dir, "Tina Tutor", OPERATOR_PASS, clock(), IdGen::seeded(5)).err().unwrap();
    assert_eq!(err.kind(), "wrong_credentials");
    assert_eq!(
        f.store
            .write(&tutor, |w| w.update(quartiere_core::schema::Table::Desk, w.actor().desk.0, &[]))
            .unwrap_err()
            .kind(),
        "forbidden"
    );
    assert_eq!(vault::names(&dir).unwrap(), vec!["Giulia Operatrice".to_string()]);
}

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
    assert_eq!(wrong.err().unwrap().kind(), "wrong_credentials");
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
        // Undo migrations 6 (snapshot base) and 5 (rights): the file is as schema 4 left it.
        raw.execute_batch(
            "DROP TABLE base_chunk; DROP TABLE consent; DROP TABLE privacy_request; DROP TABLE purged_batch;
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
