//! The desk's key and encryption at rest: the database and its log read as noise without the key,
//! a wrong name or passphrase opens nothing, a passphrase change touches only the key file, an
//! unencrypted database is left alone.

use std::path::Path;
use std::process::Command;

use quartiere_core::access::Role;
use quartiere_core::accounts;
use quartiere_core::crypto::KdfParams;
use quartiere_core::ids::{IdGen, PersonId};
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::search::{self, Scope};
use quartiere_core::ErrorKind;
use quartiere_core::{vault, Actor, Store};

use crate::*;

pub(crate) const SURNAME: &str = "Zanardelli";
pub(crate) const CF: &str = "RSSMRA45D25F205N";

pub(crate) fn sensitive_person(store: &mut Store, actor: &Actor) -> PersonId {
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
pub(crate) fn sqlite3_reads(path: &Path) -> std::process::Output {
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
        assert_eq!(err.kind(), ErrorKind::WrongCredentials);
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
    assert_eq!(err.kind(), ErrorKind::WrongKey, "{err}");
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
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!vault::exists(dir.path()), "no key file left behind");
}
