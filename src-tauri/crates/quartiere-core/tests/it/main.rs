//! Core tests at the boundary, on real SQLite files in temporary folders: one file per module of
//! the core (or of the store below it) named after it, plus the sync fuzz and property tests.

mod access;
mod activities;
mod arrears;
mod audit;
mod backup;
mod bundle;
mod cases;
mod demo;
mod desk;
mod duplicates;
mod identity;
mod import;
mod privacy;
mod project;
mod registry;
mod search;
mod store;
mod sync;
mod sync_fuzz;
mod sync_property;
mod training;
mod vault;

use chrono::{NaiveDate, TimeZone, Utc};
use quartiere_core::accounts;
use quartiere_core::clock::SteppingClock;
use quartiere_core::crypto::KdfParams;
use quartiere_core::ids::IdGen;
use quartiere_core::vault::DbKey;
use quartiere_core::{Actor, Store};

/// The passphrase of every operator the tests create.
pub const OPERATOR_PASS: &str = "parola d'accesso di prova";

/// A store in a fresh temporary folder, with a deterministic clock and ids, and an operator.
pub struct Fixture {
    pub store: Store,
    pub actor: Actor,
    pub dir: tempfile::TempDir,
}

pub fn fixture() -> Fixture {
    fixture_seeded(7)
}

pub fn fixture_seeded(seed: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (store, actor) = new_desk(dir.path(), "Sportello Pirandello", "Giulia Operatrice", clock(), seed);
    Fixture { store, actor, dir }
}

pub fn clock() -> Box<SteppingClock> {
    Box::new(SteppingClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(), 1))
}

/// A new desk in `dir` whose first operator (a coordinator) is `operator`.
pub fn new_desk(
    dir: &std::path::Path,
    desk: &str,
    operator: &str,
    clock: Box<dyn quartiere_core::clock::Clock>,
    seed: u64,
) -> (Store, Actor) {
    let signed =
        accounts::create_desk(dir, desk, operator, OPERATOR_PASS, KdfParams::MINIMUM, clock, IdGen::seeded(seed))
            .unwrap();
    (signed.store, signed.actor)
}

/// Signs in again at the fixture's desk, as its first operator.
pub fn reopen(dir: &std::path::Path, seed: u64) -> Store {
    accounts::sign_in(dir, "Giulia Operatrice", OPERATOR_PASS, clock(), IdGen::seeded(seed)).unwrap().store
}

/// An empty store with a key of its own and no operator: a replica for replay tests.
pub fn empty_store(dir: &std::path::Path, seed: u64) -> Store {
    Store::open_dir(dir, DbKey::generate(), clock(), IdGen::seeded(seed), &quartiere_core::HOOKS).unwrap()
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

pub fn date(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

pub fn change_count(store: &Store) -> i64 {
    count(store, "SELECT count(*) FROM change_log")
}

/// Adds an operator with `role` at the fixture's desk (the coordinator does it) and returns them
/// as an actor at that desk.
pub fn operator_with_role(f: &mut Fixture, name: &str, role: quartiere_core::access::Role) -> Actor {
    let coordinator = f.actor;
    let id = accounts::add_operator(&mut f.store, &coordinator, name, role, OPERATOR_PASS, KdfParams::MINIMUM).unwrap();
    Actor { desk: f.store.desk(), operator: id }
}

/// The text of a PDF as `pdftotext -layout` reads it (poppler-utils, an outside reader).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("documento.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `needle` appears in `haystack`, ignoring ASCII case (a name found by a tool reading bytes).
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
