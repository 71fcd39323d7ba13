//! Importing the Comune's list at 100,000 rows, next to the demo generator writing as many people
//! (with their desk contacts) in the same run: time, peak memory and database size of each, each
//! measured in a process of its own so one's memory does not count in the other's. Targets: the
//! import within 1.5x the generator's time, peak memory under 300 MB.
//!
//! Run with `cargo bench -p quartiere-core --bench import` (QUARTIERE_BENCH_PEOPLE changes the size).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::import::{self, ImportOptions};

mod common;

const CHILD: &str = "QUARTIERE_BENCH_IMPORT_CHILD";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn people() -> usize {
    std::env::var("QUARTIERE_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// This process's peak resident memory, in MiB (Linux: VmHWM).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn database_mib(dir: &Path) -> f64 {
    let bytes: u64 = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("quartiere.sqlite"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    bytes as f64 / (1024.0 * 1024.0)
}

/// The generator's desk: times `demo::generate`, then writes its registry as the Comune's list.
fn child_demo(dir: &Path, list: &Path) {
    let (mut store, actor) = common::desk(dir, 1, "Generatore");
    let started = Instant::now();
    let config = DemoConfig { households: 0, people: Some(people()), seed: 42, today: today() };
    let summary = demo::generate(&mut store, &actor, &config).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_mib();
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_path(list).unwrap();
    out.write_record(import::COLUMNS).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT d.code, d.street, d.civic, coalesce(d.scala, ''), coalesce(d.piano, ''), coalesce(d.interno, ''),
                    upper(p.surname), upper(p.name), coalesce(p.sex, ''), coalesce(strftime('%d/%m/%Y', p.birth_date), ''),
                    coalesce(p.birth_place, ''), coalesce(p.codice_fiscale, ''), m.relationship, coalesce(p.phone, '')
             FROM membership m JOIN person p ON p.id = m.person_id JOIN household h ON h.id = m.household_id
             JOIN dwelling d ON d.id = h.dwelling_id
             WHERE m.left_on IS NULL AND m.deleted = 0 AND p.deleted = 0
             ORDER BY d.code, m.tenant_of_record DESC",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let cells: Vec<String> =
            (0..14).map(|i| row.get::<_, Option<String>>(i).unwrap().unwrap_or_default()).collect();
        out.write_record(&cells).unwrap();
    }
    out.flush().unwrap();
    drop(rows);
    drop(stmt);
    // Closed, the write-ahead log is folded into the file: its size is the database's.
    drop(store);
    println!("RESULT demo {seconds:.3} {peak:.1} {:.1} {}", database_mib(dir), summary.people);
}

/// A new desk imports the list: reading the file and writing it, timed together.
fn child_import(dir: &Path, list: &Path) {
    let (mut store, actor) = common::desk(dir, 2, "Importatore");
    let started = Instant::now();
    let sheet = import::read_sheet(list).unwrap();
    let report = import::import_sheet(&mut store, &actor, sheet, ImportOptions::new(today())).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.applied && report.errors.is_empty(), "{:?}", &report.errors[..report.errors.len().min(5)]);
    let peak = peak_mib();
    drop(store);
    println!("RESULT import {seconds:.3} {peak:.1} {:.1} {}", database_mib(dir), report.people_new);
}

fn run_child(mode: &str, dir: &Path, list: &Path) -> (f64, f64, f64, usize) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, mode)
        .env("QUARTIERE_BENCH_DIR", dir)
        .env("QUARTIERE_BENCH_LIST", list)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{mode}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout.lines().find_map(|l| l.strip_prefix(&format!("RESULT {mode} "))).expect("a result line");
    let v: Vec<&str> = line.split(' ').collect();
    (v[0].parse().unwrap(), v[1].parse().unwrap(), v[2].parse().unwrap(), v[3].parse().unwrap())
}

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        let dir = PathBuf::from(std::env::var_os("QUARTIERE_BENCH_DIR").unwrap());
        let list = PathBuf::from(std::env::var_os("QUARTIERE_BENCH_LIST").unwrap());
        match mode.as_str() {
            "demo" => child_demo(&dir, &list),
            _ => child_import(&dir, &list),
        }
        return;
    }
    let temporary = tempfile::tempdir().unwrap();
    let list = temporary.path().join("elenco.csv");
    let (demo_s, demo_mem, demo_db, demo_people) = run_child("demo", &temporary.path().join("generatore"), &list);
    let rows = std::fs::read_to_string(&list).unwrap().lines().count() - 1;
    let (import_s, import_mem, import_db, imported) = run_child("import", &temporary.path().join("importatore"), &list);
    println!("import of the Comune's list, {rows} rows ({demo_people} people generated, {imported} imported)");
    println!("                      time       peak memory   database");
    println!("demo generator        {demo_s:>7.1} s   {demo_mem:>7.0} MiB   {demo_db:>6.0} MiB");
    println!("import                {import_s:>7.1} s   {import_mem:>7.0} MiB   {import_db:>6.0} MiB");
    println!("ratio import/demo     {:>7.2}x  (target 1.5x); peak memory target 300 MiB", import_s / demo_s);
}
