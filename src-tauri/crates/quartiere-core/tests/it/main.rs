//! Core tests at the boundary: the store, registry, search, desk log, import and demo, on real
//! SQLite files in temporary folders.

mod demo;
mod desk;
mod import;
mod registry;
mod search;
mod store;
mod sync;
mod sync_fuzz;
mod sync_property;

use chrono::{NaiveDate, TimeZone, Utc};
use quartiere_core::clock::SteppingClock;
use quartiere_core::ids::IdGen;
use quartiere_core::{registry as reg, Actor, Store};

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
    let mut store = open(dir.path(), seed);
    let actor = reg::ensure_actor(&mut store, "Sportello Pirandello", "Giulia Operatrice").unwrap();
    Fixture { store, actor, dir }
}

pub fn open(dir: &std::path::Path, seed: u64) -> Store {
    let clock = SteppingClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(), 1);
    Store::open_dir(dir, Box::new(clock), IdGen::seeded(seed)).unwrap()
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
