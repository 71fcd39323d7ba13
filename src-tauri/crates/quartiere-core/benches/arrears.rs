//! Arrears at the lab's size: importing the ente gestore's statement of 133 households × 24 months
//! (next to reading the same file and inserting its rows with plain SQL), and recomputing a plan of
//! 120 instalments with 200 payments (next to reading its rows with plain SQL); Home's monitoring
//! for the demo neighbourhood.
//! Targets: the statement under 1 s; the plan under 5 ms.
//!
//! Run with `cargo bench -p quartiere-core --bench arrears`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use quartiere_core::arrears::draft::{PaymentInput, PlanInput};
use quartiere_core::arrears::schedule::{LapseRule, Split};
use quartiere_core::arrears::{self, statement};
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::ids::HouseholdId;
use quartiere_core::import::read_sheet;

mod common;
use common::{median, report};

fn timed(f: impl FnMut()) -> Duration {
    common::timed(ROUNDS, f)
}

const ROUNDS: usize = 50;
const IMPORTS: usize = 5;

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let file_dir = tempfile::tempdir().unwrap();
    println!("{:<44} {:>12} {:>12} {:>8}", "what", "quartiere", "plain SQL", "ratio");

    // The statement: a fresh desk of 133 dwellings, each with its household, every round.
    let mut ours = Vec::new();
    let mut base = Vec::new();
    for round in 0..IMPORTS {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, actor) = common::desk(dir.path(), 10 + round as u64, "Banco di prova");
        neighbourhood(&mut store, &actor);
        let codes: Vec<String> = store
            .conn()
            .prepare("SELECT code FROM dwelling WHERE code IS NOT NULL ORDER BY code")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut csv = String::from("Codice alloggio;Periodo;Canone;Spese;Canone pagato;Spese pagate\n");
        for code in &codes {
            for m in 0..24 {
                let (year, month) = (2023 + (10 + m) / 12, (10 + m) % 12 + 1);
                let _ = writeln!(csv, "{code};{month:02}/{year};1.234,50;85,00;1.234,50;40,00");
            }
        }
        let file = file_dir.path().join(format!("estratto-{round}.csv"));
        std::fs::write(&file, &csv).unwrap();
        let started = Instant::now();
        let report = statement::import_statement(&mut store, &actor, &file, false).unwrap();
        ours.push(started.elapsed());
        assert!(report.errors.is_empty() && report.added == codes.len() * 24, "{:?}", report.errors.first());
        // Baseline: read the same file and insert its rows with plain SQL, in one transaction.
        let started = Instant::now();
        let sheet = read_sheet(&file).unwrap();
        store
            .with_writes_enabled(|conn| {
                conn.execute_batch(
                    "CREATE TEMP TABLE plain (code TEXT, period TEXT, a TEXT, b TEXT, c TEXT, d TEXT); BEGIN",
                )?;
                {
                    let mut stmt = conn.prepare("INSERT INTO plain VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
                    for (_, cells) in &sheet.rows {
                        stmt.execute(rusqlite::params_from_iter(cells.iter().take(6)))?;
                    }
                }
                conn.execute_batch("COMMIT; DROP TABLE plain")?;
                Ok(())
            })
            .unwrap();
        base.push(started.elapsed());
        if round == 0 {
            println!("statement: {} households × 24 months = {} rows", codes.len(), sheet.rows.len());
        }
    }
    report("statement import, 133 × 24", median(ours), median(base));

    // A plan of 120 instalments with 200 payments, on the demo desk.
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = common::desk(dir.path(), 3, "Banco di prova");
    demo::generate(&mut store, &actor, &DemoConfig { households: 133, people: None, seed: 42, today }).unwrap();
    let household: HouseholdId = store
        .conn()
        .query_row(
            "SELECT id FROM household WHERE id NOT IN (SELECT household_id FROM repayment_plan) ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let signed_on = NaiveDate::from_ymd_opt(2016, 12, 15).unwrap();
    let plan = store
        .write(&actor, |w| {
            let plan = arrears::sign_plan(
                w,
                &PlanInput {
                    household,
                    assessment: None,
                    signed_on,
                    signatories: "Banco di prova".into(),
                    rent_debt: 1_800_000,
                    charges_debt: 600_000,
                    first_due_on: NaiveDate::from_ymd_opt(2017, 1, 31).unwrap(),
                    split: Split::Count(120),
                    frequency_months: 1,
                    lapse_rule: None,
                    monthly_income: None,
                    confirm_over_income: false,
                },
                LapseRule::DEFAULT,
            )?;
            for k in 0..200_u64 {
                let on = signed_on + Days::new(1 + k * 17);
                arrears::record_payment(
                    w,
                    plan,
                    &PaymentInput { on, amount: 9_000 + (k as i64 % 7) * 1_000, note: None },
                )?;
            }
            Ok(plan)
        })
        .unwrap();
    let recompute = timed(|| {
        let data = arrears::load_plan(store.conn(), plan).unwrap();
        std::hint::black_box(data.compute(today));
    });
    let view = timed(|| {
        let data = arrears::load_plan(store.conn(), plan).unwrap();
        std::hint::black_box(arrears::plan_view(store.conn(), &data, today).unwrap());
    });
    let plain = timed(|| {
        let mut stmt = store
            .conn()
            .prepare_cached(
                "SELECT paid_on, amount FROM plan_payment WHERE plan_id = ?1 AND deleted = 0 ORDER BY paid_on, id",
            )
            .unwrap();
        let n: i64 = stmt.query_map([plan], |r| r.get::<_, i64>(1)).unwrap().map(|r| r.unwrap()).sum();
        let terms: i64 =
            store.conn().query_row("SELECT count(*) FROM plan_terms WHERE plan_id = ?1", [plan], |r| r.get(0)).unwrap();
        std::hint::black_box((n, terms));
    });
    report("plan 120 instalments, 200 payments", recompute, plain);
    report("  with its view (names, parts)", view, plain);
    let monitoring = timed(|| {
        std::hint::black_box(arrears::monitoring(&mut store, &actor, today).unwrap());
    });
    report("monitoring, 133 households, 4 plans", monitoring, plain);
}

/// 133 dwellings with a household each, as the Comune's list makes them.
fn neighbourhood(store: &mut quartiere_core::Store, actor: &quartiere_core::Actor) {
    store
        .write(actor, |w| {
            for i in 0..133 {
                quartiere_core::registry::create_dwelling_and_household(
                    w,
                    &quartiere_core::registry::DwellingInput {
                        code: Some(format!("TRZ-{i:05}")),
                        street: "Via Luigi Pirandello".into(),
                        civic: (1 + i / 20).to_string(),
                        interno: Some((i % 20).to_string()),
                        ..Default::default()
                    },
                    None,
                )?;
            }
            Ok(())
        })
        .unwrap();
}
