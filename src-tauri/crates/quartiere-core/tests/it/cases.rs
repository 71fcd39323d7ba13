//! Prese in carico: a case opened by the desk or the tutor, its plan of goals with owners and due
//! dates, referrals that share data only with the person's consent, the tutor's list, Home's
//! overdue goals, closing, and the history of every change.

use chrono::NaiveDate;
use quartiere_core::access::Role;
use quartiere_core::cases::{self, CaseDraft, CaseFilter, CloseDraft, GoalDraft, ReferralDraft};
use quartiere_core::codes::{GoalStatus, PartnerKind, ReferralState};
use quartiere_core::desk::{self, ContactDraft, NoteSubject};
use quartiere_core::ids::{CaseId, PersonId};
use quartiere_core::privacy::{self, ConsentKind};
use quartiere_core::registry::{self, PartnerInput, PersonInput};
use quartiere_core::{Actor, Error, ErrorKind};

use crate::*;

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%d/%m/%Y").unwrap()
}

fn person(f: &mut Fixture, surname: &str, name: &str) -> PersonId {
    let actor = f.actor;
    f.store
        .write(&actor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: surname.into(), name: name.into(), ..Default::default() },
            )
        })
        .unwrap()
}

fn open(f: &mut Fixture, by: &Actor, person: PersonId, tutor: &Actor) -> quartiere_core::Result<CaseId> {
    let input = CaseDraft {
        person: person.to_string(),
        axis: "disagio".into(),
        tutor: tutor.operator.to_string(),
        reason: "Sfratto per morosità, cerca lavoro".into(),
        opened_on: "02/03/2026".into(),
        ..Default::default()
    }
    .parse(today())?;
    f.store.write(by, |w| cases::open_case(w, &input))
}

fn goal(f: &mut Fixture, by: &Actor, case: CaseId, title: &str, owner: &str, due: &str) -> quartiere_core::Result<()> {
    let input =
        GoalDraft { title: title.into(), owner: owner.into(), due: due.into(), ..Default::default() }.parse(today())?;
    f.store.write(by, |w| cases::add_goal(w, case, &input)).map(drop)
}

fn field_errors(e: &Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(fields) => fields.iter().map(|f| (f.field.clone(), f.message.clone())).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_case_is_opened_from_a_desk_contact_once_per_axis_and_followed_by_a_tutor() {
    let mut f = fixture();
    let desk_operator = operator_with_role(&mut f, "Sara Sportello", Role::DeskOperator);
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let afol = operator_with_role(&mut f, "Aldo Afol", Role::Afol);
    let lan = person(&mut f, "Nguyễn", "Thị Lan");
    let other = person(&mut f, "Rossi", "Mario");
    let contact_input = ContactDraft {
        occurred_at: "02/03/2026 10:00".into(),
        person: lan.to_string(),
        topics: vec!["lavoro".into()],
        note: "Ha perso il lavoro, chiede aiuto".into(),
        ..Default::default()
    }
    .parse(f.store.conn(), &desk_operator, today().and_hms_opt(12, 0, 0).unwrap())
    .unwrap();
    let contact = f.store.write(&desk_operator, |w| desk::add_contact(w, &contact_input)).unwrap();

    // The tutor must be a tutor: the desk operator cannot be named one.
    let err = open(&mut f, &desk_operator, lan, &desk_operator).unwrap_err();
    assert!(field_errors(&err)[0].1.contains("non è un tutor di quartiere"), "{err}");

    // From the desk contact: a contact about someone else is refused.
    let draft = |person: PersonId| CaseDraft {
        person: person.to_string(),
        axis: "disagio".into(),
        tutor: tutor.operator.to_string(),
        contact: contact.to_string(),
        ..Default::default()
    };
    let err = draft(other).parse(today()).and_then(|i| f.store.write(&desk_operator, |w| cases::open_case(w, &i)));
    assert!(field_errors(&err.unwrap_err())[0].1.contains("un'altra persona"));
    let input = draft(lan).parse(today()).unwrap();
    let case = f.store.write(&desk_operator, |w| cases::open_case(w, &input)).unwrap();

    // A second open case on the same axis is refused, naming the first.
    let before = change_count(&f.store);
    let err = open(&mut f, &tutor, lan, &tutor).unwrap_err();
    let message = &field_errors(&err)[0].1;
    assert!(message.contains("ha già una presa in carico aperta") && message.contains("Tina Tutor"), "{message}");
    assert_eq!(change_count(&f.store), before, "a refused case writes nothing");

    let detail = cases::case(&mut f.store, &tutor, case, today()).unwrap();
    assert_eq!(detail.contact, Some(contact));
    assert_eq!(detail.summary.tutor_name, "Tina Tutor");
    assert_eq!(detail.summary.person_name, "Nguyễn Thị Lan");

    // The AFOL operator sees a person's training, not their case.
    let err = cases::cases(&mut f.store, &afol, &CaseFilter::default(), today()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(f.store.write(&afol, |w| cases::open_case(w, &input)).is_err());
}

#[test]
fn a_goal_needs_an_owner_and_overdue_goals_reach_home_and_the_tutors_list() {
    let mut f = fixture();
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let colleague = operator_with_role(&mut f, "Carlo Tutor", Role::Tutor);
    let lan = person(&mut f, "Nguyễn", "Thị Lan");
    let mario = person(&mut f, "Rossi", "Mario");
    let lans = open(&mut f, &tutor, lan, &tutor).unwrap();
    let marios = open(&mut f, &tutor, mario, &colleague).unwrap();

    // No owner: refused with the field named, nothing written.
    let before = change_count(&f.store);
    let err = goal(&mut f, &tutor, lans, "Iscrizione al centro per l'impiego", " ", "10/03/2026").unwrap_err();
    assert_eq!(
        field_errors(&err),
        vec![(
            "responsabile".to_string(),
            "ogni obiettivo ha un responsabile: scrivi chi se ne occupa (un operatore, la persona, un partner)"
                .to_string()
        )]
    );
    assert_eq!(change_count(&f.store), before);

    goal(&mut f, &tutor, lans, "Iscrizione al centro per l'impiego", "Tina Tutor", "20/02/2026").unwrap();
    goal(&mut f, &tutor, lans, "Curriculum", "la persona", "+10").unwrap();
    goal(&mut f, &tutor, marios, "Domanda di contributo di solidarietà", "Carlo Tutor", "02/03/2026").unwrap();
    let detail = cases::case(&mut f.store, &tutor, lans, today()).unwrap();
    let first = detail.goals[0].id;
    // A step of the first goal, already late.
    let step = GoalDraft {
        title: "Prendere appuntamento".into(),
        owner: "la persona".into(),
        due: "25/02/2026".into(),
        parent: first.to_string(),
    }
    .parse(today())
    .unwrap();
    f.store.write(&tutor, |w| cases::add_goal(w, lans, &step)).unwrap();

    let detail = cases::case(&mut f.store, &tutor, lans, today()).unwrap();
    assert_eq!(detail.goals.len(), 2);
    assert!(detail.goals[0].overdue && detail.goals[0].steps[0].overdue);
    assert_eq!(detail.goals[1].due_on, Some(day("12/03/2026")), "+10 from today");
    assert!(!detail.goals[1].overdue);

    // Home: due today or overdue, the longest overdue first.
    let due = cases::goals_due(&mut f.store, &tutor, today(), 50).unwrap();
    let titles: Vec<&str> = due.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Iscrizione al centro per l'impiego", "Prendere appuntamento", "Domanda di contributo di solidarietà"]
    );
    assert_eq!(cases::goals_due_count(&f.store, &tutor, today()).unwrap(), 3);

    // The tutor's list: only the cases they follow, with what is overdue.
    let mine = cases::cases(
        &mut f.store,
        &tutor,
        &CaseFilter { operator: Some(tutor.operator), open_only: true, ..Default::default() },
        today(),
    )
    .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].open_goals, mine[0].overdue), (3, 2));
    let all = cases::cases(&mut f.store, &tutor, &CaseFilter::default(), today()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, lans, "the case with overdue goals first");

    // Done goals are no longer due; a closed case's goals leave Home.
    f.store.write(&tutor, |w| cases::set_goal_status(w, first, GoalStatus::Raggiunto, today())).unwrap();
    assert_eq!(cases::goals_due_count(&f.store, &tutor, today()).unwrap(), 2);
    let close = CloseDraft { outcome: "in_parte".into(), ..Default::default() }.parse(today()).unwrap();
    f.store.write(&colleague, |w| cases::close_case(w, marios, &close)).unwrap();
    assert_eq!(cases::goals_due_count(&f.store, &tutor, today()).unwrap(), 1);
    let err = goal(&mut f, &colleague, marios, "Altro", "Carlo Tutor", "").unwrap_err();
    assert!(err.to_string().contains("è chiusa dal 02/03/2026"), "{err}");
}

#[test]
fn a_referral_that_shares_data_without_the_persons_consent_is_refused_with_a_clear_message() {
    let mut f = fixture();
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let lan = person(&mut f, "Nguyễn", "Thị Lan");
    let case = open(&mut f, &tutor, lan, &tutor).unwrap();
    let coordinator = f.actor;
    let afol = f
        .store
        .write(&coordinator, |w| {
            registry::create_partner(
                w,
                &PartnerInput {
                    name: "AFOL Metropolitana".into(),
                    kind: PartnerKind::Lavoro,
                    address: None,
                    phone: None,
                    email: None,
                },
            )
        })
        .unwrap();
    let refer = |f: &mut Fixture, to: String, shares: bool| {
        let input =
            ReferralDraft { to, reason: "Orientamento al lavoro".into(), shares_data: shares, on: "03/03/2026".into() }
                .parse(today())?;
        f.store.write(&tutor, |w| cases::refer(w, case, &input))
    };

    let before = change_count(&f.store);
    let err = refer(&mut f, afol.to_string(), true).unwrap_err();
    assert_eq!(
        field_errors(&err),
        vec![(
        "consenso".to_string(),
        "per inviare i dati di Nguyễn Thị Lan a AFOL Metropolitana serve il suo consenso alla comunicazione dei dati \
         ad altri enti: registralo nella sua scheda (Privacy), poi ripeti l'invio"
            .to_string()
    )]
    );
    assert_eq!(change_count(&f.store), before, "a refused referral writes nothing");

    // Without sharing data, a referral needs no consent (the person goes there on their own).
    refer(&mut f, "servizio_sociale".into(), false).unwrap();

    // With the consent recorded, the referral goes and keeps which consent allowed it.
    let consent = f
        .store
        .write(&coordinator, |w| {
            privacy::record_consent(w, lan, ConsentKind::DataSharing, "2026-01", day("03/03/2026"))
        })
        .unwrap();
    let sent = refer(&mut f, afol.to_string(), true).unwrap();
    let kept: String =
        f.store.conn().query_row("SELECT consent_id FROM referral WHERE id = ?1", [sent], |r| r.get(0)).unwrap();
    assert_eq!(kept, consent.to_string());

    // Once withdrawn, the consent no longer allows a new one.
    f.store.write(&coordinator, |w| privacy::withdraw_consent(w, consent, day("04/03/2026"))).unwrap();
    let input =
        ReferralDraft { to: afol.to_string(), reason: "Di nuovo".into(), shares_data: true, on: "05/03/2026".into() }
            .parse(today())
            .unwrap();
    assert!(f.store.write(&tutor, |w| cases::refer(w, case, &input)).is_err());

    // State: sent, then accepted or refused; accepted, then done; nothing else.
    let err =
        f.store.write(&tutor, |w| cases::set_referral_state(w, sent, ReferralState::Concluso, today())).unwrap_err();
    assert!(err.to_string().contains("un invio «inviato» non può diventare «concluso»"), "{err}");
    f.store.write(&tutor, |w| cases::set_referral_state(w, sent, ReferralState::Accettato, day("10/03/2026"))).unwrap();
    f.store.write(&tutor, |w| cases::set_referral_state(w, sent, ReferralState::Concluso, day("20/03/2026"))).unwrap();
    let detail = cases::case(&mut f.store, &tutor, case, today()).unwrap();
    let states: Vec<(&str, ReferralState)> = detail.referrals.iter().map(|r| (r.to.as_str(), r.state)).collect();
    assert_eq!(states, [("Servizio Sociale", ReferralState::Inviato), ("AFOL Metropolitana", ReferralState::Concluso)]);
}

#[test]
fn every_change_to_a_case_is_history_with_who_and_when_and_only_the_tutor_closes_it() {
    let mut f = fixture();
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let desk_operator = operator_with_role(&mut f, "Sara Sportello", Role::DeskOperator);
    let lan = person(&mut f, "Nguyễn", "Thị Lan");
    let case = open(&mut f, &desk_operator, lan, &tutor).unwrap();
    goal(&mut f, &tutor, case, "Curriculum", "la persona", "10/03/2026").unwrap();
    let goal_id = cases::case(&mut f.store, &tutor, case, today()).unwrap().goals[0].id;
    f.store.write(&tutor, |w| cases::set_goal_status(w, goal_id, GoalStatus::InCorso, today())).unwrap();
    f.store.write(&tutor, |w| cases::add_member(w, case, desk_operator.operator, "accoglienza")).unwrap();
    f.store.write(&tutor, |w| cases::remove_member(w, case, desk_operator.operator)).unwrap();
    let again = f.store.write(&tutor, |w| cases::remove_member(w, case, desk_operator.operator)).unwrap_err();
    assert!(again.to_string().contains("non è nell'équipe"), "{again}");
    let edit = GoalDraft {
        title: "Curriculum aggiornato".into(),
        owner: "la persona".into(),
        due: "20/03/2026".into(),
        ..Default::default()
    }
    .parse(today())
    .unwrap();
    f.store.write(&tutor, |w| cases::edit_goal(w, goal_id, &edit)).unwrap();
    let note = f.store.write(&tutor, |w| desk::add_note(w, NoteSubject::Case(case), "Prima versione")).unwrap();
    f.store.write(&tutor, |w| desk::edit_note(w, note, "Seconda versione")).unwrap();

    // The desk operator who opened it may not close it: the tutor (or a coordinator) does.
    let close = CloseDraft {
        outcome: "obiettivi_raggiunti".into(),
        note: "Ha trovato lavoro".into(),
        closed_on: "31/03/2026".into(),
    }
    .parse(today())
    .unwrap();
    let err = f.store.write(&desk_operator, |w| cases::close_case(w, case, &close)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.to_string().contains("Tina Tutor"), "{err}");
    let early = CloseDraft { outcome: "altro".into(), closed_on: "01/03/2026".into(), ..Default::default() };
    let err = f.store.write(&tutor, |w| cases::close_case(w, case, &early.parse(today())?)).unwrap_err();
    assert!(err.to_string().contains("non può precedere l'apertura (02/03/2026)"), "{err}");
    f.store.write(&tutor, |w| cases::close_case(w, case, &close)).unwrap();

    let detail = cases::case(&mut f.store, &tutor, case, today()).unwrap();
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.notes[0].body, "Seconda versione");
    assert_eq!(detail.notes[0].history[0].body, "Prima versione");
    let lines: Vec<(String, String)> = detail
        .history
        .iter()
        .rev()
        .flat_map(|e| e.changes.iter().map(move |c| (e.operator.clone(), c.clone())))
        .collect();
    let expected = [
        ("Sara Sportello", "presa in carico aperta (asse «disagio sociale e prese in carico», tutor Tina Tutor)"),
        ("Tina Tutor", "nuovo obiettivo «Curriculum» (responsabile la persona, scadenza 10/03/2026)"),
        ("Tina Tutor", "obiettivo «Curriculum»: in corso"),
        ("Tina Tutor", "Sara Sportello segue la presa in carico (accoglienza)"),
        ("Tina Tutor", "Sara Sportello non segue più la presa in carico"),
        ("Tina Tutor", "obiettivo «Curriculum» modificato: titolo «Curriculum aggiornato», scadenza 20/03/2026"),
        ("Tina Tutor", "nota scritta"),
        ("Tina Tutor", "nota modificata"),
        ("Tina Tutor", "presa in carico chiusa il 31/03/2026: obiettivi raggiunti"),
    ];
    let got: Vec<(&str, &str)> = lines.iter().map(|(o, c)| (o.as_str(), c.as_str())).collect();
    assert_eq!(got, expected);
    assert!(detail.history.iter().all(|e| !e.at.is_empty()));
    assert_eq!(detail.summary.outcome.map(|o| o.code()), Some("obiettivi_raggiunti"));
}

#[test]
fn the_participants_plan_reads_back_with_its_goals_steps_and_referrals() {
    let mut f = fixture();
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let afol = operator_with_role(&mut f, "Aldo Afol", Role::Afol);
    let lan = person(&mut f, "Nguyễn", "Thị Lan");
    let case = open(&mut f, &tutor, lan, &tutor).unwrap();
    goal(&mut f, &tutor, case, "Iscrizione al centro per l'impiego", "Tina Tutor", "20/02/2026").unwrap();
    let first = cases::case(&mut f.store, &tutor, case, today()).unwrap().goals[0].id;
    let step = GoalDraft {
        title: "Portare la carta d'identità".into(),
        owner: "la persona".into(),
        due: "15/02/2026".into(),
        parent: first.to_string(),
    }
    .parse(today())
    .unwrap();
    f.store.write(&tutor, |w| cases::add_goal(w, case, &step)).unwrap();
    f.store.write(&tutor, |w| cases::set_goal_status(w, first, GoalStatus::Raggiunto, today())).unwrap();
    let referral =
        ReferralDraft { to: "servizio_sociale".into(), reason: "ISEE".into(), shares_data: false, on: "".into() }
            .parse(today())
            .unwrap();
    f.store.write(&tutor, |w| cases::refer(w, case, &referral)).unwrap();

    let plan = cases::plan_document(&mut f.store, &tutor, case, today()).unwrap();
    let text = pdf_text(&plan.pdf);
    for needle in [
        "Piano individuale di Nguyễn Thị Lan",
        "Tina Tutor",
        "02/03/2026",
        "Sfratto per morosità, cerca lavoro",
        "Iscrizione al centro per l'impiego",
        "raggiunto",
        "– Portare la carta d'identità",
        "15/02/2026",
        "Servizio Sociale, dal 02/03/2026: inviato",
        "Firma del tutor di quartiere",
        &plan.id,
    ] {
        assert!(text.contains(needle), "«{needle}» not in the plan:\n{text}");
    }
    // Who may not read cases may not print one.
    let err = cases::plan_document(&mut f.store, &afol, case, today()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}
