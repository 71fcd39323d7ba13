use quartiere_core::cf;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::store::canonical_dump;

use crate::*;

#[test]
fn the_demo_is_a_realistic_neighbourhood() {
    let mut f = fixture();
    let actor = f.actor;
    let summary =
        demo::generate(&mut f.store, &actor, &DemoConfig { households: 133, people: None, seed: 2019, today: today() })
            .unwrap();
    assert_eq!(summary.households, 133);
    // The seed's six months: 7 social events and 6 thematic assemblies, held, with attendance; one
    // assembly planned for next week.
    let six_months = today() - chrono::Duration::days(183);
    let counts = quartiere_core::activities::counts(&f.store, &actor, six_months, today()).unwrap();
    assert_eq!((counts.events, counts.assemblies, summary.activities), (7, 6, 13));
    assert!(counts.attendances > 100 && counts.people > 40, "{counts:?}");
    let all = quartiere_core::activities::list(&f.store, &actor, None, None).unwrap();
    assert_eq!(all.len(), 14);
    let upcoming = all.last().unwrap();
    assert!(upcoming.held_on > today() && upcoming.invited > 0 && upcoming.present.is_none(), "{upcoming:?}");
    assert!(all[..13].iter().all(|a| a.present.is_some_and(|p| p > 0)));
    // The seed's headline at six months: 11 residents in training and job-search paths (of 30), and
    // a waiting list; the same figures by plain SQL, and every participant with an ESF record.
    let training = quartiere_core::training::counts(&f.store, &actor, today()).unwrap();
    assert_eq!((training.participants, training.in_paths, training.waiting, summary.courses), (11, 11, 5, 2));
    let by_sql = count(&f.store, "SELECT count(DISTINCT person_id) FROM enrolment WHERE state = 'iscritto'");
    let waiting = count(&f.store, "SELECT count(DISTINCT person_id) FROM enrolment WHERE state = 'in_attesa'");
    let esf = count(&f.store, "SELECT count(*) FROM esf_participant");
    assert_eq!((by_sql, waiting, esf), (11, 5, 11));
    // Cases: every participant followed on the training axis, people heard at the desk on the
    // others, some shared with the Servizio Sociale, two closed; overdue goals for Home, and the
    // tutor's list agreeing with plain SQL.
    assert_eq!(summary.cases, 20);
    // Placements and hours given back: three placements, one ended; five people gave time back.
    assert_eq!(summary.placements, 3);
    assert_eq!(count(&f.store, "SELECT count(*) FROM placement WHERE outcome IS NOT NULL"), 1);
    assert_eq!(count(&f.store, "SELECT count(DISTINCT person_id) FROM community_hours"), 5);
    let on_training = count(&f.store, "SELECT count(*) FROM case_file WHERE axis = 'formazione_lavoro'");
    let closed = count(&f.store, "SELECT count(*) FROM case_file WHERE closed_on IS NOT NULL");
    let shared = count(&f.store, "SELECT count(*) FROM case_file WHERE servizio_sociale = 1");
    assert_eq!((on_training, closed), (11, 2));
    assert!(shared >= 3, "{shared}");
    let overdue_sql = count(
        &f.store,
        &format!(
            "SELECT count(*) FROM case_goal g JOIN case_file c ON c.id = g.case_id
             WHERE c.closed_on IS NULL AND g.status IN ('aperto', 'in_corso') AND g.due_on <= '{}'",
            today()
        ),
    );
    let due = quartiere_core::cases::goals_due_count(&f.store, &actor, today()).unwrap();
    assert!(overdue_sql > 5 && i64::from(due) == overdue_sql, "{due} vs {overdue_sql}");
    let mine = quartiere_core::cases::cases(
        &mut f.store,
        &actor,
        &quartiere_core::cases::CaseFilter { operator: Some(actor.operator), open_only: true, ..Default::default() },
        today(),
    )
    .unwrap();
    let mine_sql = count(
        &f.store,
        &format!("SELECT count(*) FROM case_file WHERE closed_on IS NULL AND tutor_id = '{}'", actor.operator),
    );
    assert_eq!(mine.len() as i64, mine_sql);
    assert!(mine.len() >= 8 && mine.iter().any(|c| c.overdue > 0), "{}", mine.len());
    // Arrears: a year of statement for each household, six assessed as no-fault, the seed's three
    // plans signed, one of them late; the monitoring's figures against plain SQL.
    assert_eq!((summary.statement_months, summary.plans), (133 * 12, 3));
    let plans = quartiere_core::arrears::plans(&mut f.store, &actor, None, today()).unwrap();
    let statuses: Vec<_> = plans.iter().map(|p| p.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == quartiere_core::codes::PlanStatus::InRitardo).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == quartiere_core::codes::PlanStatus::Attivo).count(), 2, "{statuses:?}");
    let m = quartiere_core::arrears::monitoring(&mut f.store, &actor, today()).unwrap();
    assert_eq!((m.plans_signed, m.plans_monitored), (3, 3));
    assert_eq!(count(&f.store, "SELECT count(DISTINCT household_id) FROM arrears_assessment"), 6);
    let paid_sql = count(&f.store, "SELECT coalesce(sum(amount), 0) FROM plan_payment WHERE deleted = 0");
    let credited_to_plans: i64 = plans
        .iter()
        .map(|p| quartiere_core::arrears::plan(&mut f.store, &actor, p.id, today()).unwrap())
        .flat_map(|v| v.payments.into_iter().filter(|p| p.contribution).map(|p| p.amount))
        .sum();
    assert!(credited_to_plans > 0, "the contribution reached a plan");
    assert_eq!(m.over_time.last().unwrap().recovered, paid_sql + credited_to_plans);
    // Every plan's debt at signing is what its household's statement left unpaid by that day.
    for p in &plans {
        let unpaid = count(
            &f.store,
            &format!(
                "SELECT sum(rent_billed - rent_paid + charges_billed - charges_paid) FROM account_period
                 WHERE household_id = '{}' AND date(period || '-01', '+1 month', '-1 day') <= '{}'",
                p.household, p.signed_on
            ),
        );
        assert_eq!(p.total, unpaid, "{p:?}");
    }
    assert!((250..=380).contains(&summary.people), "about 300 residents, got {}", summary.people);
    let sizes: Vec<i64> = f
        .store
        .conn()
        .prepare("SELECT count(*) FROM membership GROUP BY household_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(sizes.iter().all(|s| (1..=7).contains(s)));
    assert!(sizes.contains(&1) && sizes.iter().any(|s| *s >= 5));
    let streets = count(&f.store, "SELECT count(DISTINCT street) FROM dwelling");
    assert_eq!(streets, 2, "133 households fit in via Pirandello and via Fermi");
    let codes: Vec<Option<String>> = f
        .store
        .conn()
        .prepare("SELECT codice_fiscale FROM person")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let with_cf: Vec<&String> = codes.iter().flatten().collect();
    assert!(with_cf.len() > codes.len() * 9 / 10);
    for code in with_cf {
        cf::validate(code).unwrap_or_else(|e| panic!("{code}: {e}"));
    }
    assert!(count(&f.store, "SELECT count(*) FROM desk_contact") > 100);
    assert_eq!(count(&f.store, "SELECT count(*) FROM membership WHERE tenant_of_record = 1"), 133);
}

#[test]
fn the_same_seed_gives_the_same_neighbourhood() {
    let make = |seed: u64| {
        let mut f = fixture();
        let actor = f.actor;
        demo::generate(&mut f.store, &actor, &DemoConfig { households: 20, people: None, seed, today: today() })
            .unwrap();
        canonical_dump(f.store.conn()).unwrap()
    };
    assert_eq!(make(5), make(5));
    assert_ne!(make(5), make(6));
}

#[test]
fn the_demo_scales_by_people() {
    let mut f = fixture();
    let actor = f.actor;
    let summary = demo::generate(
        &mut f.store,
        &actor,
        &DemoConfig { households: 0, people: Some(1000), seed: 1, today: today() },
    )
    .unwrap();
    assert!(summary.people >= 1000 && summary.people < 1010);
    assert!(count(&f.store, "SELECT count(DISTINCT street) FROM dwelling") > 2);
}
