use chrono::NaiveDateTime;
use quartiere_core::codes::{Channel, PartnerKind, Topic};
use quartiere_core::desk::{
    self, ContactDraft, ContactFilter, DeskContactInput, NoteSubject, ReferralInput, ReferralTarget,
};
use quartiere_core::registry::{self, PartnerInput, PersonInput};
use quartiere_core::{Actor, Error, Store};

use crate::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Records contacts, notes with versions, referrals and a completed follow-up.
pub fn exercise_desk_log(store: &mut Store, actor: &Actor) -> quartiere_core::ids::DeskContactId {
    store
        .write(actor, |w| {
            let p = registry::create_person(
                w,
                &PersonInput { surname: "Esposito".into(), name: "Rosa".into(), ..Default::default() },
            )?;
            let afol = registry::create_partner(
                w,
                &PartnerInput {
                    name: "AFOL Metropolitana".into(),
                    kind: PartnerKind::Lavoro,
                    address: None,
                    phone: None,
                    email: None,
                },
            )?;
            let id = desk::add_contact(
                w,
                &DeskContactInput {
                    occurred_at: at("2026-02-27 10:30"),
                    operator: w.actor().operator,
                    person: Some(p),
                    household: None,
                    channel: Channel::DiPersona,
                    topics: vec![Topic::Lavoro, Topic::Morosita, Topic::Lavoro],
                    note: Some("Ha perso il lavoro a gennaio.".into()),
                    follow_up_on: Some(date("2026-03-02")),
                    referrals: vec![
                        ReferralInput {
                            target: ReferralTarget::Partner(afol),
                            reason: "Percorso di ricerca lavoro".into(),
                        },
                        ReferralInput {
                            target: ReferralTarget::ServizioSociale,
                            reason: "Valutazione morosità incolpevole".into(),
                        },
                    ],
                },
            )?;
            let first: quartiere_core::ids::NoteId =
                w.conn().query_row("SELECT id FROM note WHERE subject_id = ?1", [id], |r| r.get(0))?;
            desk::edit_note(w, first, "Ha perso il lavoro a gennaio; il marito lavora part-time.")?;
            let done = desk::add_contact(
                w,
                &DeskContactInput {
                    occurred_at: at("2026-02-01 09:00"),
                    operator: w.actor().operator,
                    person: Some(p),
                    household: None,
                    channel: Channel::Telefono,
                    topics: vec![Topic::Documenti],
                    note: None,
                    follow_up_on: Some(date("2026-02-10")),
                    referrals: vec![],
                },
            )?;
            desk::complete_follow_up(w, done, date("2026-02-09"))?;
            Ok(id)
        })
        .unwrap()
}

#[test]
fn a_contact_keeps_topics_referrals_and_every_note_version() {
    let mut f = fixture();
    let actor = f.actor;
    let id = exercise_desk_log(&mut f.store, &actor);
    let contact = desk::get_contact(&mut f.store, &f.actor, id).unwrap();
    assert_eq!(contact.person_name.as_deref(), Some("Esposito Rosa"));
    assert_eq!(contact.operator, "Giulia Operatrice");
    assert_eq!(contact.topics, vec![Topic::Lavoro, Topic::Morosita], "deduplicated, in code order");
    assert_eq!(contact.note.as_deref(), Some("Ha perso il lavoro a gennaio; il marito lavora part-time."));
    let tos: Vec<&str> = contact.referrals.iter().map(|r| r.to.as_str()).collect();
    assert_eq!(tos, ["AFOL Metropolitana", "Servizio Sociale"]);

    let notes = desk::notes(&mut f.store, &f.actor, NoteSubject::DeskContact(id)).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].history.len(), 1);
    assert_eq!(notes[0].history[0].body, "Ha perso il lavoro a gennaio.");
    // An old version cannot be edited again: edits always extend the latest one.
    let old = notes[0].history[0].id;
    let err = f.store.write(&actor, |w| desk::edit_note(w, old, "riscritta")).unwrap_err();
    assert!(err.to_string().contains("già stata modificata"), "{err}");
    assert_eq!(count(&f.store, "SELECT count(*) FROM note"), 2, "no version is ever destroyed");
}

#[test]
fn follow_ups_due_leave_out_completed_ones() {
    let mut f = fixture();
    let actor = f.actor;
    let id = exercise_desk_log(&mut f.store, &actor);
    let due = desk::list_contacts(
        &mut f.store,
        &f.actor,
        &ContactFilter { follow_up_due_by: Some(today()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(due.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    let earlier = desk::list_contacts(
        &mut f.store,
        &f.actor,
        &ContactFilter { follow_up_due_by: Some(date("2026-03-01")), ..Default::default() },
    )
    .unwrap();
    assert!(earlier.is_empty());
    let feb = desk::list_contacts(
        &mut f.store,
        &f.actor,
        &ContactFilter { from: Some(date("2026-02-01")), to: Some(date("2026-02-01")), ..Default::default() },
    )
    .unwrap();
    assert_eq!(feb.len(), 1);
    let by_topic = desk::list_contacts(
        &mut f.store,
        &f.actor,
        &ContactFilter { topic: Some(Topic::Documenti), ..Default::default() },
    )
    .unwrap();
    assert_eq!(by_topic.len(), 1);
}

#[test]
fn an_invalid_contact_says_what_is_missing() {
    let mut f = fixture();
    let operator = f.actor.operator;
    let err = f
        .store
        .write(&f.actor, |w| {
            desk::add_contact(
                w,
                &DeskContactInput {
                    occurred_at: at("2026-03-02 10:00"),
                    operator,
                    person: None,
                    household: None,
                    channel: Channel::Telefono,
                    topics: vec![],
                    note: None,
                    follow_up_on: Some(date("2026-03-01")),
                    referrals: vec![],
                },
            )
        })
        .unwrap_err();
    let Error::Invalid(errors) = err else { panic!() };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["persona", "temi", "richiamo"]);
}

#[test]
fn the_household_list_counts_open_follow_ups() {
    let mut f = fixture();
    let actor = f.actor;
    let household = crate::registry::exercise_household_history(&mut f.store, &actor);
    let mario = registry::household_detail(&mut f.store, &f.actor, household).unwrap().members[0].person.id;
    let contact = |follow_up_on| DeskContactInput {
        occurred_at: at("2026-03-01 11:00"),
        operator: actor.operator,
        person: Some(mario),
        household: None,
        channel: Channel::DiPersona,
        topics: vec![Topic::Casa],
        note: None,
        follow_up_on,
        referrals: vec![],
    };
    let (open, done) = f
        .store
        .write(&actor, |w| {
            let open = desk::add_contact(w, &contact(Some(date("2026-03-10"))))?;
            let done = desk::add_contact(w, &contact(Some(date("2026-03-05"))))?;
            desk::add_contact(w, &contact(None))?;
            desk::complete_follow_up(w, done, date("2026-03-05"))?;
            Ok((open, done))
        })
        .unwrap();
    assert_ne!(open, done);
    let list = registry::list_households(f.store.conn(), &f.actor).unwrap();
    assert_eq!(list[0].open_follow_ups, 1, "the person's contact is counted on their household; done ones are not");
    assert_eq!(
        (list[0].street.as_str(), list[0].civic.as_str(), list[0].scala.as_deref()),
        ("Via Luigi Pirandello", "6/H", Some("A"))
    );
    f.store.write(&actor, |w| desk::complete_follow_up(w, open, date("2026-03-10"))).unwrap();
    assert_eq!(registry::list_households(f.store.conn(), &f.actor).unwrap()[0].open_follow_ups, 0);
}

/// One draft read as the window sends it and as the command line types it gives one contact;
/// every wrong field is named at once.
#[test]
fn a_contact_draft_reads_every_spelling_the_window_and_the_cli_use() {
    let mut f = fixture();
    let actor = f.actor;
    let (person, afol) = f
        .store
        .write(&actor, |w| {
            let p = registry::create_person(
                w,
                &PersonInput { surname: "Esposito".into(), name: "Rosa".into(), ..Default::default() },
            )?;
            let partner = PartnerInput {
                name: "AFOL Metropolitana".into(),
                kind: PartnerKind::Lavoro,
                address: None,
                phone: None,
                email: None,
            };
            Ok((p, registry::create_partner(w, &partner)?))
        })
        .unwrap();
    let now = at("2026-12-03 12:00");
    let read = |store: &Store, draft: ContactDraft| draft.parse(store.conn(), &actor, now);
    let window = ContactDraft {
        occurred_at: "2026-12-03T09:30".into(),
        person: person.to_string(),
        channel: "telefono".into(),
        topics: vec!["lavoro".into(), "casa".into()],
        follow_up_on: "2026-12-10".into(),
        refer_to: "servizio_sociale".into(),
        referral_reason: "valutazione".into(),
        ..Default::default()
    };
    let cli = ContactDraft {
        occurred_at: "03/12/2026 09:30".into(),
        person: person.to_string()[..8].into(),
        topics: vec!["Lavoro".into(), "casa".into()],
        follow_up_on: "10/12/2026".into(),
        refer_to: "Servizio-Sociale".into(),
        ..window.clone()
    };
    let expected = DeskContactInput {
        occurred_at: at("2026-12-03 09:30"),
        operator: actor.operator,
        person: Some(person),
        household: None,
        channel: Channel::Telefono,
        topics: vec![Topic::Lavoro, Topic::Casa],
        note: None,
        follow_up_on: Some(date("2026-12-10")),
        referrals: vec![ReferralInput { target: ReferralTarget::ServizioSociale, reason: "valutazione".into() }],
    };
    assert_eq!(read(&f.store, window.clone()).unwrap(), expected);
    assert_eq!(read(&f.store, cli).unwrap(), expected);

    // A partner by part of its name or by its id; no time given is now.
    for refer_to in ["afol", &afol.to_string()] {
        let draft = ContactDraft { occurred_at: String::new(), refer_to: refer_to.into(), ..window.clone() };
        let input = read(&f.store, draft).unwrap();
        assert_eq!((input.occurred_at, &input.referrals[0].target), (now, &ReferralTarget::Partner(afol)));
    }

    // A follow-up said from today, as at the desk: «+7» is a week from today, not from the contact.
    for (typed, expected) in [
        ("+7", Ok("2026-12-10")),
        (" +1 ", Ok("2026-12-04")),
        ("oggi", Ok("2026-12-03")),
        ("Domani", Ok("2026-12-04")),
        ("+366", Ok("2027-12-04")),
        ("+367", Err("«+367» è troppo lontano: al massimo +366 giorni, oppure scrivi la data")),
        ("+", Err("«+» non è una data: usa gg/mm/aaaa, oppure +7 per fra sette giorni")),
        ("+sette", Err("«+sette» non è una data: usa gg/mm/aaaa, oppure +7 per fra sette giorni")),
        ("-3", Err("«-3» non è una data: usa gg/mm/aaaa")),
    ] {
        let draft =
            ContactDraft { occurred_at: "01/12/2026 10:00".into(), follow_up_on: typed.into(), ..window.clone() };
        let got = match read(&f.store, draft) {
            Ok(input) => Ok(input.follow_up_on.unwrap()),
            Err(Error::Invalid(fields)) => Err(fields[0].message.clone()),
            Err(other) => panic!("{typed}: {other}"),
        };
        assert_eq!(got, expected.map(date).map_err(String::from), "follow-up typed «{typed}»");
    }

    let wrong = ContactDraft {
        occurred_at: "ieri".into(),
        person: "zzzzzzzz".into(),
        channel: "piccione".into(),
        topics: vec!["astrologia".into()],
        follow_up_on: "presto".into(),
        refer_to: "nessuno".into(),
        ..Default::default()
    };
    let Err(Error::Invalid(fields)) = read(&f.store, wrong) else { panic!("a wrong draft must be refused") };
    let named: Vec<&str> = fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(named, ["quando", "canale", "temi", "richiamo", "persona", "invio"]);
}

/// Follow-ups as a list to work through: due today first, then overdue ones (the oldest first);
/// closing one records who closed it; one without a follow-up, or already done, is refused.
#[test]
fn follow_ups_due_today_come_first_and_closing_one_says_who() {
    let mut f = fixture();
    let actor = f.actor;
    let person = f
        .store
        .write(&actor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Colombo".into(), name: "Ada".into(), ..Default::default() },
            )
        })
        .unwrap();
    let contact = |w: &mut quartiere_core::store::Writer<'_>, due: &str| {
        desk::add_contact(
            w,
            &DeskContactInput {
                occurred_at: at("2026-02-20 10:00"),
                operator: w.actor().operator,
                person: Some(person),
                household: None,
                channel: Channel::Telefono,
                topics: vec![Topic::Casa],
                note: None,
                follow_up_on: (!due.is_empty()).then(|| date(due)),
                referrals: vec![],
            },
        )
    };
    let (week_ago, today_one, month_ago, none) = f
        .store
        .write(&actor, |w| {
            Ok((contact(w, "2026-02-23")?, contact(w, "2026-03-02")?, contact(w, "2026-02-21")?, contact(w, "")?))
        })
        .unwrap();
    let due = |f: &mut Fixture| -> Vec<_> {
        desk::list_contacts(
            &mut f.store,
            &actor,
            &ContactFilter { follow_up_due_by: Some(today()), ..Default::default() },
        )
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
    };
    assert_eq!(due(&mut f), vec![today_one, month_ago, week_ago]);

    f.store.write(&actor, |w| desk::complete_follow_up(w, today_one, today())).unwrap();
    assert_eq!(due(&mut f), vec![month_ago, week_ago], "a closed follow-up leaves the list");
    let closed = desk::get_contact(&mut f.store, &actor, today_one).unwrap();
    assert_eq!(
        (closed.follow_up_done_on, closed.follow_up_done_by.as_deref()),
        (Some(today()), Some("Giulia Operatrice"))
    );

    let twice = f.store.write(&actor, |w| desk::complete_follow_up(w, today_one, today())).unwrap_err();
    assert_eq!(twice.to_string(), "dati non validi: richiamo: il richiamo è già stato fatto il 02/03/2026");
    let without = f.store.write(&actor, |w| desk::complete_follow_up(w, none, today())).unwrap_err();
    assert_eq!(without.to_string(), "dati non validi: richiamo: questo contatto non ha un richiamo da fare");
}

/// A half-typed form is kept per operator in the desk's own table, survives closing the
/// database (a lock), and is given back once.
#[test]
fn an_unsaved_form_survives_a_lock_and_is_given_back_once() {
    use quartiere_core::desk::unsaved;
    let mut f = fixture();
    let actor = f.actor;
    let other = operator_with_role(&mut f, "Marco Operatore", quartiere_core::access::Role::DeskOperator);
    let changes = change_count(&f.store);
    unsaved::keep(&mut f.store, &actor, "desk_contact", r#"{"note":"a metà"}"#).unwrap();
    assert_eq!(change_count(&f.store), changes, "not in the change record: nothing to sync");
    assert_eq!(unsaved::take(&mut f.store, &other, "desk_contact").unwrap(), None, "each operator has their own");
    let dir = f.dir.path().to_path_buf();
    drop(f.store);
    let mut store = reopen(&dir, 9);
    assert_eq!(unsaved::take(&mut store, &actor, "desk_contact").unwrap().as_deref(), Some(r#"{"note":"a metà"}"#));
    assert_eq!(unsaved::take(&mut store, &actor, "desk_contact").unwrap(), None, "taken once");
    let unknown = unsaved::keep(&mut store, &actor, "altro", "x").unwrap_err();
    assert!(unknown.to_string().contains("non è un modulo"), "{unknown}");
}
