//! The identity rules on import (`registry::identity`), as a table of cases: each case imports
//! one list after another and ends with a number of people and the questions the operator must
//! answer. Then the answers, the property over Windows-1252 spellings, and the audit record.

use quartiere_core::cf;
use quartiere_core::ids::PersonId;
use quartiere_core::import::{import_sheet, Decision, ImportOptions, ImportReport, Sheet};
use quartiere_core::registry::identity::Doubt;
use quartiere_core::{Actor, Store};

use crate::*;

/// One row: dwelling code, surname, name, birth date (dd/mm/yyyy or ""), codice fiscale or "".
type R = (&'static str, &'static str, &'static str, &'static str, &'static str);

const HEADERS: [&str; 8] =
    ["codice_alloggio", "indirizzo", "civico", "cognome", "nome", "data_nascita", "codice_fiscale", "relazione"];

/// The first row of each dwelling is its tenant of record, the others its children.
fn sheet(rows: &[(String, String, String, String, String)]) -> Sheet {
    let mut tenants = std::collections::HashSet::new();
    Sheet {
        header_row: 1,
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (code, surname, name, born, cf))| {
                let civic = code.trim_start_matches(|c: char| !c.is_ascii_digit()).to_string();
                let relationship = if tenants.insert(code.clone()) { "intestatario" } else { "figlio" };
                let cells = [code.as_str(), "Via Pirandello", &civic, surname, name, born, cf, relationship];
                (i + 2, cells.iter().map(|c| c.to_string()).collect())
            })
            .collect(),
    }
}

fn owned(rows: &[R]) -> Vec<(String, String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), d.to_string(), e.to_string()))
        .collect()
}

fn import(store: &mut Store, actor: &Actor, rows: &[R], decisions: Vec<Decision>) -> ImportReport {
    let options = ImportOptions { decisions, ..ImportOptions::new(today()) };
    let report = import_sheet(store, actor, sheet(&owned(rows)), options).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

fn people(store: &Store) -> i64 {
    count(store, "SELECT count(*) FROM person WHERE deleted = 0")
}

/// Two valid codici fiscali of namesakes born the same day in two different places.
fn namesake_codes() -> (&'static str, &'static str) {
    let a = cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "F205");
    let b = cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "L219");
    (Box::leak(a.into_boxed_str()), Box::leak(b.into_boxed_str()))
}

struct Case {
    name: &'static str,
    lists: Vec<Vec<R>>,
    people: i64,
    /// The doubts of the last list, in row order.
    doubts: Vec<Doubt>,
}

fn cases() -> Vec<Case> {
    let (code_a, code_b) = namesake_codes();
    let omocode_a: &'static str = Box::leak(cf::omocode(code_a, 1).into_boxed_str());
    vec![
        Case {
            name: "namesakes born the same day with two codes, in one file",
            lists: vec![vec![
                ("A1", "ROSSI", "MARIO", "25/04/1945", code_a),
                ("A2", "ROSSI", "MARIO", "25/04/1945", code_b),
            ]],
            people: 2,
            doubts: vec![],
        },
        Case {
            name: "namesakes born the same day with two codes, across files",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", code_a)],
                vec![("A2", "ROSSI", "MARIO", "25/04/1945", code_b)],
            ],
            people: 2,
            doubts: vec![],
        },
        Case {
            name: "no code and no birth date, two dwellings, two lists",
            lists: vec![vec![("A1", "Verdi", "Luca", "", "")], vec![("A2", "Verdi", "Luca", "", "")]],
            people: 1,
            doubts: vec![Doubt::NoBirthDate],
        },
        Case {
            name: "DE  LUCA then DE LUCA",
            lists: vec![
                vec![("A1", "DE  LUCA", "ANNA", "01/02/1960", "")],
                vec![("A1", "DE LUCA", "ANNA", "01/02/1960", "")],
            ],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "NICCOLÒ then NICCOLO'",
            lists: vec![
                vec![("A1", "BIANCHI", "NICCOLÒ", "03/03/1990", "")],
                vec![("A1", "BIANCHI", "NICCOLO'", "03/03/1990", "")],
            ],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "Nguyễn then Nguyen",
            lists: vec![vec![("A1", "Nguyễn", "Thị Lan", "", "")], vec![("A1", "Nguyen", "Thi Lan", "", "")]],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "no code on the row, a namesake born the same day with a code lives elsewhere",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", code_a)],
                vec![("A2", "ROSSI", "MARIO", "25/04/1945", "")],
            ],
            people: 1,
            doubts: vec![Doubt::NamesakeWithCode],
        },
        Case {
            name: "a code that differs only by omocodia",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", code_a)],
                vec![("A2", "ROSSI", "MARIO", "", omocode_a)],
            ],
            people: 1,
            doubts: vec![Doubt::Omocodia],
        },
        Case {
            name: "a code for a namesake recorded without one at the same dwelling fills it",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", "")],
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", code_a)],
            ],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "a code for a namesake recorded without a birth date at the same dwelling fills it",
            lists: vec![vec![("A1", "ROSSI", "MARIO", "", "")], vec![("A1", "ROSSI", "MARIO", "", code_a)]],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "a code for a namesake recorded without one elsewhere",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", "")],
                vec![("A2", "ROSSI", "MARIO", "25/04/1945", code_a)],
            ],
            people: 1,
            doubts: vec![Doubt::NamesakeWithoutCode],
        },
        Case {
            name: "one namesake born the same day, recorded without a code, moves",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", "")],
                vec![("A2", "ROSSI", "MARIO", "25/04/1945", "")],
            ],
            people: 1,
            doubts: vec![],
        },
        Case {
            name: "namesakes born on other days are other people",
            lists: vec![
                vec![("A1", "ROSSI", "MARIO", "25/04/1945", "")],
                vec![("A2", "ROSSI", "MARIO", "26/04/1945", "")],
            ],
            people: 2,
            doubts: vec![],
        },
    ]
}

#[test]
fn every_identity_case_ends_with_the_right_people_and_questions() {
    for case in cases() {
        let mut f = fixture();
        let actor = f.actor;
        let mut last = ImportReport::default();
        for list in &case.lists {
            last = import(&mut f.store, &actor, list, Vec::new());
        }
        let doubts: Vec<Doubt> = last.questions.iter().map(|q| q.doubt).collect();
        assert_eq!(doubts, case.doubts, "{}: {:?}", case.name, last.questions);
        assert_eq!(people(&f.store), case.people, "{}", case.name);
        assert_eq!(last.people_to_decide, case.doubts.len(), "{}", case.name);
        assert_eq!(last.applied, case.doubts.is_empty(), "{}: a list with questions is not written", case.name);
    }
}

#[test]
fn two_candidates_are_both_shown() {
    let mut f = fixture();
    let actor = f.actor;
    import(&mut f.store, &actor, &[("A1", "Bianchi", "Anna", "", "")], Vec::new());
    let second = import(&mut f.store, &actor, &[("A2", "Bianchi", "Anna", "", "")], Vec::new());
    let row = second.questions[0].row;
    import(&mut f.store, &actor, &[("A2", "Bianchi", "Anna", "", "")], vec![Decision { row, person: None }]);
    assert_eq!(people(&f.store), 2);
    let third = import(&mut f.store, &actor, &[("A3", "BIANCHI", "ANNA", "", "")], Vec::new());
    assert_eq!(third.questions.len(), 1);
    assert_eq!(third.questions[0].doubt, Doubt::SeveralCandidates);
    assert_eq!(third.questions[0].candidates.len(), 2);
    assert_eq!(people(&f.store), 2);
}

#[test]
fn the_dry_run_shows_the_question_and_the_answer_is_applied_and_recorded() {
    let mut f = fixture();
    let actor = f.actor;
    import(&mut f.store, &actor, &[("A1", "Verdi", "Luca", "", "")], Vec::new());
    let list = [("A2", "Verdi", "Luca", "", "")];
    let options = ImportOptions { dry_run: true, ..ImportOptions::new(today()) };
    let dry = import_sheet(&mut f.store, &actor, sheet(&owned(&list)), options).unwrap();
    assert_eq!(dry.questions.len(), 1, "a dry run shows the question");
    let question = &dry.questions[0];
    assert_eq!((question.row, question.surname.as_str(), question.doubt), (2, "Verdi", Doubt::NoBirthDate));
    let candidate: PersonId = question.candidates[0].person;
    assert_eq!(question.candidates[0].dwelling_code.as_deref(), Some("A1"));

    // A choice outside the candidates is refused, naming the row; nothing is written.
    let changes = change_count(&f.store);
    let wrong = ImportOptions {
        decisions: vec![Decision { row: 2, person: Some(PersonId(uuid::Uuid::nil())) }],
        ..ImportOptions::new(today())
    };
    let refused = import_sheet(&mut f.store, &actor, sheet(&owned(&list)), wrong).unwrap();
    assert_eq!(refused.errors.len(), 1);
    assert_eq!(refused.errors[0].row, 2);
    assert_eq!(change_count(&f.store), changes);

    // "Same person": the person moves to the new dwelling, with history; the decision is logged.
    let done = import(&mut f.store, &actor, &list, vec![Decision { row: 2, person: Some(candidate) }]);
    assert!(done.applied, "{done:?}");
    assert_eq!((done.people_new, done.members_moved), (0, 1));
    assert_eq!(people(&f.store), 1);
    let decisions = count(&f.store, "SELECT count(*) FROM audit_event WHERE kind = 'decision'");
    assert_eq!(decisions, 1);
    let detail: String =
        f.store.conn().query_row("SELECT detail FROM audit_event WHERE kind = 'decision'", [], |r| r.get(0)).unwrap();
    assert!(detail.contains("riga 2") && detail.contains("già registrata"), "{detail}");
    assert!(!detail.contains("Verdi"), "no name in the log: {detail}");
}

#[test]
fn a_name_spelled_with_fewer_letters_keeps_the_spelling_on_record() {
    let mut f = fixture();
    let actor = f.actor;
    import(&mut f.store, &actor, &[("A1", "Nguyễn", "Thị Lan", "", "")], Vec::new());
    let again = import(&mut f.store, &actor, &[("A1", "NGUYEN", "THI LAN", "", "")], Vec::new());
    assert_eq!(again.changes(), 0, "{again:?}");
    let name: String = f.store.conn().query_row("SELECT surname || ' ' || name FROM person", [], |r| r.get(0)).unwrap();
    assert_eq!(name, "Nguyễn Thị Lan");
}

/// How a list looks after an office exported it as Windows-1252 "CSV": capitals, accented
/// capitals written as the letter and an apostrophe, letters the code page lacks without their
/// marks, and a space doubled here and there.
fn windows_1252_spelling(text: &str, seed: u64) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&c.to_string());
        let encodable = !unmappable;
        let upper: String = c.to_uppercase().collect();
        let plain: String = upper.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect();
        if "ÀÈÉÌÒÙ".contains(upper.as_str()) && seed.is_multiple_of(2) {
            out.push_str(&plain);
            out.push('\'');
        } else if encodable && !seed.is_multiple_of(3) {
            out.push_str(&upper);
        } else {
            out.push_str(&plain);
        }
        if c == ' ' && (seed + i as u64).is_multiple_of(4) {
            out.push(' ');
        }
    }
    out
}

#[test]
fn importing_a_list_again_in_any_windows_1252_spelling_never_changes_the_number_of_people() {
    const SURNAMES: [&str; 10] =
        ["Nguyễn", "De Luca", "Đorđević", "Łukasz", "Ștefănescu", "Yıldız", "D'Amico", "Çelik", "Rossi", "Nowak"];
    const NAMES: [&str; 8] = ["Niccolò", "Thị Lan", "Zoë", "Ægir", "José", "Ana María", "Gül", "Mario"];
    for seed in 0..24u64 {
        let mut f = fixture_seeded(seed + 100);
        let actor = f.actor;
        let mut ids = quartiere_core::ids::IdGen::seeded(seed);
        let mut rows = Vec::new();
        for i in 0..12 {
            let surname = SURNAMES[ids.below(SURNAMES.len() as u64) as usize];
            let name = NAMES[ids.below(NAMES.len() as u64) as usize];
            let born =
                if ids.below(3) == 0 { String::new() } else { format!("{:02}/0{}/19{}", 1 + i, 1 + i % 9, 50 + i) };
            rows.push((format!("D{}", ids.below(5)), surname.to_string(), name.to_string(), born, String::new()));
        }
        // A list never holds the same person twice (the import refuses it): drop repeats.
        let mut seen = std::collections::HashSet::new();
        rows.retain(|(_, s, n, _, _)| seen.insert(quartiere_core::registry::identity::name_key(s, n)));
        let first = import_sheet(&mut f.store, &actor, sheet(&rows), ImportOptions::new(today())).unwrap();
        assert!(first.applied, "seed {seed}: {first:?}");
        let before = people(&f.store);
        let respelled: Vec<_> = rows
            .iter()
            .map(|(c, s, n, b, cf)| {
                (c.clone(), windows_1252_spelling(s, seed), windows_1252_spelling(n, seed + 1), b.clone(), cf.clone())
            })
            .collect();
        assert_ne!(respelled, rows, "seed {seed}: the spelling changed");
        let second = import_sheet(&mut f.store, &actor, sheet(&respelled), ImportOptions::new(today())).unwrap();
        assert!(second.errors.is_empty(), "seed {seed}: {:?}", second.errors);
        assert!(second.questions.is_empty(), "seed {seed}: {:?}", second.questions);
        assert_eq!(people(&f.store), before, "seed {seed}: {respelled:?}");
        assert_eq!(second.people_new, 0, "seed {seed}");
    }
}
