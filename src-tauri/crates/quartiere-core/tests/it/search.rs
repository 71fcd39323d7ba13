use quartiere_core::registry::{self, PersonInput};
use quartiere_core::search::{search, HitKind, Scope};

use crate::*;

fn people(names: &[(&str, &str)]) -> Fixture {
    let mut f = fixture();
    let actor = f.actor;
    crate::registry::exercise_household_history(&mut f.store, &actor);
    f.store
        .write(&actor, |w| {
            for (surname, name) in names {
                registry::create_person(
                    w,
                    &PersonInput { surname: (*surname).into(), name: (*name).into(), ..Default::default() },
                )?;
            }
            Ok(())
        })
        .unwrap();
    f
}

fn check(f: &Fixture, query: &str, scope: Scope, expected: &[&str]) {
    let labels: Vec<String> =
        search(f.store.conn(), &f.actor, query, scope, 10).unwrap().into_iter().map(|h| h.label).collect();
    assert_eq!(labels, expected, "query {query:?}");
}

#[test]
fn search_ignores_case_accents_and_apostrophes() {
    let f = people(&[
        ("D'Amico", "Niccolò"),
        ("Damiani", "Niccolo'"),
        ("Amico", "Carla"),
        ("De Luca", "Zoe"),
        ("Lucà", "Noè"),
        ("Rossetti", "Anna"),
    ]);
    check(&f, "damico", Scope::PEOPLE, &["D'Amico Niccolò"]);
    check(&f, "d'amico", Scope::PEOPLE, &["D'Amico Niccolò"]);
    check(&f, "Niccolo", Scope::PEOPLE, &["Damiani Niccolo'", "D'Amico Niccolò"]);
    check(&f, "amico carla", Scope::PEOPLE, &["Amico Carla"]);
    check(&f, "NICCOLÒ", Scope::PEOPLE, &["Damiani Niccolo'", "D'Amico Niccolò"]);
    // Surname matches rank before other words; alphabetical within a tier.
    check(&f, "amico", Scope::PEOPLE, &["Amico Carla", "D'Amico Niccolò"]);
    // "De Luca" does not start with "luca": it ranks with the other word matches.
    check(&f, "luca", Scope::PEOPLE, &["Lucà Noè", "De Luca Zoe", "Rossi Luca"]);
    check(&f, "de l", Scope::PEOPLE, &["De Luca Zoe"]);
    check(&f, "ross", Scope::PEOPLE, &["Rossetti Anna", "Rossi Luca", "Rossi Mario"]);
    check(&f, "rossi mario", Scope::PEOPLE, &["Rossi Mario"]);
    check(&f, "mario rossi", Scope::PEOPLE, &["Rossi Mario"]);
    check(&f, "nessuno", Scope::ALL, &[]);
    check(&f, "   ", Scope::ALL, &[]);
    check(&f, "\"*(", Scope::ALL, &[]);
}

#[test]
fn search_finds_by_codice_fiscale_and_address() {
    let f = people(&[]);
    check(&f, "RSSMRA45", Scope::PEOPLE, &["Rossi Mario"]);
    // Only current members live at the address: Luca left the household.
    check(&f, "pirandello", Scope::PEOPLE, &["Bianchi Sara", "Rossi Mario"]);
    let hits = search(f.store.conn(), &f.actor, "pirandello 6", Scope::HOUSEHOLDS, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, HitKind::Household);
    assert_eq!(hits[0].label, "Nucleo Via Luigi Pirandello 6/H, scala A, piano 2, int. 5");
    assert!(hits[0].detail.contains("intestatario Rossi Mario"), "{}", hits[0].detail);
    // A household is found by its members' surnames too.
    let hits = search(f.store.conn(), &f.actor, "bianchi", Scope::HOUSEHOLDS, 10).unwrap();
    assert_eq!(hits.len(), 1);
    let person = search(f.store.conn(), &f.actor, "rossi mario", Scope::PEOPLE, 1).unwrap();
    assert!(person[0].detail.contains("nato il 25/04/1945"), "{}", person[0].detail);
}

#[test]
fn edits_and_deletions_update_the_index() {
    let mut f = people(&[("Verdi", "Giuseppe")]);
    let id = search(f.store.conn(), &f.actor, "verdi", Scope::PEOPLE, 1).unwrap()[0].id;
    let id = quartiere_core::ids::PersonId(id);
    f.store
        .write(&f.actor, |w| {
            let mut p = PersonInput { surname: "Verdini".into(), name: "Giuseppe".into(), ..Default::default() };
            p.phone = None;
            registry::update_person(w, id, &p)
        })
        .unwrap();
    check(&f, "verdini", Scope::PEOPLE, &["Verdini Giuseppe"]);
    f.store.write(&f.actor, |w| w.tombstone(quartiere_core::schema::Table::Person, id.0)).unwrap();
    check(&f, "verdini", Scope::PEOPLE, &[]);
}
