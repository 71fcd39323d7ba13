//! Sync figures, each next to a baseline measured in the same run on the same machine:
//! - applying 10,000 and 100,000 changes from a bundle (read, verify, decrypt, decompress, merge)
//!   against plain SQLite inserting the same change rows in one transaction, runs alternated
//!   (target: at most 3x);
//!   for context, the same rows again with the change record's index, then also encrypted;
//! - bundle encryption (compress, encrypt, sign) against the `age` tool on the same bytes
//!   (target: at most 1.5x);
//! - bytes per change on disk;
//! - an everyday sync at a lab the size of Mezzetta's: nothing new, and a bundle adding ten partners;
//! - a new desk joining a 100,000-person dataset from a snapshot (target: under 5 s).
//!
//! Run with `cargo bench -p quartiere-core --bench sync` (QUARTIERE_BENCH_PEOPLE changes the size
//! of the last dataset; QUARTIERE_BENCH_APPLY=100000 runs only the apply rows, for those sizes;
//! BENCH_PARTNER=1 writes the same values to the partner table, outside the search index, to show
//! what keeping search current costs; QUARTIERE_BENCH_JOIN=1 runs only the new desk joining, and
//! QUARTIERE_BENCH_DATASET=DIR keeps its dataset in DIR for the next run;
//! QUARTIERE_BENCH_EVERYDAY=1 only the everyday sync, QUARTIERE_BENCH_ENCRYPT=1 only the encryption).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quartiere_core::crypto::{DeskSigner, KdfParams};
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::ids::{DeskId, IdGen, OperatorId};
use quartiere_core::schema::Table;
use quartiere_core::sync::format::{self, Header, Kind, Payload, WireChange};
use quartiere_core::sync::keys::TeamKey;
use quartiere_core::sync::{self};
use quartiere_core::{Actor, Store};
use rusqlite::types::Value;
use uuid::Uuid;

mod common;
use common::{median, PASS};

/// A new desk enrolled in the team whose key file is in `folder`.
fn desk(dir: &Path, seed: u64, name: &str, folder: &Path) -> (Store, Actor) {
    let (mut store, actor) = common::desk(dir, seed, name);
    sync::enrol(&mut store, &actor, folder, PASS, name, KdfParams::DEFAULT).unwrap();
    (store, actor)
}

const COLUMNS: [&str; 5] = ["surname", "name", "birth_date", "phone", "citizenship"];

fn person_values(i: usize) -> Vec<(&'static str, Value)> {
    vec![
        ("surname", Value::Text(format!("Cognome{}", i % 977))),
        ("name", Value::Text(format!("Nome{}", i % 211))),
        ("birth_date", Value::Text(format!("19{:02}-0{}-1{}", 40 + i % 60, 1 + i % 9, i % 10))),
        ("phone", Value::Text(format!("02 {:07}", i * 7919 % 10_000_000))),
        ("citizenship", Value::Text("IT".into())),
    ]
}

/// Desk A writes `changes` changes (people of 5 fields) and publishes; a fresh desk B applies them.
/// Returns (apply time, bundle bytes).
fn apply_run(changes: usize) -> (Duration, u64) {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("condivisa");
    std::fs::create_dir_all(&folder).unwrap();
    let (mut a, actor) = desk(&root.path().join("a"), 1, "A", &folder);
    let people = changes / COLUMNS.len();
    a.write(&actor, |w| {
        for i in 0..people {
            let id = w.new_id();
            w.insert(
                if std::env::var("BENCH_PARTNER").is_ok() { Table::Partner } else { Table::Person },
                id,
                &partner_or_person(i),
            )?;
        }
        Ok(())
    })
    .unwrap();
    sync::sync(&mut a, &actor, &mut |_| {}).unwrap();
    let bytes: u64 =
        walk(&folder).iter().filter(|p| p.to_string_lossy().contains("/b-")).map(|p| p.metadata().unwrap().len()).sum();
    let (mut b, actor_b) = desk(&root.path().join("b"), 2, "B", &folder);
    let t = Instant::now();
    let report = sync::sync(&mut b, &actor_b, &mut |_| {}).unwrap();
    let took = t.elapsed();
    assert!(report.changes_applied as usize >= people * COLUMNS.len(), "{report:?}");
    (took, bytes)
}

/// How the same change rows are inserted for comparison.
#[derive(Clone, Copy, PartialEq)]
enum Plain {
    /// The baseline: plain SQLite, a table with no index.
    Bare,
    /// Plus the one index Quartiere's change record keeps (a merge looks cells up by it).
    Indexed,
    /// Plus encryption at rest (SQLCipher with a raw 256-bit key), as every Quartiere database.
    IndexedEncrypted,
}

/// Plain SQLite: the same number of change rows inserted in one transaction.
fn plain_insert(changes: usize, how: Plain) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("plain.sqlite")).unwrap();
    if how == Plain::IndexedEncrypted {
        conn.execute_batch("PRAGMA key = \"x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'\"")
            .unwrap();
    }
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE change (seq INTEGER PRIMARY KEY, batch TEXT, tbl TEXT, row_id TEXT, col TEXT, value,
                              hlc INTEGER, desk_id TEXT, operator_id TEXT)",
    )
    .unwrap();
    if how != Plain::Bare {
        // The same page cache as a Quartiere database, so the index's pages are not spilled.
        conn.pragma_update(None, "cache_size", -65_536).unwrap();
        conn.execute_batch("CREATE INDEX change_cell ON change (tbl, row_id, col, hlc)").unwrap();
    }
    let mut ids = IdGen::seeded(3);
    let batch = ids.uuid_v7(1_700_000_000_000).to_string();
    let desk = ids.uuid_v7(1_700_000_000_000).to_string();
    let t = Instant::now();
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO change (batch, tbl, row_id, col, value, hlc, desk_id, operator_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .unwrap();
        for i in 0..changes / COLUMNS.len() {
            let row = ids.uuid_v7(1_700_000_000_000).to_string();
            for (j, (col, value)) in person_values(i).into_iter().enumerate() {
                stmt.execute(rusqlite::params![batch, "person", row, col, value, (i * 5 + j) as i64, desk, desk])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    t.elapsed()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn encryption(changes: usize) {
    let mut ids = IdGen::seeded(5);
    let desk = DeskId(ids.uuid_v7(1_700_000_000_000));
    let operator = OperatorId(ids.uuid_v7(1_700_000_000_000));
    let batch = ids.uuid_v7(1_700_000_000_000);
    let mut wire = Vec::with_capacity(changes);
    for i in 0..changes / COLUMNS.len() {
        let row = ids.uuid_v7(1_700_000_000_000 + i as u64);
        for (j, (col, value)) in person_values(i).into_iter().enumerate() {
            wire.push(WireChange {
                table: Table::Person,
                row_id: row,
                column: col,
                value,
                hlc: quartiere_core::clock::Hlc::new(1_700_000_000_000 + i as u64, j as u16),
                desk,
                operator,
                batch,
                origin_seq: 1,
                context: 0,
            });
        }
    }
    let plain = Payload { frontier: Default::default(), contexts: vec![Default::default()], changes: wire }.encode();
    let key = TeamKey::generate(1_700_000_000_000);
    let signer = DeskSigner::generate();
    let header = Header {
        version: quartiere_core::sync::format::VERSION,
        kind: Kind::Bundle,
        schema: 2,
        key_id: Uuid::nil(),
        desk,
        seq: 1,
        created_ms: 0,
        nonce: [0; 24],
        ciphertext_len: 0,
    };
    let mut ours = Vec::new();
    let mut sealed_len = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let sealed = format::seal_file(header, &plain, &key, &signer);
        ours.push(t.elapsed());
        sealed_len = sealed.len();
    }
    let ours = median(ours);
    let mb = plain.len() as f64 / 1e6;
    println!(
        "encrypt bundle  {:>9} changes, {:.1} MB plaintext -> {:.1} MB: {:>8.1} ms ({:.0} MB/s, compress + encrypt + sign)",
        changes,
        mb,
        sealed_len as f64 / 1e6,
        ours.as_secs_f64() * 1e3,
        mb / ours.as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("plain.bin");
    std::fs::write(&input, &plain).unwrap();
    let Ok(keygen) = Command::new("age-keygen").arg("-o").arg(dir.path().join("id.txt")).output() else {
        println!("age             not installed (apt install age): comparison skipped");
        return;
    };
    let recipient = String::from_utf8_lossy(&keygen.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("Public key: ").map(str::to_owned))
        .unwrap_or_default();
    let mut theirs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let out = Command::new("age")
            .args(["-r", &recipient, "-o"])
            .arg(dir.path().join("out.age"))
            .arg(&input)
            .output()
            .unwrap();
        theirs.push(t.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let theirs = median(theirs);
    println!(
        "age -r          same bytes: {:>8.1} ms ({:.0} MB/s)   ratio ours/age {:.2} (target <= 1.5)",
        theirs.as_secs_f64() * 1e3,
        mb / theirs.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

fn join_from_snapshot(people: usize) {
    // QUARTIERE_BENCH_DATASET=DIR keeps the old desk's folder in DIR and reuses it in later runs
    // (the dataset and its snapshot take two minutes to make), to time the join alone.
    let kept = std::env::var_os("QUARTIERE_BENCH_DATASET").map(std::path::PathBuf::from);
    let temporary = tempfile::tempdir().unwrap();
    let root = kept.as_deref().unwrap_or(temporary.path());
    let folder = root.join("condivisa");
    let made = root.join("people.txt");
    let people = match std::fs::read_to_string(&made).ok().and_then(|t| t.trim().parse().ok()) {
        Some(found) => {
            println!("dataset         {found} people, reused from {}", root.display());
            found
        }
        None => {
            let found = make_dataset(root, people);
            std::fs::write(&made, found.to_string()).unwrap();
            found
        }
    };
    // A new desk joins on its own computer: the old desk's writes are flushed to disk first, so
    // the join does not wait on that writeback.
    let flushed = Command::new("sync").status();
    assert!(flushed.is_ok_and(|s| s.success()));
    // Three new desks join one after the other (each closed and removed before the next): the
    // median, and the range, since this machine's speed drifts between minutes.
    let mut joins = Vec::new();
    for k in 0..3u64 {
        let dir = root.join(format!("c{k}"));
        let t = Instant::now();
        let (mut c, actor_c) = desk(&dir, 3 + k, &format!("C{k}"), &folder);
        let enrol = t.elapsed();
        let t = Instant::now();
        let report = sync::sync(&mut c, &actor_c, &mut |_| {}).unwrap();
        let first_sync = t.elapsed();
        assert!(report.snapshot_loaded.is_some(), "{report:?}");
        let found: i64 = c.conn().query_row("SELECT count(*) FROM person", [], |r| r.get(0)).unwrap();
        assert_eq!(found as usize, people);
        joins.push((enrol + first_sync, enrol, first_sync));
        // The next desk joins the same folder as this one did: this desk's card and bundle go too.
        let files = folder.join("desks").join(c.desk().0.hyphenated().to_string());
        drop(c);
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(files).unwrap();
        let flushed = Command::new("sync").status();
        assert!(flushed.is_ok_and(|s| s.success()));
    }
    joins.sort();
    let (total, enrol, first_sync) = joins[1];
    println!(
        "new desk joins  {} people from the snapshot: enrol {:.2} s (Argon2id) + first sync {:.2} s = {:.2} s, median of 3 (range {:.2}-{:.2} s; target < 5 s; Atuin 42 s for 85,568 records)",
        people,
        enrol.as_secs_f64(),
        first_sync.as_secs_f64(),
        total.as_secs_f64(),
        joins[0].0.as_secs_f64(),
        joins[2].0.as_secs_f64()
    );
}

/// The old desk `a` in `root`: `people` people generated, then a snapshot of them in
/// `root/condivisa`. Returns how many people it holds.
fn make_dataset(root: &Path, people: usize) -> usize {
    let folder = root.join("condivisa");
    std::fs::create_dir_all(&folder).unwrap();
    let (mut a, actor) = desk(&root.join("a"), 1, "A", &folder);
    let t = Instant::now();
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let summary =
        demo::generate(&mut a, &actor, &DemoConfig { households: 0, people: Some(people), seed: 42, today }).unwrap();
    let changes: i64 = a.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
    println!(
        "dataset         {} people, {} households, {} changes, generated in {:.1} s",
        summary.people,
        summary.households,
        changes,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    sync::snapshot_now(&mut a, &actor).unwrap();
    let snap: u64 =
        walk(&folder).iter().filter(|p| p.to_string_lossy().contains("/s-")).map(|p| p.metadata().unwrap().len()).sum();
    println!(
        "publish + snapshot at the old desk: {:.1} s, snapshot {:.1} MB ({:.1} bytes per change)",
        t.elapsed().as_secs_f64(),
        snap as f64 / 1e6,
        snap as f64 / changes as f64
    );
    summary.people
}

/// What an operator waits for at every sync: a neighbourhood the size of the Mezzetta lab's (133
/// households), a sync with nothing new, and a sync receiving a bundle that adds ten partners.
fn everyday() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("condivisa");
    std::fs::create_dir_all(&folder).unwrap();
    let (mut a, actor) = desk(&root.path().join("a"), 1, "A", &folder);
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    demo::generate(&mut a, &actor, &DemoConfig { households: 133, people: None, seed: 42, today }).unwrap();
    sync::sync(&mut a, &actor, &mut |_| {}).unwrap();
    let (mut b, actor_b) = desk(&root.path().join("b"), 2, "B", &folder);
    sync::sync(&mut b, &actor_b, &mut |_| {}).unwrap();
    let (mut idle, mut small, mut changes) = (Vec::new(), Vec::new(), 0);
    for k in 0..21 {
        let t = Instant::now();
        let report = sync::sync(&mut b, &actor_b, &mut |_| {}).unwrap();
        idle.push(t.elapsed());
        assert_eq!(report.bundles_applied, 0);
        a.write(&actor, |w| {
            for i in 0..10 {
                let id = w.new_id();
                w.insert(Table::Partner, id, &[("name", Value::Text(format!("Ente {k}.{i}")))])?;
            }
            Ok(())
        })
        .unwrap();
        sync::sync(&mut a, &actor, &mut |_| {}).unwrap();
        let t = Instant::now();
        let report = sync::sync(&mut b, &actor_b, &mut |_| {}).unwrap();
        small.push(t.elapsed());
        assert_eq!(report.bundles_applied, 1, "{report:?}");
        changes = report.changes_applied;
    }
    println!(
        "everyday sync   133 households: nothing new {:.1} ms; ten partners added elsewhere ({changes} changes) {:.1} ms (medians of 21)",
        median(idle).as_secs_f64() * 1e3,
        median(small).as_secs_f64() * 1e3
    );
}

fn main() {
    if std::env::var("QUARTIERE_BENCH_EVERYDAY").is_ok() {
        everyday();
        return;
    }
    if std::env::var("QUARTIERE_BENCH_ENCRYPT").is_ok() {
        encryption(100_000);
        return;
    }
    if std::env::var("QUARTIERE_BENCH_JOIN").is_ok() {
        let people = std::env::var("QUARTIERE_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
        join_from_snapshot(people);
        return;
    }
    println!("{:<16} {:>12} {:>14} {:>10} {:>16}", "apply", "quartiere", "plain insert", "ratio", "bytes/change");
    let sizes: Vec<usize> = std::env::var("QUARTIERE_BENCH_APPLY")
        .ok()
        .map(|v| v.split(",").filter_map(|s| s.parse().ok()).collect())
        .unwrap_or(vec![10_000, 100_000]);
    for changes in sizes {
        // Each apply runs on fresh desks, alternating with the baseline so that the machine's drift
        // between minutes weighs on both alike; the medians (11 runs each at 10,000 changes or
        // fewer, where a run takes tens of milliseconds and the noise is relatively larger, 5 above).
        let rounds = if changes <= 10_000 { 11 } else { 5 };
        let (mut ours, mut plain, mut bytes) = (Vec::new(), Vec::new(), 0);
        for _ in 0..rounds {
            let (took, size) = apply_run(changes);
            ours.push(took);
            bytes = size;
            plain.push(plain_insert(changes, Plain::Bare));
        }
        let (ours, plain) = (median(ours), median(plain));
        println!(
            "{:<16} {:>9.0} ms {:>11.0} ms {:>9.2}x {:>16.1}   (target <= 3x)",
            format!("{changes} changes"),
            ours.as_secs_f64() * 1e3,
            plain.as_secs_f64() * 1e3,
            ours.as_secs_f64() / plain.as_secs_f64(),
            bytes as f64 / changes as f64
        );
        // Where the gap comes from: the same rows with the change record's index, then encrypted.
        for (how, label) in [(Plain::Indexed, "+ index"), (Plain::IndexedEncrypted, "+ index + SQLCipher")] {
            let t = median((0..3).map(|_| plain_insert(changes, how)).collect());
            println!(
                "  plain {:<22} {:>6.0} ms   quartiere / this {:.2}x",
                label,
                t.as_secs_f64() * 1e3,
                ours.as_secs_f64() / t.as_secs_f64()
            );
        }
    }
    if std::env::var("QUARTIERE_BENCH_APPLY").is_ok() {
        return;
    }
    encryption(100_000);
    everyday();
    let people: usize = std::env::var("QUARTIERE_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    join_from_snapshot(people);
}

fn partner_or_person(i: usize) -> Vec<(&'static str, Value)> {
    let mut v = person_values(i);
    if std::env::var("BENCH_PARTNER").is_ok() {
        for (c, n) in v.iter_mut().zip(["name", "kind", "address", "phone", "email"]) {
            c.0 = n;
        }
    }
    v
}
