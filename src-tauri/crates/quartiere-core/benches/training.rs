//! Home and a course with its waiting list on a 100,000-person desk: the median time of what the
//! window loads for each, next to a plain SQL baseline on the same file (Home: counting people and
//! households; the course: reading its enrolment rows with names in queue order).
//! Target: each under 100 ms.
//!
//! Run with `cargo bench -p quartiere-core --bench training` (QUARTIERE_BENCH_PEOPLE sets the
//! size, QUARTIERE_BENCH_DATASET=DIR keeps the dataset in DIR and reuses it).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use quartiere_core::accounts;
use quartiere_core::activities;
use quartiere_core::clock::SystemClock;
use quartiere_core::codes::CourseKind;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::desk::{self, ContactFilter};
use quartiere_core::ids::{CourseId, IdGen, PersonId};
use quartiere_core::registry;
use quartiere_core::training::{self, CourseInput};
use quartiere_core::{Actor, Store};

mod common;
use common::median;

const ROUNDS: usize = 50;
/// As the shell's Home (`src-tauri/src/commands/home.rs`).
const HOME_FOLLOW_UPS: usize = 50;
/// The large course: places and how many ask for one (the rest wait).
const PLACES: u32 = 300;
const ASKING: usize = 1_500;

fn main() {
    let people: usize = std::env::var("QUARTIERE_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let kept = std::env::var_os("QUARTIERE_BENCH_DATASET").map(std::path::PathBuf::from);
    let temporary = tempfile::tempdir().unwrap();
    let dir = kept.as_deref().unwrap_or(temporary.path());
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let (mut store, actor) = if quartiere_core::vault::exists(dir) {
        let signed =
            accounts::sign_in(dir, common::OPERATOR, common::PASS, Box::new(SystemClock), IdGen::seeded(2)).unwrap();
        println!("dataset reused from {}", dir.display());
        (signed.store, signed.actor)
    } else {
        let (mut store, actor) = common::desk(dir, 1, "Banco di prova");
        let started = Instant::now();
        let summary =
            demo::generate(&mut store, &actor, &DemoConfig { households: 0, people: Some(people), seed: 42, today })
                .unwrap();
        large_course(&mut store, &actor, today);
        println!(
            "dataset: {} people, {} desk contacts, {} courses and a course of {PLACES} places with {ASKING} asking, in {:.1} s",
            summary.people,
            summary.contacts,
            summary.courses,
            started.elapsed().as_secs_f64()
        );
        (store, actor)
    };
    let course: CourseId = store
        .conn()
        .query_row("SELECT id FROM course WHERE title = 'Corso di prova grande'", [], |r| r.get(0))
        .unwrap();

    println!("{:<34} {:>12} {:>12} {:>8}", "screen", "quartiere", "plain SQL", "ratio");
    let home = timed(|| home(&mut store, &actor, today));
    let home_base = timed(|| {
        let n: (i64, i64) = store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM person WHERE deleted = 0), (SELECT count(*) FROM household WHERE deleted = 0)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        std::hint::black_box(n);
    });
    report("Home", home, home_base);
    // Home by part, to see where its time goes.
    let since = today.checked_sub_months(chrono::Months::new(6)).unwrap();
    let due = ContactFilter { follow_up_due_by: Some(today), limit: Some(HOME_FOLLOW_UPS), ..Default::default() };
    let recent = ContactFilter { limit: Some(10), ..Default::default() };
    let fortnight = today.checked_add_days(chrono::Days::new(14));
    let parts: [(&str, Duration); 8] = [
        (
            "  overview",
            timed(|| {
                std::hint::black_box(registry::overview(store.conn(), &actor).unwrap());
            }),
        ),
        (
            "  follow-ups due",
            timed(|| {
                std::hint::black_box(desk::list_contacts(&mut store, &actor, &due).unwrap());
            }),
        ),
        (
            "  follow-ups count",
            timed(|| {
                std::hint::black_box(desk::follow_ups_due_count(&store, &actor, today).unwrap());
            }),
        ),
        (
            "  recent contacts",
            timed(|| {
                std::hint::black_box(desk::list_contacts(&mut store, &actor, &recent).unwrap());
            }),
        ),
        (
            "  activity counts",
            timed(|| {
                std::hint::black_box(activities::counts(&store, &actor, since, today).unwrap());
            }),
        ),
        (
            "  upcoming",
            timed(|| {
                std::hint::black_box(activities::list(&store, &actor, Some(today), fortnight).unwrap());
            }),
        ),
        (
            "  minutes due",
            timed(|| {
                std::hint::black_box(activities::follow_ups_due(&store, &actor, today).unwrap());
            }),
        ),
        (
            "  training counts",
            timed(|| {
                std::hint::black_box(training::counts(&store, &actor, today).unwrap());
            }),
        ),
    ];
    let due_count = desk::follow_ups_due_count(&store, &actor, today).unwrap();
    println!("  ({due_count} follow-ups due; Home lists the first {HOME_FOLLOW_UPS})");
    for (what, took) in parts {
        println!("{what:<34} {:>9.3} ms", took.as_secs_f64() * 1e3);
    }

    let detail = training::course(&store, &actor, course).unwrap();
    let shown = timed(|| {
        std::hint::black_box(training::course(&store, &actor, course).unwrap());
    });
    let base = timed(|| {
        let mut stmt = store
            .conn()
            .prepare_cached(
                "SELECT e.id, p.surname, p.name, e.state FROM enrolment e JOIN person p ON p.id = e.person_id
                 WHERE e.course_id = ?1 AND e.deleted = 0 ORDER BY e.queue_key",
            )
            .unwrap();
        let n = stmt.query_map([course], |r| r.get::<_, String>(0)).unwrap().count();
        std::hint::black_box(n);
    });
    report(&format!("course, {} in, {} waiting", detail.admitted.len(), detail.waiting.len()), shown, base);
    let list = timed(|| {
        std::hint::black_box(training::courses(&store, &actor).unwrap());
    });
    report("courses list", list, base);
}

/// What Home loads, as the shell's `home` command asks the core for it.
fn home(store: &mut Store, actor: &Actor, today: NaiveDate) {
    let since = today.checked_sub_months(chrono::Months::new(6)).unwrap();
    std::hint::black_box(registry::overview(store.conn(), actor).unwrap());
    let due = ContactFilter { follow_up_due_by: Some(today), limit: Some(HOME_FOLLOW_UPS), ..Default::default() };
    std::hint::black_box(desk::list_contacts(store, actor, &due).unwrap());
    std::hint::black_box(desk::follow_ups_due_count(store, actor, today).unwrap());
    let recent = ContactFilter { limit: Some(10), ..Default::default() };
    std::hint::black_box(desk::list_contacts(store, actor, &recent).unwrap());
    std::hint::black_box(activities::counts(store, actor, since, today).unwrap());
    let fortnight = today.checked_add_days(chrono::Days::new(14));
    std::hint::black_box(activities::list(store, actor, Some(today), fortnight).unwrap());
    std::hint::black_box(activities::follow_ups_due(store, actor, today).unwrap());
    std::hint::black_box(training::counts(store, actor, today).unwrap());
}

/// A course far larger than any the lab runs: many admitted, a long waiting list.
fn large_course(store: &mut Store, actor: &Actor, today: NaiveDate) {
    let people: Vec<PersonId> = {
        let mut stmt = store.conn().prepare("SELECT id FROM person ORDER BY id LIMIT ?1").unwrap();
        stmt.query_map([ASKING as i64], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    store
        .write(actor, |w| {
            let course = training::create_course(
                w,
                &CourseInput {
                    kind: CourseKind::Corso,
                    title: "Corso di prova grande".into(),
                    provider: None,
                    starts_on: today,
                    ends_on: None,
                    hours: Some(80),
                    places: PLACES,
                    venue: None,
                },
            )?;
            for (i, person) in people.iter().enumerate() {
                let asked = Utc.timestamp_opt(1_780_000_000 + i as i64 * 60, 0).unwrap();
                training::enrol(w, course, *person, asked, today)?;
            }
            Ok(())
        })
        .unwrap();
}

fn timed(mut f: impl FnMut()) -> Duration {
    f();
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    median(samples)
}

fn report(what: &str, ours: Duration, base: Duration) {
    println!(
        "{:<34} {:>9.3} ms {:>9.3} ms {:>7.2}x",
        what,
        ours.as_secs_f64() * 1e3,
        base.as_secs_f64() * 1e3,
        ours.as_secs_f64() / base.as_secs_f64()
    );
}
