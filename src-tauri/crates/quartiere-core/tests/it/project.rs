//! The project plan: what the form may say, who may write it, late actions, links to activities
//! and cases, the totals against plain SQL on the demo lab.

use quartiere_core::access::Role;
use quartiere_core::activities::{self, ActivityDraft};
use quartiere_core::codes::{ActionStatus, Axis};
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::project::{self, ActionDraft, LinkTarget};
use quartiere_core::{Error, ErrorKind};

use crate::*;

fn draft() -> ActionDraft {
    ActionDraft {
        axis: "convivenza".into(),
        title: "Feste di cortile".into(),
        owner_name: "Giulia Ferri".into(),
        starts_on: "01/03/2026".into(),
        due_on: "30/06/2026".into(),
        budget: "1.500,00".into(),
        spent: "200".into(),
        ..Default::default()
    }
}

#[test]
fn a_form_with_mistakes_names_every_wrong_field_in_italian() {
    let day = date("2026-03-02");
    let input = draft().parse(day).unwrap();
    assert_eq!(
        (input.axis, input.status, input.budget, input.spent),
        (Axis::Convivenza, ActionStatus::DaAvviare, 150_000, 20_000)
    );
    let wrong = ActionDraft {
        axis: "sport".into(),
        title: " ".into(),
        owner_name: String::new(),
        starts_on: "01/07/2026".into(),
        due_on: "30/06/2026".into(),
        status: "in_corso".into(),
        done_on: "01/03/2026".into(),
        budget: "-5".into(),
        ..Default::default()
    };
    let Err(Error::Invalid(fields)) = wrong.parse(day) else { panic!("must be refused") };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    for field in ["asse", "titolo", "responsabile", "scadenza", "conclusa_il", "budget"] {
        assert!(names.contains(&field), "{field} missing from {names:?}");
    }
    assert!(fields.iter().any(|f| f.message.contains("prima dell'inizio")), "{fields:?}");
    // A completed action with no day is completed today; a day in the future is refused.
    let done = ActionDraft { status: "completata".into(), ..draft() }.parse(day).unwrap();
    assert_eq!(done.done_on, Some(day));
    let future = ActionDraft { status: "completata".into(), done_on: "10/03/2026".into(), ..draft() };
    assert!(future.parse(day).is_err());
}

#[test]
fn the_coordinator_writes_the_plan_and_a_late_action_is_listed_until_done() {
    let mut f = fixture();
    let actor = f.actor;
    let day = date("2026-07-15");
    let input = draft().parse(day).unwrap();
    let id = f.store.write(&actor, |w| project::add_action(w, &input)).unwrap();
    // Due on 30 June, not started on 15 July: 15 days late.
    let late = project::late_actions(&f.store, &actor, day).unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].id, late[0].days_late), (id, Some(15)));
    // A desk operator reads the plan but may not write it; the Comune's reader does not read it.
    let desk = operator_with_role(&mut f, "Anna Sportello", Role::DeskOperator);
    assert_eq!(project::plan(&f.store, &desk, day).unwrap().actions.len(), 1);
    let before = change_count(&f.store);
    let refused = f.store.write(&desk, |w| project::add_action(w, &input)).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert_eq!(change_count(&f.store), before);
    let comune = operator_with_role(&mut f, "Ufficio Casa", Role::ComuneViewer);
    assert_eq!(project::plan(&f.store, &comune, day).unwrap_err().kind(), ErrorKind::Forbidden);
    // Completed: no longer late; spent over budget is shown, not refused.
    let done = ActionDraft { status: "completata".into(), spent: "1.800".into(), ..draft() }.parse(day).unwrap();
    f.store.write(&actor, |w| project::edit_action(w, id, &done)).unwrap();
    let view = project::action(&f.store, &actor, id, day).unwrap();
    assert_eq!((view.days_late, view.over_budget, view.fields.done_on), (None, true, Some(day)));
    assert!(project::late_actions(&f.store, &actor, day).unwrap().is_empty());
    // An edit that changes nothing writes nothing.
    let before = change_count(&f.store);
    f.store.write(&actor, |w| project::edit_action(w, id, &done)).unwrap();
    assert_eq!(change_count(&f.store), before);
}

#[test]
fn an_action_links_activities_once_and_unknown_ones_are_refused() {
    let mut f = fixture();
    let actor = f.actor;
    let day = date("2026-03-02");
    let id = f.store.write(&actor, |w| project::add_action(w, &draft().parse(day).unwrap())).unwrap();
    let (input, weeks) = ActivityDraft {
        kind: "evento".into(),
        axis: "convivenza".into(),
        title: "Festa di primavera".into(),
        date: "21/03/2026".into(),
        start: "16:00".into(),
        end: "19:00".into(),
        venue: "Cortile di via Pirandello".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let activity = f.store.write(&actor, |w| activities::create(w, &input, weeks)).unwrap()[0];
    f.store.write(&actor, |w| project::link(w, id, LinkTarget::Activity(activity))).unwrap();
    let again = f.store.write(&actor, |w| project::link(w, id, LinkTarget::Activity(activity))).unwrap_err();
    assert!(again.to_string().contains("già collegata"), "{again}");
    let unknown = quartiere_core::ids::CaseId(uuid::Uuid::now_v7());
    let missing = f.store.write(&actor, |w| project::link(w, id, LinkTarget::Case(unknown))).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let view = project::action(&f.store, &actor, id, day).unwrap();
    assert_eq!(view.activities.len(), 1);
    assert_eq!(
        (view.activities[0].title.as_str(), view.activities[0].date),
        ("Festa di primavera", date("2026-03-21"))
    );
    f.store.write(&actor, |w| project::unlink(w, id, LinkTarget::Activity(activity))).unwrap();
    assert!(project::action(&f.store, &actor, id, day).unwrap().activities.is_empty());
    // Removing the action removes it from the plan.
    f.store.write(&actor, |w| project::remove_action(w, id)).unwrap();
    assert!(project::plan(&f.store, &actor, day).unwrap().actions.is_empty());
}

#[test]
fn the_demo_plan_totals_equal_plain_sql() {
    let mut f = fixture();
    let actor = f.actor;
    let summary =
        demo::generate(&mut f.store, &actor, &DemoConfig { households: 133, people: None, seed: 2019, today: today() })
            .unwrap();
    let plan = project::plan(&f.store, &actor, today()).unwrap();
    assert_eq!((summary.actions, plan.actions.len()), (10, 10));
    assert_eq!(plan.axes.len(), 4);
    assert_eq!(plan.budget, count(&f.store, "SELECT sum(budget) FROM plan_action WHERE deleted = 0"));
    assert_eq!(plan.spent, count(&f.store, "SELECT sum(spent) FROM plan_action WHERE deleted = 0"));
    let late_sql = count(
        &f.store,
        &format!(
            "SELECT count(*) FROM plan_action WHERE deleted = 0 AND status IN ('da_avviare', 'in_corso', 'sospesa')
               AND due_on < '{}'",
            today()
        ),
    );
    assert_eq!((plan.late as i64, late_sql), (2, 2));
    // The events and assemblies held carry out the first two actions; four cases the third of disagio.
    let events = plan.actions.iter().find(|a| a.fields.title.starts_with("Eventi")).unwrap();
    assert_eq!(events.activities.len(), 7);
    let assemblies = plan.actions.iter().find(|a| a.fields.title.starts_with("Assemblee")).unwrap();
    assert_eq!(assemblies.activities.len(), 6);
    assert_eq!(plan.actions.iter().map(|a| a.cases.len()).sum::<usize>(), 4);
}
