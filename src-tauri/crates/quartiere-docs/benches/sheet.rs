//! An attendance sheet for 60 people: the first one after the program starts (fonts parsed, Typst's
//! library built, the template compiled) and the next ones, next to a baseline measured in the
//! same run: writing the same PDF's bytes to a file and reading them back, the least any
//! document costs. Targets: the first under 1 s, the next under 200 ms.
//!
//! Run with `cargo bench -p quartiere-docs --bench sheet`.

use std::time::Instant;

use chrono::NaiveDate;
use quartiere_docs::{render, Request};
use serde_json::json;

fn data() -> serde_json::Value {
    let names = ["Nguyễn Thị Lan", "Ștefănescu Ioana", "Łukasz Kowalczyk", "Çelik Ayşe", "Diop Awa", "Rossi Mario"];
    let people: Vec<_> = (0..60)
        .map(|i| json!({ "nome": format!("{} {}", names[i % names.len()], i), "dettaglio": "Via Luigi Pirandello 6/H, scala A" }))
        .collect();
    json!({
        "progetto": "Laboratorio sociale di quartiere · Sportello Mezzetta",
        "finanziamento": "Progetto cofinanziato dal Fondo Sociale Europeo Plus (FSE+)",
        "id": "FP-0193A1B2",
        "attivita": { "tipo": "Assemblea tematica", "titolo": "Assemblea sui cortili", "asse": "Convivenza",
                      "data": "giovedì 3 dicembre 2026", "orario": "17:30-19:00", "luogo": "Sala comune", "tema": "" },
        "operatori": ["Giulia Operatrice"],
        "partecipanti": people,
        "righe_libere": 8
    })
}

fn main() {
    let data = data();
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let sheet = |id: &str| {
        render(&Request { template: "foglio-presenze", data: &data, id, date: day, lab_templates: None }).unwrap()
    };
    let started = Instant::now();
    let first = sheet("FP-00000001");
    let first_ms = started.elapsed().as_secs_f64() * 1000.0;
    let runs = 10;
    let started = Instant::now();
    for i in 0..runs {
        sheet(&format!("FP-{:08}", i + 2));
    }
    let next_ms = started.elapsed().as_secs_f64() * 1000.0 / runs as f64;

    let dir = std::env::temp_dir().join(format!("quartiere-bench-sheet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    for i in 0..runs {
        let file = dir.join(format!("{i}.pdf"));
        std::fs::write(&file, &first).unwrap();
        assert_eq!(std::fs::read(&file).unwrap().len(), first.len());
    }
    let baseline_ms = started.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    std::fs::remove_dir_all(&dir).ok();

    println!("attendance sheet, 60 people, {} KiB", first.len() / 1024);
    println!("  first after start: {first_ms:8.1} ms   (target < 1000 ms)");
    println!("  next ones:         {next_ms:8.1} ms   (target <  200 ms)");
    println!(
        "  baseline, write and read the PDF: {baseline_ms:.2} ms; next / baseline = {:.0}x",
        next_ms / baseline_ms.max(0.001)
    );
}
