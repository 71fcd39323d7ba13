//! Activities: what a form may say, inviting people by household and staircase, the printed
//! attendance sheet read back with `pdftotext`, recording who came from the sheet's code, and
//! what is refused without writing anything.

use std::process::Command;

use quartiere_core::activities::{self, ActivityDraft, AttendanceInput, Invitee};
use quartiere_core::codes::{ActivityKind, Relationship};
use quartiere_core::ids::{ActivityId, HouseholdId, PersonId};
use quartiere_core::registry::{self, DwellingInput, MemberInput, PersonInput};
use quartiere_core::{Actor, Error, Store};

use crate::*;

fn draft() -> ActivityDraft {
    ActivityDraft {
        kind: "assemblea".into(),
        axis: "convivenza".into(),
        title: "Assemblea sui cortili".into(),
        date: "10/12/2026".into(),
        start: "17:30".into(),
        end: "19:00".into(),
        venue: "Sala comune".into(),
        topic: "Pulizia degli spazi comuni".into(),
        weeks: String::new(),
    }
}

/// A household at `civic`, scala `scala`, with the given people.
fn household(
    store: &mut Store,
    actor: &Actor,
    civic: &str,
    scala: &str,
    people: &[(&str, &str)],
) -> (HouseholdId, Vec<PersonId>) {
    store
        .write(actor, |w| {
            let dwelling = DwellingInput {
                street: "Via Luigi Pirandello".into(),
                civic: civic.into(),
                scala: Some(scala.into()),
                ..Default::default()
            };
            let household = registry::create_dwelling_and_household(w, &dwelling, None)?;
            let mut ids = Vec::new();
            for (i, (surname, name)) in people.iter().enumerate() {
                let person = registry::create_person(
                    w,
                    &PersonInput { surname: (*surname).into(), name: (*name).into(), ..Default::default() },
                )?;
                let relationship = if i == 0 { Relationship::Intestatario } else { Relationship::Figlio };
                let member = MemberInput {
                    relationship,
                    relationship_text: None,
                    resident_since: None,
                    tenant_of_record: i == 0,
                };
                registry::add_member(w, household, person, &member)?;
                ids.push(person);
            }
            Ok((household, ids))
        })
        .unwrap()
}

fn create(f: &mut Fixture, draft: &ActivityDraft) -> Vec<ActivityId> {
    let (input, weeks) = draft.parse().unwrap();
    let actor = f.actor;
    f.store.write(&actor, |w| activities::create(w, &input, weeks)).unwrap()
}

#[test]
fn a_form_is_read_whole_and_every_wrong_field_is_named() {
    let (input, weeks) = draft().parse().unwrap();
    assert_eq!((input.kind, input.title.as_str(), weeks), (ActivityKind::Assemblea, "Assemblea sui cortili", 1));
    for (change, field, message) in [
        (
            ActivityDraft { end: "17:00".into(), ..draft() },
            "fine",
            "l'attività finisce (17:00) prima di cominciare (17:30): controlla gli orari",
        ),
        (
            ActivityDraft { start: "25:00".into(), ..draft() },
            "inizio",
            "«25:00» non è un'ora: usa hh:mm, per esempio 17:30",
        ),
        (ActivityDraft { kind: "festa".into(), ..draft() }, "tipo", "«festa» non è un tipo di attività"),
        (
            ActivityDraft { kind: String::new(), ..draft() },
            "tipo",
            "scegli il tipo di attività (assemblea, evento, formazione, incontro)",
        ),
        (ActivityDraft { title: "  ".into(), ..draft() }, "titolo", "scrivi il titolo dell'attività"),
        (ActivityDraft { date: "31/02/2026".into(), ..draft() }, "data", "«31/02/2026» non è una data: usa gg/mm/aaaa"),
        (ActivityDraft { venue: String::new(), ..draft() }, "luogo", "scrivi dove si tiene l'attività"),
        (ActivityDraft { weeks: "100".into(), ..draft() }, "settimane", "«100» non è un numero di settimane da 1 a 52"),
    ] {
        let Err(Error::Invalid(fields)) = change.parse() else { panic!("{field} must be refused") };
        let found = fields.iter().find(|e| e.field == field).unwrap_or_else(|| panic!("{field}: {fields:?}"));
        assert!(found.message.starts_with(message), "{field}: {}", found.message);
    }
    // Times as people write them.
    let (input, _) = ActivityDraft { start: "17.30".into(), end: "19".into(), ..draft() }.parse().unwrap();
    assert_eq!((input.starts_at.to_string(), input.ends_at.to_string()), ("17:30:00".into(), "19:00:00".into()));
}

#[test]
fn a_weekly_series_is_one_activity_a_week() {
    let mut f = fixture();
    let ids = create(&mut f, &ActivityDraft { kind: "formazione".into(), weeks: "4".into(), ..draft() });
    assert_eq!(ids.len(), 4);
    let listed = activities::list(&f.store, &f.actor, None, None).unwrap();
    let days: Vec<String> = listed.iter().map(|a| a.held_on.to_string()).collect();
    assert_eq!(days, ["2026-12-10", "2026-12-17", "2026-12-24", "2026-12-31"]);
    assert!(listed.iter().all(|a| a.series.is_some() && a.series == listed[0].series));
}

#[test]
fn invite_a_staircase_print_the_sheet_and_record_who_came() {
    let mut f = fixture();
    let actor = f.actor;
    let (_, scala_a) = household(&mut f.store, &actor, "6/H", "A", &[("Nguyễn", "Thị Lan"), ("D'Angelo", "Niccolò")]);
    let (_, scala_a2) = household(&mut f.store, &actor, "6/H", "A", &[("Ștefănescu", "Ioana")]);
    let (other, other_people) = household(&mut f.store, &actor, "8", "B", &[("Diop", "Awa"), ("Diop", "Moussa")]);
    let (_, walk_in) = household(&mut f.store, &actor, "10", "C", &[("Łukasz", "Kowalczyk")]);
    let activity = create(&mut f, &draft())[0];

    // The staircase: the three people who live there; then a household, then one of them again.
    let staircase =
        Invitee::Address { street: "via luigi pirandello".into(), civic: Some("6/H".into()), scala: Some("a".into()) };
    assert_eq!(f.store.write(&actor, |w| activities::invite(w, activity, &staircase)).unwrap(), 3);
    assert_eq!(f.store.write(&actor, |w| activities::invite(w, activity, &Invitee::Household(other))).unwrap(), 2);
    assert_eq!(f.store.write(&actor, |w| activities::invite(w, activity, &Invitee::Person(scala_a[0]))).unwrap(), 0);
    let nobody = Invitee::Address { street: "Via Pirandelo".into(), civic: None, scala: None };
    let err = f.store.write(&actor, |w| activities::invite(w, activity, &nobody)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dati non validi: invito: in Via Pirandelo non abita nessuno nell'anagrafica: controlla l'indirizzo"
    );

    // The sheet: every invited name exactly as recorded, the code on it.
    let sheet = activities::print_sheet(&mut f.store, &actor, activity, today(), None).unwrap();
    assert!(sheet.code.starts_with("FP-") && sheet.code.len() == 11, "{}", sheet.code);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foglio.pdf");
    std::fs::write(&file, &sheet.pdf).unwrap();
    let out = Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["Nguyễn Thị Lan", "D'Angelo Niccolò", "Ștefănescu Ioana", "Diop Awa", "Diop Moussa", &sheet.code]
    {
        assert!(text.contains(name), "«{name}» not on the sheet:\n{text}");
    }
    assert!(!text.contains("Kowalczyk"), "not invited, not printed");
    assert!(text.contains("Assemblea sui cortili") && text.contains("Assemblea tematica"), "{text}");

    // The code typed in any way opens the sheet; a wrong one is named.
    let lower = sheet.code.to_lowercase().replace('-', " ");
    for typed in [sheet.code.clone(), lower, sheet.code[3..].to_string(), sheet.id.to_string()] {
        assert_eq!(activities::resolve_sheet(&f.store, &typed).unwrap(), sheet.id, "{typed}");
    }
    let wrong = activities::resolve_sheet(&f.store, "FP-00000000").unwrap_err();
    assert_eq!(wrong.to_string(), "foglio presenze «FP-00000000»: non c'è nell'archivio (controlla il codice)");

    // Who came: two of the invited, and one walk-in.
    let changes = change_count(&f.store);
    let not_invited = AttendanceInput { present: vec![walk_in[0]], ..Default::default() };
    let err = f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &not_invited)).unwrap_err();
    assert!(err.to_string().contains("Łukasz Kowalczyk non era tra gli invitati"), "{err}");
    let too_long = AttendanceInput { present: vec![scala_a[0]], minutes: Some(120), ..Default::default() };
    let err = f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &too_long)).unwrap_err();
    assert!(
        err.to_string().contains("2 ore è più della durata dell'attività (17:30-19:00, 1 ora e 30 minuti)"),
        "{err}"
    );
    assert_eq!(change_count(&f.store), changes, "a refused recording writes nothing");

    let input =
        // Named twice (a scanner read a line twice): counted once.
        AttendanceInput { present: vec![scala_a[1], other_people[0], scala_a[1]], walk_ins: vec![walk_in[0], walk_in[0]], minutes: None };
    let count = f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &input)).unwrap();
    assert_eq!((count.invited, count.present, count.absent, count.walk_ins), (5, 2, 3, 1));
    let shown = activities::show(&f.store, &actor, activity).unwrap();
    assert_eq!(shown.activity.present, Some(3));
    assert_eq!(shown.sheets, std::slice::from_ref(&sheet.code));
    let who = |id: PersonId| shown.people.iter().find(|p| p.person == id).unwrap();
    assert_eq!((who(scala_a[1]).present, who(scala_a2[0]).present), (Some(true), Some(false)));
    assert!(who(walk_in[0]).walk_in && !who(walk_in[0]).invited);

    // Recording the sheet again replaces what it said: the walk-in is taken out.
    let again = AttendanceInput { present: vec![scala_a[1]], ..Default::default() };
    f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &again)).unwrap();
    let shown = activities::show(&f.store, &actor, activity).unwrap();
    assert_eq!(shown.activity.present, Some(1));
    assert!(!shown.people.iter().any(|p| p.person == walk_in[0]));

    let counts = activities::counts(&f.store, &actor, date("2026-12-01"), date("2026-12-31")).unwrap();
    assert_eq!((counts.events, counts.assemblies, counts.attendances, counts.people), (0, 1, 1, 1));
}

#[test]
fn an_assembly_keeps_minutes_and_its_open_follow_ups_come_due() {
    let mut f = fixture();
    let actor = f.actor;
    let activity = create(&mut f, &draft())[0];
    let day = date("2026-12-10");
    let line = |kind: &str, text: &str, owner: &str, due: &str| activities::MinuteDraft {
        kind: kind.into(),
        text: text.into(),
        owner: owner.into(),
        due: due.into(),
    };

    // A follow-up needs who and by when; a wrong day is named; nothing is written.
    let changes = change_count(&f.store);
    for (draft, field, message) in [
        (line("impegno", "Chiedere all'ente gestore le chiavi", "", "+7"), "responsabile", "scrivi chi se ne occupa"),
        (line("impegno", "Chiedere all'ente gestore le chiavi", "Giulia", ""), "entro", "scrivi entro quando"),
        (line("impegno", "Chiedere le chiavi", "Giulia", "31/02/2027"), "entro", "«31/02/2027» non è una data"),
        (line("decisione", "  ", "", ""), "testo", "scrivi che cosa è stato discusso"),
        (line("verbale", "Testo", "", ""), "tipo", "scegli se è un tema, una decisione o un impegno"),
    ] {
        let Err(Error::Invalid(fields)) = draft.parse(day) else { panic!("{field} must be refused") };
        let found = fields.iter().find(|e| e.field == field).unwrap_or_else(|| panic!("{field}: {fields:?}"));
        assert!(found.message.starts_with(message), "{field}: {}", found.message);
    }
    assert_eq!(change_count(&f.store), changes);

    let mut ids = Vec::new();
    for draft in [
        line("tema", "Pulizia del cortile a turni", "", ""),
        // A topic's owner and day are not kept: they mean nothing there.
        line("decisione", "Turni settimanali per scala, a partire da gennaio", "ignorato", "+3"),
        line("impegno", "Chiedere all'ente gestore le chiavi del locale rifiuti", "Giulia", "+7"),
        line("impegno", "Preparare il calendario dei turni", "Comitato inquilini scala A", "20/01/2027"),
    ] {
        let input = draft.parse(day).unwrap();
        ids.push(f.store.write(&actor, |w| activities::add_minute(w, activity, &input)).unwrap());
    }
    let shown = activities::show(&f.store, &actor, activity).unwrap();
    let kinds: Vec<&str> = shown.minutes.iter().map(|m| m.kind.code()).collect();
    assert_eq!(kinds, ["tema", "decisione", "impegno", "impegno"], "in the order written");
    assert_eq!((shown.minutes[1].owner.as_deref(), shown.minutes[1].due_on), (None, None));
    assert_eq!(shown.minutes[2].due_on, Some(date("2026-12-17")));

    // On 18/12 the first follow-up is overdue, the second not yet due; done, it leaves the list.
    let due = activities::follow_ups_due(&f.store, &actor, date("2026-12-18")).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].activity, due[0].activity_title.as_str()), (activity, "Assemblea sui cortili"));
    assert_eq!(due[0].item.owner.as_deref(), Some("Giulia"));
    let err = f.store.write(&actor, |w| activities::complete_follow_up(w, ids[0], date("2026-12-18"))).unwrap_err();
    assert!(err.to_string().contains("solo un impegno si segna come fatto"), "{err}");
    f.store.write(&actor, |w| activities::complete_follow_up(w, ids[2], date("2026-12-18"))).unwrap();
    assert!(activities::follow_ups_due(&f.store, &actor, date("2026-12-18")).unwrap().is_empty());
    assert_eq!(activities::follow_ups_due(&f.store, &actor, date("2027-01-20")).unwrap().len(), 1);
    let shown = activities::show(&f.store, &actor, activity).unwrap();
    assert_eq!(shown.minutes[2].done_on, Some(date("2026-12-18")));

    // Roles that do not read activities (the Comune's aggregate role) do not see them.
    let comune = operator_with_role(&mut f, "Ufficio Comune", quartiere_core::access::Role::ComuneViewer);
    assert!(activities::follow_ups_due(&f.store, &comune, date("2027-01-20")).is_err());
}

#[test]
fn a_scan_of_the_signed_sheet_must_be_a_pdf_or_an_image() {
    let mut f = fixture();
    let actor = f.actor;
    let activity = create(&mut f, &draft())[0];
    let sheet = activities::print_sheet(&mut f.store, &actor, activity, date("2026-12-10"), None).unwrap();
    let changes = change_count(&f.store);
    for (name, bytes, message) in [
        (
            "presenze.docx",
            &b"PK\x03\x04 a Word file"[..],
            "«presenze.docx» non è un PDF né un'immagine (JPEG, PNG, TIFF)",
        ),
        ("vuoto.pdf", &b""[..], "«vuoto.pdf» è vuoto"),
        ("finto.pdf", &b"Nome;Firma\nRossi;"[..], "«finto.pdf» non è un PDF né un'immagine"),
    ] {
        let err = activities::attach_scan(&mut f.store, &actor, sheet.id, name, bytes).unwrap_err();
        assert!(err.to_string().contains(message), "{name}: {err}");
    }
    assert_eq!(change_count(&f.store), changes, "a refused scan writes nothing");
    assert_eq!(count(&f.store, "SELECT count(*) FROM scan_blob"), 0);

    // A photographed sheet (JPEG) and the PDF the scanner wrote.
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"JFIF and the picture"].concat();
    activities::attach_scan(&mut f.store, &actor, sheet.id, "foto.jpg", &jpeg).unwrap();
    let info = activities::attach_scan(&mut f.store, &actor, sheet.id, "scansione.pdf", &sheet.pdf).unwrap();
    assert_eq!((info.mime.as_str(), info.sheet.as_str(), info.here), ("application/pdf", sheet.code.as_str(), true));
    let shown = activities::show(&f.store, &actor, activity).unwrap();
    let names: Vec<&str> = shown.scans.iter().map(|s| s.file_name.as_str()).collect();
    assert_eq!(names, ["foto.jpg", "scansione.pdf"]);
    let (_, mime, bytes) = activities::scan_file(&mut f.store, &actor, info.id).unwrap();
    assert_eq!((mime.as_str(), bytes == sheet.pdf), ("application/pdf", true));
    // Looking at it is in the audit log: a signed sheet names people.
    assert_eq!(count(&f.store, "SELECT count(*) FROM audit_event WHERE detail LIKE 'scansione «scansione.pdf»%'"), 1);
    // The bytes stay inside the encrypted database: no file beside it.
    let loose: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf") || n.ends_with(".jpg"))
        .collect();
    assert!(loose.is_empty(), "{loose:?}");
}

#[test]
fn a_partner_organising_an_event_is_on_it_and_on_its_sheet() {
    let mut f = fixture();
    let actor = f.actor;
    let committee = f
        .store
        .write(&actor, |w| {
            registry::create_partner(
                w,
                &registry::PartnerInput {
                    name: "Comitato Mezzetta".into(),
                    kind: quartiere_core::codes::PartnerKind::Associazione,
                    address: None,
                    phone: None,
                    email: None,
                },
            )
        })
        .unwrap();
    let (mut input, weeks) =
        ActivityDraft { kind: "evento".into(), title: "Festa in cortile".into(), ..draft() }.parse().unwrap();
    input.partners = vec![committee];
    let activity = f.store.write(&actor, |w| activities::create(w, &input, weeks)).unwrap()[0];
    assert_eq!(activities::show(&f.store, &actor, activity).unwrap().partners, ["Comitato Mezzetta"]);
    let sheet = activities::print_sheet(&mut f.store, &actor, activity, date("2026-12-10"), None).unwrap();
    let file = f.dir.path().join("festa.pdf");
    std::fs::write(&file, &sheet.pdf).unwrap();
    let out = Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.trim_start().starts_with("Insieme a") && l.contains("Comitato Mezzetta")), "{text}");
}

#[test]
fn a_persons_activities_say_where_they_were_invited_and_where_they_came() {
    let mut f = fixture();
    let actor = f.actor;
    let (household, people) = household(&mut f.store, &actor, "6/H", "A", &[("Nguyễn", "Thị Lan"), ("Nguyễn", "Minh")]);
    let first = create(&mut f, &draft())[0];
    let second =
        create(&mut f, &ActivityDraft { date: "17/12/2026".into(), title: "Assemblea di fine anno".into(), ..draft() })
            [0];
    f.store.write(&actor, |w| activities::invite(w, first, &Invitee::Household(household))).unwrap();
    let sheet = activities::print_sheet(&mut f.store, &actor, first, date("2026-12-10"), None).unwrap();
    let came = AttendanceInput { present: vec![people[0]], ..Default::default() };
    f.store.write(&actor, |w| activities::record_attendance(w, sheet.id, &came)).unwrap();
    // She also came to the second without an invitation.
    let second_sheet = activities::print_sheet(&mut f.store, &actor, second, date("2026-12-17"), None).unwrap();
    let walk_in = AttendanceInput { walk_ins: vec![people[0]], ..Default::default() };
    f.store.write(&actor, |w| activities::record_attendance(w, second_sheet.id, &walk_in)).unwrap();

    let (hers, came) = activities::of_person(&f.store, &actor, people[0]).unwrap();
    assert_eq!(came, 2);
    let seen: Vec<(&str, bool, Option<bool>, bool)> =
        hers.iter().map(|a| (a.activity.title.as_str(), a.invited, a.present, a.walk_in)).collect();
    assert_eq!(
        seen,
        [("Assemblea di fine anno", false, Some(true), true), ("Assemblea sui cortili", true, Some(true), false)],
        "the latest first"
    );
    let (his, came) = activities::of_person(&f.store, &actor, people[1]).unwrap();
    assert_eq!((his.len(), his[0].present, came), (1, Some(false), 0));
}
