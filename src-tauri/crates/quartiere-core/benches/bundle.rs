//! The monthly bundle to the Comune: for the demo lab (133 households) and for 100,000 people,
//! the whole export (indicators for the month and since the start, ESF breakdown, pseudonymised
//! tables as CSV and XLSX, the PDF report from its Typst template, manifest, signature, tar, age),
//! next to a baseline measured in the same run: the same source rows read with plain SQL, written
//! as CSV and encrypted with age to the same key (what a bare dump of the data would cost).
//! Targets: 133 households under 1 s; 100,000 people under 15 s.
//!
//! Run with `cargo bench -p quartiere-core --bench bundle` (`QUARTIERE_BENCH_PEOPLE=N` for
//! another size than 100,000).

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quartiere_core::bundle::{self, Include, Request};
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::indicators::Period;
use quartiere_core::{Actor, Store};

mod common;
use common::{median, report};

fn people() -> usize {
    std::env::var("QUARTIERE_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// The plain baseline: every person, activity, attendance and repayment plan read with plain
/// SQL, written as semicolon CSV, encrypted with age to the same recipient.
fn plain_dump(store: &Store, recipient: &age::x25519::Recipient) -> usize {
    let mut csv = Vec::new();
    for sql in [
        "SELECT id, sex, birth_date, esf_labour_status, esf_isced FROM person WHERE deleted = 0",
        "SELECT id, kind, title, held_on, venue FROM activity WHERE deleted = 0",
        "SELECT activity_id, person_id, present FROM attendance WHERE deleted = 0",
        "SELECT id, household_id, signed_on, closed_on FROM repayment_plan WHERE deleted = 0",
    ] {
        let mut stmt = store.conn().prepare(sql).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for c in 0..columns {
                let cell: rusqlite::types::Value = row.get(c).unwrap();
                let text = match cell {
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    _ => String::new(),
                };
                csv.extend_from_slice(text.as_bytes());
                csv.push(if c + 1 == columns { b'\n' } else { b';' });
            }
        }
    }
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient)).expect("a recipient");
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).unwrap();
    writer.write_all(&csv).unwrap();
    writer.finish().unwrap();
    out.len()
}

fn request(month: Period) -> Request {
    Request { month, since: None, include: Include::default(), note: Some("Banco di prova.".into()) }
}

/// Exports `rounds` bundles; returns the first (the document engine loads then) and the median of
/// the others, and the size of the last file.
fn exports(store: &mut Store, actor: &Actor, key: &str, month: Period, rounds: usize) -> (Duration, Duration, u64) {
    let out = tempfile::tempdir().unwrap();
    let mut samples = Vec::new();
    let mut size = 0;
    for round in 0..rounds {
        let file = out.path().join(format!("pacchetto-{round}.age"));
        let started = Instant::now();
        bundle::export(store, actor, &request(month), key, &file).unwrap();
        samples.push(started.elapsed());
        size = std::fs::metadata(&file).unwrap().len();
    }
    let first = samples.remove(0);
    (first, median(samples), size)
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let month = Period::month("2026-10").unwrap();
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public();
    let key = recipient.to_string();
    println!("{:<44} {:>12} {:>12} {:>8}", "what", "quartiere", "plain dump", "ratio");

    // The demo lab: 133 households, about 300 residents.
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = common::desk(dir.path(), 5, "Banco di prova");
    demo::generate(&mut store, &actor, &DemoConfig { households: 133, people: None, seed: 42, today }).unwrap();
    let (first, warm, size) = exports(&mut store, &actor, &key, month, 8);
    let base = common::timed(7, || {
        std::hint::black_box(plain_dump(&store, &recipient));
    });
    println!("demo lab: bundle of {} KiB", size / 1024);
    report("bundle, 133 households, first (engine loads)", first, base);
    report("bundle, 133 households, next ones", warm, base);
    let preview = common::timed(7, || {
        std::hint::black_box(bundle::preview(&store, &actor, &request(month)).unwrap());
    });
    report("  preview (no PDF, nothing written)", preview, base);
    drop(store);

    // A large lab (or all of a Comune's estates): 100,000 people.
    let n = people();
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = common::desk(dir.path(), 6, "Banco di prova");
    let started = Instant::now();
    let summary =
        demo::generate(&mut store, &actor, &DemoConfig { households: 0, people: Some(n), seed: 42, today }).unwrap();
    println!(
        "dataset: {} people, {} households, {} activities, written in {:.1} s",
        summary.people,
        summary.households,
        summary.activities,
        started.elapsed().as_secs_f64()
    );
    let (first, warm, size) = exports(&mut store, &actor, &key, month, 3);
    let base = common::timed(2, || {
        std::hint::black_box(plain_dump(&store, &recipient));
    });
    println!("large lab: bundle of {} KiB", size / 1024);
    report(&format!("bundle, {n} people, first"), first, base);
    report(&format!("bundle, {n} people, next ones"), warm, base);
}
