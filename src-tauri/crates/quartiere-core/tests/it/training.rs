//! Formazione e lavoro: courses with places and a waiting list, and the ESF participant record
//! fixed at entry, its derived age band and labour status, exit and six-month check.

use chrono::{NaiveDate, TimeZone, Utc};
use quartiere_core::access::Role;
use quartiere_core::codes::{AgeBand, CourseKind, EsfAnswer, ExitReason, LabourStatus, ResultAt6m, ResultAtExit};
use quartiere_core::ids::{CourseId, PersonId};
use quartiere_core::privacy::{self, ConsentKind};
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::schema::Table;
use quartiere_core::training::esf::{self, EsfEntry, Labour};
use quartiere_core::training::{self, CourseDraft, CourseInput, Enrolled, EsfDraft};
use quartiere_core::{Error, ErrorKind};

use crate::*;

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%d/%m/%Y").unwrap()
}

fn person(f: &mut Fixture, surname: &str, birth: Option<&str>, sex: Option<char>) -> PersonId {
    let actor = f.actor;
    f.store
        .write(&actor, |w| {
            registry::create_person(
                w,
                &PersonInput {
                    surname: surname.into(),
                    name: "Prova".into(),
                    sex,
                    birth_date: birth.map(day),
                    ..Default::default()
                },
            )
        })
        .unwrap()
}

fn course(f: &mut Fixture, places: u32) -> CourseId {
    let actor = f.actor;
    let input = CourseInput {
        kind: CourseKind::Corso,
        title: "Italiano per il lavoro".into(),
        provider: None,
        starts_on: day("09/03/2026"),
        ends_on: Some(day("29/05/2026")),
        hours: Some(40),
        places,
        venue: Some("Sala civica".into()),
    };
    f.store.write(&actor, |w| training::create_course(w, &input)).unwrap()
}

fn enrol(f: &mut Fixture, course: CourseId, person: PersonId, minute: u32) -> quartiere_core::Result<Enrolled> {
    let actor = f.actor;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 10, minute, 0).unwrap();
    f.store.write(&actor, |w| training::enrol(w, course, person, at, today()))
}

#[test]
fn a_full_course_puts_the_next_person_on_the_waiting_list_and_a_freed_place_is_offered_in_order() {
    let mut f = fixture();
    let actor = f.actor;
    let course = course(&mut f, 2);
    let people: Vec<PersonId> =
        ["Amato", "Bruni", "Conti", "Donati"].iter().map(|s| person(&mut f, s, None, None)).collect();
    let mut enrolled = Vec::new();
    for (i, p) in people.iter().enumerate() {
        enrolled.push(enrol(&mut f, course, *p, i as u32).unwrap());
    }
    assert!(matches!(enrolled[0], Enrolled::Admitted { .. }));
    assert!(matches!(enrolled[1], Enrolled::Admitted { .. }));
    let (Enrolled::Waiting { id: conti, position: 1 }, Enrolled::Waiting { id: donati, position: 2 }) =
        (enrolled[2], enrolled[3])
    else {
        panic!("{enrolled:?}")
    };

    // Enrolling twice is refused, naming where the person already is; nothing is written.
    let changes = change_count(&f.store);
    let err = enrol(&mut f, course, people[0], 9).unwrap_err();
    assert!(
        err.to_string().contains("Amato Prova è già iscritto/a") || err.to_string().contains("già iscritt"),
        "{err}"
    );
    let err = enrol(&mut f, course, people[3], 9).unwrap_err();
    assert!(err.to_string().contains("lista d'attesa") && err.to_string().contains("posizione 2"), "{err}");
    assert_eq!(change_count(&f.store), changes);

    // No admission into a full course.
    let err = f.store.write(&actor, |w| training::admit(w, conti, None, today())).unwrap_err();
    assert!(err.to_string().contains("al completo"), "{err}");

    // A place frees: the first waiting is offered, not admitted by the app.
    let Enrolled::Admitted { id: amato } = enrolled[0] else { unreachable!() };
    let offered = f.store.write(&actor, |w| training::withdraw(w, amato, day("16/03/2026"), "trasferita")).unwrap();
    assert_eq!(offered, Some((conti, "Conti Prova".to_string())));
    let detail = training::course(&f.store, &actor, course).unwrap();
    assert_eq!((detail.course.admitted, detail.course.waiting), (1, 2));

    // Admitting the second in line needs a reason, which is kept.
    let err = f.store.write(&actor, |w| training::admit(w, donati, None, today())).unwrap_err();
    assert!(err.to_string().contains("prima di Donati Prova") && err.to_string().contains("Conti Prova"), "{err}");
    f.store
        .write(&actor, |w| training::admit(w, donati, Some("urgenza segnalata dal Servizio Sociale"), today()))
        .unwrap();
    let detail = training::course(&f.store, &actor, course).unwrap();
    let line = detail.admitted.iter().find(|l| l.id == donati).unwrap();
    assert_eq!(line.moved_reason.as_deref(), Some("urgenza segnalata dal Servizio Sociale"));
    assert_eq!(detail.waiting.iter().map(|l| l.id).collect::<Vec<_>>(), vec![conti]);
    assert_eq!(detail.left.len(), 1);
}

#[test]
fn the_waiting_list_order_changes_only_with_a_reason() {
    let mut f = fixture();
    let actor = f.actor;
    let course = course(&mut f, 1);
    let people: Vec<PersonId> =
        ["Amato", "Bruni", "Conti", "Donati"].iter().map(|s| person(&mut f, s, None, None)).collect();
    let mut ids = Vec::new();
    for (i, p) in people.iter().enumerate() {
        ids.push(enrol(&mut f, course, *p, i as u32).unwrap());
    }
    let Enrolled::Waiting { id: donati, position: 3 } = ids[3] else { panic!("{ids:?}") };
    let err = f.store.write(&actor, |w| training::move_in_queue(w, donati, 1, "  ")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    f.store.write(&actor, |w| training::move_in_queue(w, donati, 1, "madre sola, priorità del bando")).unwrap();
    let order: Vec<String> =
        training::course(&f.store, &actor, course).unwrap().waiting.into_iter().map(|l| l.name).collect();
    assert_eq!(order, ["Donati Prova", "Bruni Prova", "Conti Prova"]);
    // And to the end, between nobody and the last.
    f.store.write(&actor, |w| training::move_in_queue(w, donati, 9, "ci ha ripensato")).unwrap();
    let order: Vec<String> =
        training::course(&f.store, &actor, course).unwrap().waiting.into_iter().map(|l| l.name).collect();
    assert_eq!(order, ["Bruni Prova", "Conti Prova", "Donati Prova"]);
}

#[test]
fn a_course_draft_names_every_wrong_field_and_a_course_cannot_end_before_it_starts() {
    let err =
        CourseDraft { title: " ".into(), starts_on: "31/02/2026".into(), places: "dieci".into(), ..Default::default() }
            .parse()
            .unwrap_err();
    let Error::Invalid(fields) = err else { panic!() };
    let names: Vec<&str> = fields.iter().map(|e| e.field.as_str()).collect();
    for field in ["titolo", "inizio", "posti"] {
        assert!(names.contains(&field), "{names:?}");
    }
    let mut f = fixture();
    let actor = f.actor;
    let input = CourseDraft {
        title: "Patente europea".into(),
        starts_on: "01/06/2026".into(),
        ends_on: "01/05/2026".into(),
        places: "10".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let changes = change_count(&f.store);
    let err = f.store.write(&actor, |w| training::create_course(w, &input)).unwrap_err();
    assert!(err.to_string().contains("finisce (01/05/2026) prima di cominciare (01/06/2026)"), "{err}");
    assert_eq!(change_count(&f.store), changes);
}

#[test]
fn age_bands_and_labour_status_are_derived_as_the_regulation_says() {
    let entry = day("15/03/2026");
    // (birth date, age band at entry): the band turns on the birthday, not the year.
    let bands = [
        ("16/03/2001", AgeBand::Under25),    // 24, birthday tomorrow
        ("15/03/2001", AgeBand::From25To54), // 25 today
        ("29/02/2000", AgeBand::From25To54), // leap-day birth
        ("16/03/1971", AgeBand::From25To54), // 54
        ("15/03/1971", AgeBand::Over54),     // 55 today
    ];
    for (birth, band) in bands {
        assert_eq!(esf::age_band(day(birth), entry), band, "{birth}");
    }
    assert_eq!(esf::age_on(day("29/02/2000"), day("28/02/2026")), 25);
    assert_eq!(esf::age_on(day("29/02/2000"), day("27/02/2026")), 25);
    assert_eq!(esf::age_on(day("01/03/2000"), day("28/02/2026")), 25);

    // (status, band, reported): long-term is 6 months or more under 25, 12 or more from 25.
    let cases = [
        (Labour::Employed, AgeBand::Under25, LabourStatus::Occupato),
        (Labour::Unemployed { months: 5 }, AgeBand::Under25, LabourStatus::Disoccupato),
        (Labour::Unemployed { months: 6 }, AgeBand::Under25, LabourStatus::DisoccupatoLungaDurata),
        (Labour::Unemployed { months: 6 }, AgeBand::From25To54, LabourStatus::Disoccupato),
        (Labour::Unemployed { months: 11 }, AgeBand::Over54, LabourStatus::Disoccupato),
        (Labour::Unemployed { months: 12 }, AgeBand::From25To54, LabourStatus::DisoccupatoLungaDurata),
        (Labour::Unemployed { months: 12 }, AgeBand::Over54, LabourStatus::DisoccupatoLungaDurata),
        (Labour::Inactive { in_education: true }, AgeBand::Under25, LabourStatus::Inattivo),
        (Labour::Inactive { in_education: false }, AgeBand::Under25, LabourStatus::InattivoNonInFormazione),
    ];
    for (labour, band, status) in cases {
        assert_eq!(esf::labour_status(labour, band), status, "{labour:?} {band:?}");
    }
}

fn entry(on: &str) -> EsfEntry {
    EsfDraft {
        entry_on: on.into(),
        labour: "disoccupata".into(),
        unemployed_months: "8".into(),
        isced: "isced_3_4".into(),
        migrant: "si".into(),
        ..Default::default()
    }
    .parse()
    .unwrap()
}

#[test]
fn the_esf_entry_needs_the_registry_data_and_the_notice_and_is_then_fixed() {
    let mut f = fixture();
    let actor = f.actor;
    let bare = person(&mut f, "Senzadati", None, None);
    // No birth date, no sex, no notice: every reason at once, nothing written.
    let changes = change_count(&f.store);
    let err = f.store.write(&actor, |w| esf::enter(w, bare, &entry("16/03/2026"))).unwrap_err();
    let Error::Invalid(fields) = &err else { panic!("{err}") };
    let names: Vec<&str> = fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(names, ["data_di_nascita", "sesso", "informativa"]);
    assert_eq!(change_count(&f.store), changes);

    // 23 at entry, unemployed for 8 months: long-term, as she is under 25.
    let lan = person(&mut f, "Nguyễn", Some("20/05/2002"), Some('F'));
    f.store
        .write(&actor, |w| privacy::record_consent(w, lan, ConsentKind::Notice, "2026-01", day("17/03/2026")))
        .unwrap();
    // The notice signed the day after entry does not count for it.
    let err = f.store.write(&actor, |w| esf::enter(w, lan, &entry("16/03/2026"))).unwrap_err();
    assert!(err.to_string().contains("informativa"), "{err}");
    let id = f.store.write(&actor, |w| esf::enter(w, lan, &entry("17/03/2026"))).unwrap();
    let record = esf::record(&mut f.store, &actor, lan).unwrap().unwrap();
    assert_eq!(record.age_band, AgeBand::Under25);
    assert_eq!(record.labour_status, LabourStatus::DisoccupatoLungaDurata);
    assert_eq!((record.notice_version.as_str(), record.notice_on), ("2026-01", day("17/03/2026")));
    assert_eq!(record.sensitive.as_ref().unwrap().len(), 1);

    // A second entry is refused; so is any change of an entry column, even through the write path.
    let err = f.store.write(&actor, |w| esf::enter(w, lan, &entry("01/04/2026"))).unwrap_err();
    assert!(err.to_string().contains("ha già la scheda FSE, con ingresso il 17/03/2026"), "{err}");
    for (column, value) in [("age_band", "25_54"), ("labour_status", "occupato"), ("entry_on", "2026-04-01")] {
        let err = f
            .store
            .write(&actor, |w| w.update(Table::EsfParticipant, id.0, &[(column, value.to_string().into())]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{column}");
        assert!(err.to_string().contains(column), "{err}");
    }
    // A birthday or a corrected registry does not move the reported band.
    f.store
        .write(&actor, |w| {
            registry::update_person(
                w,
                lan,
                &PersonInput {
                    surname: "Nguyễn".into(),
                    name: "Prova".into(),
                    sex: Some('F'),
                    birth_date: Some(day("20/05/1990")),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(esf::record(&mut f.store, &actor, lan).unwrap().unwrap().age_band, AgeBand::Under25);

    // Exit: never before entry; the six-month check falls due six months later and is then done.
    let err =
        f.store.write(&actor, |w| esf::exit(w, lan, day("16/03/2026"), ExitReason::Completato, None)).unwrap_err();
    assert!(err.to_string().contains("l'uscita (16/03/2026) non può precedere l'ingresso (17/03/2026)"), "{err}");
    f.store
        .write(&actor, |w| {
            esf::exit(w, lan, day("29/05/2026"), ExitReason::Completato, Some(ResultAtExit::InCercaDiLavoro))
        })
        .unwrap();
    assert!(esf::checks_due(&f.store, &actor, day("28/11/2026"), 0).unwrap().is_empty());
    let due = esf::checks_due(&f.store, &actor, day("29/11/2026"), 0).unwrap();
    assert_eq!(due.iter().map(|d| (d.person, d.due_on)).collect::<Vec<_>>(), vec![(lan, day("29/11/2026"))]);
    let err =
        f.store.write(&actor, |w| esf::six_month_result(w, lan, ResultAt6m::Occupato, day("01/11/2026"))).unwrap_err();
    assert!(err.to_string().contains("dal 29/11/2026"), "{err}");
    f.store.write(&actor, |w| esf::six_month_result(w, lan, ResultAt6m::Occupato, day("30/11/2026"))).unwrap();
    assert!(esf::checks_due(&f.store, &actor, day("30/11/2026"), 30).unwrap().is_empty());
}

#[test]
fn the_desk_operator_sees_the_esf_record_without_the_special_categories_and_cannot_write_it() {
    let mut f = fixture();
    let coordinator = f.actor;
    let lan = person(&mut f, "Nguyễn", Some("20/05/2002"), Some('F'));
    f.store
        .write(&coordinator, |w| privacy::record_consent(w, lan, ConsentKind::Notice, "2026-01", day("01/03/2026")))
        .unwrap();
    f.store.write(&coordinator, |w| esf::enter(w, lan, &entry("17/03/2026"))).unwrap();
    let desk = operator_with_role(&mut f, "Sara Sportello", Role::DeskOperator);
    let seen = esf::record(&mut f.store, &desk, lan).unwrap().unwrap();
    assert_eq!(seen.sensitive, None);
    assert_eq!(seen.age_band, AgeBand::Under25);
    let err = f.store.write(&desk, |w| esf::exit(w, lan, day("29/05/2026"), ExitReason::Lavoro, None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    // The tutor sees the answers, and the reading is in the audit log.
    let tutor = operator_with_role(&mut f, "Tina Tutor", Role::Tutor);
    let seen = esf::record(&mut f.store, &tutor, lan).unwrap().unwrap();
    assert_eq!(seen.sensitive.unwrap()[0].1, EsfAnswer::Si);
    let reads = format!(
        "SELECT count(*) FROM audit_event WHERE kind = 'read' AND subject_table = 'esf_participant' AND operator_id = '{}'",
        tutor.operator
    );
    assert_eq!(count(&f.store, &reads), 1);
}

#[test]
fn home_counts_people_not_enrolments() {
    let mut f = fixture();
    let first = course(&mut f, 2);
    let second = course(&mut f, 1);
    let a = person(&mut f, "Amato", None, None);
    let b = person(&mut f, "Bruni", None, None);
    let c = person(&mut f, "Conti", None, None);
    enrol(&mut f, first, a, 0).unwrap();
    enrol(&mut f, second, a, 1).unwrap();
    enrol(&mut f, first, b, 2).unwrap();
    enrol(&mut f, first, c, 3).unwrap();
    enrol(&mut f, second, c, 4).unwrap();
    let actor = f.actor;
    let counts = training::counts(&f.store, &actor, today()).unwrap();
    // Amato is in two courses and counts once; Conti waits for both and counts once.
    assert_eq!((counts.participants, counts.in_paths, counts.waiting), (2, 2, 1));
    // After the courses end, they are no longer in a path but still participants.
    let later = training::counts(&f.store, &actor, day("01/07/2026")).unwrap();
    assert_eq!((later.participants, later.in_paths), (2, 0));
}

#[test]
fn a_courses_sessions_invite_its_participants_and_count_their_hours_never_over_a_session() {
    use quartiere_core::activities::{self, ActivityDraft, AttendanceInput};
    let mut f = fixture();
    let actor = f.actor;
    let course = course(&mut f, 1);
    let (amato, bruni) = (person(&mut f, "Amato", None, None), person(&mut f, "Bruni", None, None));
    enrol(&mut f, course, amato, 0).unwrap();
    assert!(matches!(enrol(&mut f, course, bruni, 1).unwrap(), Enrolled::Waiting { .. }));
    let session = |date: &str, weeks: &str| ActivityDraft {
        kind: "formazione".into(),
        title: "".into(),
        date: date.into(),
        start: "09:00".into(),
        end: "11:00".into(),
        venue: "Sala civica".into(),
        weeks: weeks.into(),
        ..Default::default()
    };
    let draft =
        |date: &str, weeks: &str| ActivityDraft { title: "Italiano per il lavoro".into(), ..session(date, weeks) };

    // Outside the course's dates: refused, naming the day; nothing written.
    let before = change_count(&f.store);
    let (input, weeks) = draft("02/03/2026", "1").parse().unwrap();
    let err = f.store.write(&actor, |w| training::add_sessions(w, course, &input, weeks)).unwrap_err();
    assert!(err.to_string().contains("la lezione del 02/03/2026 è prima dell'inizio del corso (09/03/2026)"), "{err}");
    let (input, weeks) = draft("18/05/2026", "3").parse().unwrap();
    let err = f.store.write(&actor, |w| training::add_sessions(w, course, &input, weeks)).unwrap_err();
    assert!(err.to_string().contains("la lezione del 01/06/2026 è dopo la fine del corso (29/05/2026)"), "{err}");
    assert_eq!(change_count(&f.store), before);

    // Two weekly sessions: the person in the course is invited, the one waiting is not.
    let (input, weeks) = draft("10/03/2026", "2").parse().unwrap();
    let ids = f.store.write(&actor, |w| training::add_sessions(w, course, &input, weeks)).unwrap();
    assert_eq!(ids.len(), 2);
    let detail = activities::show(&f.store, &actor, ids[0]).unwrap();
    let invited: Vec<PersonId> = detail.people.iter().filter(|p| p.invited).map(|p| p.person).collect();
    assert_eq!(invited, vec![amato]);

    // Hours: over the session's two hours refused; two hours recorded, and the course counts them.
    let sheet = activities::print_sheet(&mut f.store, &actor, ids[0], today(), None).unwrap();
    let too_long = AttendanceInput { present: vec![amato], walk_ins: vec![], minutes: Some(150) };
    assert!(f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &too_long)).is_err());
    let right = AttendanceInput { present: vec![amato], walk_ins: vec![], minutes: Some(120) };
    f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &right)).unwrap();
    let shown = training::course(&f.store, &actor, course).unwrap();
    assert_eq!(shown.admitted[0].minutes, 120);
    let sessions: Vec<(Option<u32>, u32)> = shown.sessions.iter().map(|s| (s.present, s.minutes)).collect();
    assert_eq!(sessions, [(Some(1), 120), (None, 0)]);
}

#[test]
fn the_esf_entry_form_is_filled_from_the_persons_record_and_says_which_fields() {
    use quartiere_core::registry::EsfFields;
    let esf = EsfFields {
        labour_status: Some(LabourStatus::DisoccupatoLungaDurata),
        isced: Some(quartiere_core::codes::Isced::Livello3_4),
        disability: Some(EsfAnswer::NonRisponde),
        ..Default::default()
    };
    let (draft, filled) = EsfDraft::from_person(&esf);
    assert_eq!(filled, ["condizione", "isced", "disabilita"]);
    assert_eq!(
        (draft.labour.as_str(), draft.isced.as_str(), draft.disability.as_str()),
        ("disoccupato", "isced_3_4", "non_risponde")
    );
    // What the record cannot say (the entry day, the months without work) is left to the operator,
    // and the form is not valid until they give it.
    let err = draft.parse().unwrap_err();
    let fields: Vec<String> = match err {
        Error::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(fields, ["ingresso", "mesi_disoccupazione"]);
    let (nothing, none) = EsfDraft::from_person(&EsfFields::default());
    assert!(none.is_empty() && nothing == EsfDraft::default());
}

#[test]
fn placements_and_community_hours_are_checked_and_counted() {
    use quartiere_core::training::placements::{self, PlacementDraft};
    let mut f = fixture();
    let actor = f.actor;
    let lan = person(&mut f, "Nguyễn", None, None);
    let draft = |host_name: &str, start: &str, end: &str, hours: &str| PlacementDraft {
        host_name: host_name.into(),
        role: "magazziniera".into(),
        starts_on: start.into(),
        ends_on: end.into(),
        weekly_hours: hours.into(),
        ..Default::default()
    };
    let fields = |e: Error| match e {
        Error::Invalid(f) => f.into_iter().map(|f| (f.field, f.message)).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    // Every wrong field at once: no host, an end before the start, 60 hours a week.
    let wrong = fields(draft("", "01/04/2026", "01/03/2026", "60").parse().unwrap_err());
    let named: Vec<&str> = wrong.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(named, ["ente", "fine", "ore_settimanali"], "{wrong:?}");
    assert!(wrong[1].1.contains("finisce (01/03/2026) prima di cominciare (01/04/2026)"));
    let input = draft("Logistica Naviglio srl", "01/04/2026", "", "20").parse().unwrap();
    let placement = f.store.write(&actor, |w| placements::add_placement(w, lan, &input)).unwrap();
    let err = f.store.write(&actor, |w| placements::end_placement(w, placement, day("31/03/2026"), "")).unwrap_err();
    assert!(err.to_string().contains("prima di cominciare (01/04/2026)"), "{err}");
    f.store
        .write(&actor, |w| placements::end_placement(w, placement, day("30/06/2026"), "assunta a tempo determinato"))
        .unwrap();

    // Community hours: not in advance, not over twelve hours a day, saying what was done.
    let today = day("10/04/2026");
    let add = |f: &mut Fixture, on: &str, minutes: u32, what: &str| {
        f.store.write(&actor, |w| placements::add_community_hours(w, lan, day(on), minutes, what, None, today))
    };
    let early = fields(add(&mut f, "11/04/2026", 120, "").unwrap_err());
    assert_eq!(early.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["giorno", "attivita"]);
    add(&mut f, "04/04/2026", 600, "Pulizia del cortile").unwrap();
    let over = fields(add(&mut f, "04/04/2026", 180, "Merenda").unwrap_err());
    assert!(
        over[0].1.contains("13 ore in un giorno sono troppe") && over[0].1.contains("già registrate: 10 ore"),
        "{over:?}"
    );
    add(&mut f, "08/04/2026", 90, "Aiuto alla festa di via Fermi").unwrap();

    let path = placements::work_path(&f.store, &actor, lan).unwrap();
    assert_eq!(path.community_minutes, 690);
    assert_eq!(path.placements[0].host, "Logistica Naviglio srl");
    assert_eq!(path.placements[0].outcome.as_deref(), Some("assunta a tempo determinato"));
}

#[test]
fn the_enrolment_form_and_a_long_courses_register_read_back_with_pdftotext() {
    use quartiere_core::activities::{self, ActivityDraft, AttendanceInput};
    use quartiere_core::training::documents;
    let mut f = fixture();
    let actor = f.actor;
    let course = course(&mut f, 2);
    let lan = f
        .store
        .write(&actor, |w| {
            registry::create_person(
                w,
                &PersonInput {
                    surname: "Nguyễn".into(),
                    name: "Thị Lan".into(),
                    sex: Some('F'),
                    birth_date: Some(day("01/08/1985")),
                    birth_place: Some("Vietnam".into()),
                    phone: Some("333 1234567".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let lukasz = person(&mut f, "Kowalczyk", None, Some('M'));
    let Enrolled::Admitted { id: hers } = enrol(&mut f, course, lan, 0).unwrap() else { panic!() };
    enrol(&mut f, course, lukasz, 1).unwrap();

    let form = documents::enrolment_form(&mut f.store, &actor, hers, today()).unwrap();
    let text = pdf_text(&form.pdf);
    for needle in [
        "Scheda di adesione",
        "Nguyễn Thị Lan",
        "01/08/1985, Vietnam",
        "333 1234567",
        "Italiano per il lavoro",
        "dal 09/03/2026 al 29/05/2026",
        "iscritta dal 02/03/2026",
        "Informativa sul trattamento dei dati personali",
        "Informativa versione 2026-01",
        "Acconsento alla comunicazione dei miei dati ad altri enti",
        "Firma della persona",
        &form.id,
    ] {
        assert!(text.contains(needle), "«{needle}» not in the enrolment form:\n{text}");
    }

    // Fourteen weekly sessions: the register splits them in two tables (twelve, then two with the
    // totals); the hours each attended add up.
    let (input, weeks) = ActivityDraft {
        kind: "formazione".into(),
        title: "Italiano per il lavoro".into(),
        date: "10/03/2026".into(),
        start: "09:00".into(),
        end: "11:00".into(),
        venue: "Sala civica".into(),
        weeks: "11".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let ids = f.store.write(&actor, |w| training::add_sessions(w, course, &input, weeks)).unwrap();
    let (more, weeks) = ActivityDraft {
        date: "12/03/2026".into(),
        weeks: "3".into(),
        ..ActivityDraft {
            kind: "formazione".into(),
            title: "Italiano per il lavoro".into(),
            start: "14:00".into(),
            end: "16:00".into(),
            venue: "Sala civica".into(),
            ..Default::default()
        }
    }
    .parse()
    .unwrap();
    let ids: Vec<_> = ids
        .into_iter()
        .chain(f.store.write(&actor, |w| training::add_sessions(w, course, &more, weeks)).unwrap())
        .collect();
    assert_eq!(ids.len(), 14);
    for (i, id) in ids.iter().enumerate().take(3) {
        let sheet = activities::print_sheet(&mut f.store, &actor, *id, today(), None).unwrap();
        let input = AttendanceInput { present: vec![lan], walk_ins: vec![], minutes: Some(90 + 15 * i as u32) };
        f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &input)).unwrap();
    }
    let register = documents::course_register(&mut f.store, &actor, course, today()).unwrap();
    let text = pdf_text(&register.pdf);
    assert!(text.contains("Registro presenze: Italiano per il lavoro"), "{text}");
    assert_eq!(text.matches("Kowalczyk Prova").count(), 2, "each table lists everyone:\n{text}");
    assert!(text.contains("10/03") && text.contains("26/03") && text.contains("19/05"), "{text}");
    // Lan: 1:30 + 1:45 + 2:00 = 5:15; Łukasz was absent (recorded) at the three sessions.
    let lan_row = text.lines().rfind(|l| l.contains("Nguyễn Thị Lan")).unwrap();
    assert!(lan_row.trim_end().ends_with("5:15"), "{lan_row}");
    assert!(text.contains("assente"), "{text}");
}
