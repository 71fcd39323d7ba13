//! Home, the tutor's list and a course with its waiting list on a 100,000-person desk: the median
//! time of what the window loads for each, next to a plain SQL baseline on the same file (Home:
//! counting people and households; the tutor's list: reading their cases' rows with names; the
//! course: reading its enrolment rows with names in queue order).
//! Target: each under 100 ms.
//!
//! Run with `cargo bench -p quartiere-core --bench training` (QUARTIERE_BENCH_PEOPLE sets the
//! size, QUARTIERE_BENCH_DATASET=DIR keeps the dataset in DIR and reuses it).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use quartiere_core::accounts;
use quartiere_core::activities;
use quartiere_core::cases::{self, CaseFilter, CaseInput, GoalInput};
use quartiere_core::clock::SystemClock;
use quartiere_core::codes::Axis;
use quartiere_core::codes::CourseKind;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::desk::{self, ContactFilter};
use quartiere_core::ids::OperatorId;
use quartiere_core::ids::{CourseId, IdGen, PersonId};
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::training::{self, CourseInput};
use quartiere_core::{Actor, Store};

mod common;
use common::report;

fn timed(f: impl FnMut()) -> Duration {
    common::timed(ROUNDS, f)
}

const ROUNDS: usize = 50;
/// As the shell's Home (`src-tauri/src/commands/home.rs`).
const HOME_FOLLOW_UPS: usize = 50;
/// The case load: far more cases than a lab follows (about one resident in sixteen), spread over
/// this many tutors, one of whom is the bench's operator; goals per case.
const CASES: usize = 6_000;
const TUTORS: usize = 20;
const GOALS: usize = 4;
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
    let cases_now: i64 = store.conn().query_row("SELECT count(*) FROM case_file", [], |r| r.get(0)).unwrap();
    if cases_now < CASES as i64 {
        let started = Instant::now();
        case_load(&mut store, &actor, today);
        println!(
            "case load: {CASES} cases of {GOALS} goals over {TUTORS} tutors, in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let course: CourseId = store
        .conn()
        .query_row("SELECT id FROM course WHERE title = 'Corso di prova grande'", [], |r| r.get(0))
        .unwrap();

    println!("{:<44} {:>12} {:>12} {:>8}", "screen", "quartiere", "plain SQL", "ratio");
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
    let mine = CaseFilter { operator: Some(actor.operator), open_only: true, ..Default::default() };
    let tutor_list = cases::cases(&mut store, &actor, &mine, today).unwrap();
    let tutor = timed(|| {
        std::hint::black_box(cases::cases(&mut store, &actor, &mine, today).unwrap());
    });
    let tutor_base = timed(|| {
        let mut stmt = store
            .conn()
            .prepare_cached(
                "SELECT c.id, p.surname, p.name, c.opened_on FROM case_file c JOIN person p ON p.id = c.person_id
                 WHERE c.tutor_id = ?1 AND c.closed_on IS NULL AND c.deleted = 0",
            )
            .unwrap();
        let n = stmt.query_map([actor.operator], |r| r.get::<_, String>(0)).unwrap().count();
        std::hint::black_box(n);
    });
    report(&format!("tutor's list, {} cases", tutor_list.len()), tutor, tutor_base);
    let one = tutor_list[0].id;
    let case = timed(|| {
        std::hint::black_box(cases::case(&mut store, &actor, one, today).unwrap());
    });
    report("a case with its history", case, tutor_base);
    // Home by part, to see where its time goes.
    let since = today.checked_sub_months(chrono::Months::new(6)).unwrap();
    let due = ContactFilter { follow_up_due_by: Some(today), limit: Some(HOME_FOLLOW_UPS), ..Default::default() };
    let recent = ContactFilter { limit: Some(10), ..Default::default() };
    let fortnight = today.checked_add_days(chrono::Days::new(14));
    let parts: [(&str, Duration); 9] = [
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
        (
            "  case goals due",
            timed(|| {
                std::hint::black_box(cases::goals_due(&mut store, &actor, today, HOME_FOLLOW_UPS).unwrap());
                std::hint::black_box(cases::goals_due_count(&store, &actor, today).unwrap());
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
    std::hint::black_box(cases::goals_due(store, actor, today, HOME_FOLLOW_UPS).unwrap());
    std::hint::black_box(cases::goals_due_count(store, actor, today).unwrap());
}

/// [`CASES`] open cases over [`TUTORS`] tutors (the bench's operator is the first), each with
/// [`GOALS`] goals due over the year around `today`, some done.
fn case_load(store: &mut Store, actor: &Actor, today: NaiveDate) {
    let people: Vec<PersonId> = {
        let mut stmt = store.conn().prepare("SELECT id FROM person ORDER BY id DESC LIMIT ?1").unwrap();
        stmt.query_map([CASES as i64], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    store
        .write(actor, |w| {
            let mut tutors = vec![actor.operator];
            for i in 1..TUTORS {
                let id = OperatorId(w.new_id());
                w.insert(
                    Table::Operator,
                    id.0,
                    &[("name", format!("Tutor di prova {i}").into()), ("role", "tutor".to_string().into())],
                )?;
                tutors.push(id);
            }
            for (i, person) in people.iter().enumerate() {
                let opened_on = today - chrono::Days::new(30 + (i % 300) as u64);
                let case = cases::open_case(
                    w,
                    &CaseInput {
                        person: *person,
                        axis: Axis::Disagio,
                        tutor: tutors[i % TUTORS],
                        servizio_sociale: i % 5 == 0,
                        reason: Some("Caso di prova".into()),
                        contact: None,
                        opened_on,
                    },
                )?;
                for g in 0..GOALS {
                    let due_on = opened_on + chrono::Days::new(20 + (g as u64 * 40) + (i % 17) as u64);
                    let goal = cases::add_goal(
                        w,
                        case,
                        &GoalInput {
                            title: format!("Obiettivo {g}"),
                            owner: "la persona".into(),
                            due_on: Some(due_on),
                            parent: None,
                        },
                    )?;
                    if g == 0 {
                        cases::set_goal_status(w, goal, quartiere_core::codes::GoalStatus::Raggiunto, due_on)?;
                    }
                }
            }
            Ok(())
        })
        .unwrap();
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
