//! Likely duplicates in the registry (`registry::duplicates`): which pairs are proposed, a merge
//! that keeps both histories and its undo, refusals, "different people", and a merge and its undo
//! reaching a second desk through sync.

use quartiere_core::cf;
use quartiere_core::codes::{Channel, Relationship, Topic};
use quartiere_core::desk::{self, DeskContactInput};
use quartiere_core::ids::{HouseholdId, PersonId};
use quartiere_core::registry::duplicates::{self, Sign};
use quartiere_core::registry::{self, DwellingInput, MemberInput, PersonInput};
use quartiere_core::store::canonical_dump;
use quartiere_core::{Actor, Store};

use crate::*;

fn add(store: &mut Store, actor: &Actor, surname: &str, name: &str, birth: &str, code: &str, phone: &str) -> PersonId {
    store
        .write(actor, |w| {
            let input = PersonInput {
                surname: surname.into(),
                name: name.into(),
                birth_date: Some(birth).filter(|b| !b.is_empty()).map(date),
                codice_fiscale: Some(code.to_string()).filter(|c| !c.is_empty()),
                phone: Some(phone.to_string()).filter(|p| !p.is_empty()),
                ..Default::default()
            };
            registry::create_person(w, &input)
        })
        .unwrap()
}

fn household(store: &mut Store, actor: &Actor, code: &str) -> HouseholdId {
    store
        .write(actor, |w| {
            let dwelling = DwellingInput {
                code: Some(code.into()),
                street: "Via Pirandello".into(),
                civic: code.into(),
                ..Default::default()
            };
            registry::create_dwelling_and_household(w, &dwelling, None)
        })
        .unwrap()
}

fn join(store: &mut Store, actor: &Actor, household: HouseholdId, person: PersonId, relationship: Relationship) {
    store
        .write(actor, |w| {
            let member = MemberInput {
                relationship,
                relationship_text: None,
                resident_since: None,
                tenant_of_record: relationship == Relationship::Intestatario,
            };
            registry::add_member(w, household, person, &member)
        })
        .unwrap();
}

fn contact(store: &mut Store, actor: &Actor, person: PersonId, note: &str) {
    store
        .write(actor, |w| {
            let input = DeskContactInput {
                occurred_at: date("2026-03-01").and_hms_opt(10, 0, 0).unwrap(),
                operator: actor.operator,
                person: Some(person),
                household: None,
                channel: Channel::DiPersona,
                topics: vec![Topic::Altro],
                note: Some(note.into()),
                follow_up_on: None,
                referrals: Vec::new(),
            };
            desk::add_contact(w, &input)
        })
        .unwrap();
}

fn live(store: &Store) -> i64 {
    count(store, "SELECT count(*) FROM person WHERE deleted = 0")
}

#[test]
fn the_pairs_proposed_are_the_likely_ones() {
    let mut f = fixture();
    let actor = f.actor;
    let code = cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "F205");
    let other_place = cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "L219");
    let a = add(&mut f.store, &actor, "Rossi", "Mario", "1945-04-25", &code, "");
    let b = add(&mut f.store, &actor, "ROSSI", "MARIO", "1945-04-25", "", "");
    // A namesake born the same day with another valid code is another person: never proposed
    // with `a`; `b`, who has no code, may be either of them.
    let third = add(&mut f.store, &actor, "Rossi", "Mario", "1945-04-25", &other_place, "");
    let c = add(
        &mut f.store,
        &actor,
        "Bianchi",
        "Anna",
        "",
        &cf::omocode(&cf::compute("Bianchi", "Anna", 'F', date("1950-03-12"), "F205"), 1),
        "",
    );
    let d = add(
        &mut f.store,
        &actor,
        "Bianchi",
        "Anna",
        "",
        &cf::compute("Bianchi", "Anna", 'F', date("1950-03-12"), "F205"),
        "",
    );
    let h = household(&mut f.store, &actor, "A1");
    let e = add(&mut f.store, &actor, "Verdi", "Luca", "", "", "02 1234567");
    let g = add(&mut f.store, &actor, "Verdi", "Luca", "", "", "02-1234567");
    join(&mut f.store, &actor, h, e, Relationship::Intestatario);
    join(&mut f.store, &actor, h, g, Relationship::Figlio);

    let pairs = duplicates::likely_duplicates(&mut f.store, &actor).unwrap();
    let found: Vec<((PersonId, PersonId), Vec<Sign>)> =
        pairs.iter().map(|p| ((p.a.person.id, p.b.person.id), p.signs.clone())).collect();
    let pair = |x: PersonId, y: PersonId| if x < y { (x, y) } else { (y, x) };
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.contains(&(pair(a, b), vec![Sign::SameNameAndBirth])));
    assert!(found.contains(&(pair(b, third), vec![Sign::SameNameAndBirth])));
    assert!(!found.iter().any(|(p, _)| *p == pair(a, third)), "two valid codes are two people");
    assert!(found.contains(&(pair(c, d), vec![Sign::Omocodia])));
    assert!(found.contains(&(pair(e, g), vec![Sign::SameNameInHousehold, Sign::SameNameAndPhone])));

    // "Different people" is recorded, and the pair is no longer proposed.
    f.store.write(&actor, |w| duplicates::mark_distinct(w, e, g)).unwrap();
    assert_eq!(duplicates::likely_duplicates(&mut f.store, &actor).unwrap().len(), 3);
}

#[test]
fn a_merge_keeps_both_histories_and_its_undo_puts_everything_back() {
    let mut f = fixture();
    let actor = f.actor;
    let h = household(&mut f.store, &actor, "A1");
    let kept = add(&mut f.store, &actor, "Rossi", "Mario", "1945-04-25", "", "");
    let other = add(&mut f.store, &actor, "Rossi", "Mario", "1945-04-25", "", "333 1234567");
    join(&mut f.store, &actor, h, other, Relationship::Intestatario);
    contact(&mut f.store, &actor, kept, "prima scheda");
    contact(&mut f.store, &actor, other, "seconda scheda");
    let tables = |store: &Store| -> String {
        ["person", "membership", "desk_contact"]
            .iter()
            .map(|t| {
                let mut stmt = store.conn().prepare(&format!("SELECT * FROM {t} ORDER BY id")).unwrap();
                let n = stmt.column_count();
                let rows: Vec<String> = stmt
                    .query_map([], |r| {
                        Ok((0..n)
                            .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                            .collect::<Vec<_>>()
                            .join("|"))
                    })
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                rows.join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n--\n")
    };
    let before = tables(&f.store);

    let decision =
        f.store.write(&actor, |w| duplicates::merge(w, kept, other, "stessa persona, doppia scheda")).unwrap();
    assert_eq!(live(&f.store), 1);
    let merged = registry::household_detail(&mut f.store, &actor, h).unwrap();
    assert_eq!(merged.current_members().map(|m| m.person.id).collect::<Vec<_>>(), [kept], "the kept record joins");
    assert_eq!(count(&f.store, &format!("SELECT count(*) FROM desk_contact WHERE person_id = '{kept}'")), 2);
    let phone: Option<String> =
        f.store.conn().query_row("SELECT phone FROM person WHERE id = ?1", [kept], |r| r.get(0)).unwrap();
    assert_eq!(phone.as_deref(), Some("333 1234567"), "an empty field takes the other's value");
    let listed = duplicates::merges(f.store.conn(), &actor).unwrap();
    assert_eq!(
        (listed.len(), listed[0].reason.as_str(), listed[0].decided_by.as_str()),
        (1, "stessa persona, doppia scheda", "Giulia Operatrice")
    );
    assert!(duplicates::likely_duplicates(&mut f.store, &actor).unwrap().is_empty());
    assert_eq!(count(&f.store, "SELECT count(*) FROM audit_event WHERE kind = 'decision'"), 1);

    f.store.write(&actor, |w| duplicates::undo_merge(w, decision)).unwrap();
    assert_eq!(tables(&f.store), before, "the undo puts every row back as it was");
    assert!(duplicates::merges(f.store.conn(), &actor).unwrap()[0].undone_at.is_some());
    let again = f.store.write(&actor, |w| duplicates::undo_merge(w, decision)).unwrap_err();
    assert_eq!(again.to_string(), "dati non validi: decisione: questa unione è già stata annullata");
}

#[test]
fn two_codes_or_two_households_are_refused_and_nothing_changes() {
    let mut f = fixture();
    let actor = f.actor;
    let a = add(
        &mut f.store,
        &actor,
        "Rossi",
        "Mario",
        "1945-04-25",
        &cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "F205"),
        "",
    );
    let b = add(
        &mut f.store,
        &actor,
        "Rossi",
        "Mario",
        "1945-04-25",
        &cf::compute("Rossi", "Mario", 'M', date("1945-04-25"), "L219"),
        "",
    );
    let (h1, h2) = (household(&mut f.store, &actor, "A1"), household(&mut f.store, &actor, "A2"));
    let c = add(&mut f.store, &actor, "Verdi", "Luca", "", "", "");
    let d = add(&mut f.store, &actor, "Verdi", "Luca", "", "", "");
    join(&mut f.store, &actor, h1, c, Relationship::Intestatario);
    join(&mut f.store, &actor, h2, d, Relationship::Intestatario);
    let before = canonical_dump(f.store.conn()).unwrap();
    let codes = f.store.write(&actor, |w| duplicates::merge(w, a, b, "prova")).unwrap_err();
    assert_eq!(
        codes.to_string(),
        "dati non validi: persona: le due schede hanno codici fiscali diversi: sono due persone e non si possono unire"
    );
    let homes = f.store.write(&actor, |w| duplicates::merge(w, c, d, "prova")).unwrap_err();
    assert!(homes.to_string().contains("sono in due nuclei diversi"), "{homes}");
    let no_reason = f.store.write(&actor, |w| duplicates::merge(w, c, d, "  ")).unwrap_err();
    assert!(no_reason.to_string().contains("scrivi perché"), "{no_reason}");
    assert_eq!(canonical_dump(f.store.conn()).unwrap(), before);
}

#[test]
fn a_merge_and_its_undo_reach_the_other_desk() {
    let folder = tempfile::tempdir().unwrap();
    let mut one = crate::sync::desk("Uno", 31, folder.path(), 0);
    let mut two = crate::sync::desk("Due", 32, folder.path(), 0);
    let actor = one.actor;
    let kept = add(&mut one.store, &actor, "Rossi", "Mario", "1945-04-25", "", "");
    let other = add(&mut one.store, &actor, "Rossi", "Mario", "1945-04-25", "", "333 1234567");
    contact(&mut one.store, &actor, other, "seconda scheda");
    crate::sync::run(&mut one);
    crate::sync::run(&mut two);
    assert_eq!(live(&two.store), 2);

    let decision = one.store.write(&actor, |w| duplicates::merge(w, kept, other, "doppia scheda")).unwrap();
    crate::sync::run(&mut one);
    crate::sync::run(&mut two);
    assert_eq!(live(&two.store), 1);
    assert_eq!(canonical_dump(two.store.conn()).unwrap(), canonical_dump(one.store.conn()).unwrap());
    assert_eq!(duplicates::merges(two.store.conn(), &two.actor).unwrap().len(), 1, "the other desk sees the merge");

    one.store.write(&actor, |w| duplicates::undo_merge(w, decision)).unwrap();
    crate::sync::run(&mut one);
    crate::sync::run(&mut two);
    assert_eq!(live(&two.store), 2);
    assert_eq!(count(&two.store, &format!("SELECT count(*) FROM desk_contact WHERE person_id = '{other}'")), 1);
    assert_eq!(canonical_dump(two.store.conn()).unwrap(), canonical_dump(one.store.conn()).unwrap());
}
