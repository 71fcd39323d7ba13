use quartiere_core::codes::Relationship;
use quartiere_core::registry::{
    self, DwellingDraft, DwellingInput, MemberInput, MembershipDraft, PersonDraft, PersonInput,
};
use quartiere_core::{Actor, Error, Store};

use crate::*;

fn dwelling() -> DwellingInput {
    DwellingInput {
        code: Some("A-001".into()),
        street: "Via Luigi Pirandello".into(),
        civic: "6/H".into(),
        scala: Some("A".into()),
        piano: Some("2".into()),
        interno: Some("5".into()),
        cap: Some("20090".into()),
        comune: Some("Trezzano sul Naviglio".into()),
        provincia: Some("MI".into()),
    }
}

fn person(surname: &str, name: &str) -> PersonInput {
    PersonInput { surname: surname.into(), name: name.into(), ..Default::default() }
}

/// Creates a household, lets a member leave and another arrive; used by the replay test too.
pub fn exercise_household_history(store: &mut Store, actor: &Actor) -> quartiere_core::ids::HouseholdId {
    store
        .write(actor, |w| {
            let d = registry::create_dwelling(w, &dwelling())?;
            let h = registry::create_household(w, d, Some(date("2010-05-01")))?;
            let tenant = registry::create_person(
                w,
                &PersonInput {
                    sex: Some('M'),
                    birth_date: Some(date("1945-04-25")),
                    codice_fiscale: Some("RSSMRA45D25F205N".into()),
                    ..person("Rossi", "Mario")
                },
            )?;
            let son = registry::create_person(w, &person("Rossi", "Luca"))?;
            registry::add_member(
                w,
                h,
                tenant,
                &MemberInput {
                    relationship_text: None,
                    relationship: Relationship::Intestatario,
                    resident_since: Some(date("2010-05-01")),
                    tenant_of_record: true,
                },
            )?;
            let m = registry::add_member(
                w,
                h,
                son,
                &MemberInput {
                    relationship_text: None,
                    relationship: Relationship::Figlio,
                    resident_since: Some(date("2010-05-01")),
                    tenant_of_record: false,
                },
            )?;
            registry::end_membership(w, m, date("2024-09-30"))?;
            let niece = registry::create_person(w, &person("Bianchi", "Sara"))?;
            registry::add_member(
                w,
                h,
                niece,
                &MemberInput {
                    relationship_text: None,
                    relationship: Relationship::Nipote,
                    resident_since: Some(date("2024-10-01")),
                    tenant_of_record: false,
                },
            )?;
            Ok(h)
        })
        .unwrap()
}

#[test]
fn household_history_is_kept() {
    let mut f = fixture();
    let actor = f.actor;
    let h = exercise_household_history(&mut f.store, &actor);
    let detail = registry::household_detail(&mut f.store, &f.actor, h).unwrap();
    let names: Vec<(String, Option<String>)> =
        detail.members.iter().map(|m| (m.person.full_name(), m.membership.left_on.map(|d| d.to_string()))).collect();
    assert_eq!(
        names,
        vec![
            ("Rossi Mario".to_string(), None),
            ("Bianchi Sara".to_string(), None),
            ("Rossi Luca".to_string(), Some("2024-09-30".to_string())),
        ]
    );
    assert_eq!(detail.tenant_of_record().unwrap().person.full_name(), "Rossi Mario");
    assert_eq!(detail.dwelling.fields.address_line(), "Via Luigi Pirandello 6/H, scala A, piano 2, int. 5");
    let list = registry::list_households(f.store.conn(), &f.actor).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].members, 2);
    assert_eq!(list[0].tenant_of_record.as_deref(), Some("Rossi Mario"));
}

#[test]
fn a_person_is_in_one_household_at_a_time() {
    let mut f = fixture();
    let actor = f.actor;
    let h = exercise_household_history(&mut f.store, &actor);
    let mario = registry::household_detail(&mut f.store, &actor, h).unwrap().members[0].person.id;
    let err = f
        .store
        .write(&actor, |w| {
            let d2 = registry::create_dwelling(w, &DwellingInput { code: Some("B-2".into()), ..dwelling() })?;
            let h2 = registry::create_household(w, d2, None)?;
            registry::add_member(
                w,
                h2,
                mario,
                &MemberInput {
                    relationship_text: None,
                    relationship: Relationship::Altro,
                    resident_since: None,
                    tenant_of_record: false,
                },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("fa già parte di un altro nucleo"), "{err}");
}

#[test]
fn codice_fiscale_is_validated_and_unique() {
    let mut f = fixture();
    let bad = PersonInput { codice_fiscale: Some("RSSMRA45D25F205X".into()), ..person("Rossi", "Mario") };
    let before = change_count(&f.store);
    let err = f.store.write(&f.actor, |w| registry::create_person(w, &bad)).unwrap_err();
    let Error::Invalid(errors) = err else { panic!("expected a validation error") };
    assert_eq!(errors[0].field, "codice_fiscale");
    assert!(errors[0].message.contains("carattere di controllo"), "{}", errors[0].message);
    assert_eq!(change_count(&f.store), before, "nothing saved");

    let good = PersonInput { codice_fiscale: Some("rssmra45d25f205n".into()), ..person("Rossi", "Mario") };
    let id = f.store.write(&f.actor, |w| registry::create_person(w, &good)).unwrap();
    assert_eq!(
        registry::get_person(&mut f.store, &f.actor, id).unwrap().codice_fiscale.as_deref(),
        Some("RSSMRA45D25F205N")
    );
    let err = f.store.write(&f.actor, |w| registry::create_person(w, &good)).unwrap_err();
    assert!(err.to_string().contains("già registrato per Rossi Mario"), "{err}");
    // Editing the same person with the same code is fine.
    let changed = f
        .store
        .write(&f.actor, |w| {
            registry::update_person(w, id, &PersonInput { phone: Some("333 1234567".into()), ..good.clone() })
        })
        .unwrap();
    assert_eq!(changed, 1);
}

#[test]
fn person_form_reports_every_problem_in_italian() {
    let input = PersonInput {
        surname: " ".into(),
        name: "".into(),
        sex: Some('X'),
        birth_date: Some(date("1950-01-01")),
        codice_fiscale: Some("RSSMRA45D25F205N".into()),
        email: Some("mario.rossi".into()),
        phone: Some("abc".into()),
        ..Default::default()
    };
    let fields: Vec<String> = input.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["cognome", "nome", "sesso", "codice_fiscale", "email", "telefono"]);
    let mismatch = PersonInput { sex: Some('M'), ..input.clone() };
    assert!(mismatch
        .validate()
        .iter()
        .any(|e| e.message.contains("indica la nascita il 25/04/'45, non il 01/01/1950")));
    let matching = PersonInput { sex: Some('X'), birth_date: Some(date("1945-04-25")), ..input.clone() };
    assert!(!matching.validate().iter().any(|e| e.field == "codice_fiscale"), "an invalid sex is not a CF mismatch");
    // Without a codice fiscale a person is still recordable.
    assert!(person("Diop", "Awa").validate().is_empty());
}

/// The registry's drafts name every wrong field at once, a date typed wrong included (it is never
/// read as "not given"); a person saved with a membership is one write, so a refused membership
/// leaves no person behind.
#[test]
fn registry_drafts_refuse_whole_and_a_person_joins_a_household_in_one_write() {
    let mut f = fixture();
    let actor = f.actor;
    let household = f
        .store
        .write(&actor, |w| registry::create_dwelling_and_household(w, &dwelling(), Some(date("2010-05-01"))))
        .unwrap();
    let person = PersonDraft {
        surname: "Rossi".into(),
        name: "Mario".into(),
        sex: "m".into(),
        birth_date: "25/04/1945".into(),
        codice_fiscale: "RSSMRA45D25F205N".into(),
        ..Default::default()
    };
    let input = person.parse().unwrap();
    assert_eq!((input.sex, input.birth_date), (Some('M'), Some(date("1945-04-25"))));

    let wrong = PersonDraft { birth_date: "1945".into(), esf_isced: "laurea".into(), ..person.clone() };
    let Err(Error::Invalid(fields)) = wrong.parse() else { panic!("a wrong draft must be refused") };
    let named: Vec<&str> = fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(named[..2], ["data_nascita", "esf_isced"]);

    let member = MembershipDraft {
        household: household.to_string(),
        relationship: "intestatario".into(),
        resident_since: "da sempre".into(),
        tenant_of_record: true,
    };
    let Err(Error::Invalid(fields)) = member.parse(f.store.conn()) else { panic!("a wrong date must be refused") };
    assert_eq!(fields[0].field, "residente_dal");

    // A membership refused (Rossi is already a member) undoes the edit of the person made with it.
    let member = MembershipDraft { resident_since: "01/05/2010".into(), ..member };
    let first = member.parse(f.store.conn()).unwrap();
    let rossi = f.store.write(&actor, |w| registry::save_person(w, None, &input, Some(first))).unwrap();
    let phone = |store: &Store| -> Option<String> {
        store.conn().query_row("SELECT phone FROM person WHERE id = ?1", [rossi], |r| r.get(0)).unwrap()
    };
    let edited = PersonDraft { phone: "02 1234567".into(), ..person }.parse().unwrap();
    let again = member.parse(f.store.conn()).unwrap();
    let refused = f.store.write(&actor, |w| registry::save_person(w, Some(rossi), &edited, Some(again)));
    assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    assert_eq!(phone(&f.store), None, "the refused write left the person as it was");
    f.store.write(&actor, |w| registry::save_person(w, Some(rossi), &edited, None)).unwrap();
    assert_eq!(phone(&f.store).as_deref(), Some("02 1234567"));
}

/// Text is cleaned at the door of every form: invisible and control characters dropped, spaces
/// collapsed, a line break where one line is expected and an overlong value refused by field.
#[test]
fn a_person_form_is_cleaned_at_the_door() {
    let draft =
        |surname: &str, name: &str| PersonDraft { surname: surname.into(), name: name.into(), ..Default::default() };
    let input = draft("Ro\u{0}ss\u{200B}i", " Mario\u{202E}  Luigi ").parse().unwrap();
    assert_eq!((input.surname.as_str(), input.name.as_str()), ("Rossi", "Mario Luigi"));

    let Err(Error::Invalid(errors)) = draft("Rossi\nBianchi", &"a".repeat(1_000_000)).parse() else {
        panic!("a line break and a 1 MB name are refused")
    };
    let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
    assert_eq!(
        fields,
        [
            ("cognome", "va scritto su una riga sola: togli l'a capo"),
            ("nome", "è troppo lungo: al massimo 100 caratteri"),
        ]
    );
    let Err(Error::Invalid(errors)) =
        DwellingDraft { street: "Via\r\nRoma".into(), civic: "1".into(), ..Default::default() }.parse()
    else {
        panic!("a street on two lines is refused")
    };
    assert_eq!(errors[0].field, "via");
}

/// Moving to another household and leaving one are dated history in both households.
#[test]
fn moving_and_leaving_a_household_are_dated_history() {
    let mut f = fixture();
    let actor = f.actor;
    let (from, to, person) = f
        .store
        .write(&actor, |w| {
            let from = registry::create_dwelling_and_household(w, &dwelling(), None)?;
            let other = DwellingInput { code: Some("B-002".into()), civic: "8".into(), ..dwelling() };
            let to = registry::create_dwelling_and_household(w, &other, None)?;
            let person = registry::create_person(
                w,
                &PersonInput { surname: "Gallo".into(), name: "Ida".into(), ..Default::default() },
            )?;
            let member = MemberInput {
                relationship: Relationship::Intestatario,
                relationship_text: None,
                resident_since: Some(date("2020-01-01")),
                tenant_of_record: true,
            };
            registry::add_member(w, from, person, &member)?;
            Ok((from, to, person))
        })
        .unwrap();
    let member = MemberInput {
        relationship: Relationship::Figlio,
        relationship_text: None,
        resident_since: None,
        tenant_of_record: false,
    };
    let before_joining =
        f.store.write(&actor, |w| registry::move_person(w, person, to, date("2019-12-31"), &member)).unwrap_err();
    assert_eq!(
        before_joining.to_string(),
        "dati non validi: uscita: la data di uscita è precedente alla data di ingresso nel nucleo"
    );
    let same =
        f.store.write(&actor, |w| registry::move_person(w, person, from, date("2026-02-01"), &member)).unwrap_err();
    assert_eq!(same.to_string(), "dati non validi: nucleo: Gallo Ida fa già parte di questo nucleo");

    f.store.write(&actor, |w| registry::move_person(w, person, to, date("2026-02-01"), &member)).unwrap();
    let history = registry::households_of(f.store.conn(), person).unwrap();
    let dates: Vec<_> =
        history.iter().map(|h| (h.membership.household, h.membership.resident_since, h.membership.left_on)).collect();
    assert_eq!(
        dates,
        [(to, Some(date("2026-02-01")), None), (from, Some(date("2020-01-01")), Some(date("2026-02-01")))]
    );
    let old = registry::household_detail(&mut f.store, &actor, from).unwrap();
    assert_eq!(old.current_members().count(), 0);
    assert_eq!(old.members.len(), 1, "the old household keeps her as a past member");

    f.store.write(&actor, |w| registry::leave_household(w, person, date("2026-03-01"))).unwrap();
    assert!(registry::current_membership(f.store.conn(), person).unwrap().is_none());
    let again = f.store.write(&actor, |w| registry::leave_household(w, person, date("2026-03-02"))).unwrap_err();
    assert_eq!(again.to_string(), "dati non validi: nucleo: Gallo Ida non fa parte di nessun nucleo");
}

/// A codice fiscale that disagrees with the form says which field and what the code says.
#[test]
fn a_codice_fiscale_mismatch_names_the_field_that_disagrees() {
    let base = PersonDraft {
        surname: "Rossi".into(),
        name: "Maria".into(),
        codice_fiscale: "RSSMRA45D25F205N".into(),
        ..Default::default()
    };
    let messages = |draft: PersonDraft| -> Vec<String> {
        match draft.parse() {
            Err(Error::Invalid(errors)) => errors.into_iter().map(|e| e.message).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        messages(PersonDraft { sex: "F".into(), ..base.clone() }),
        ["il codice fiscale è di una persona di sesso maschile: controlla il sesso o il codice"]
    );
    assert_eq!(
        messages(PersonDraft { sex: "M".into(), birth_date: "26/04/1945".into(), ..base.clone() }),
        ["il codice fiscale indica la nascita il 25/04/'45, non il 26/04/1945: controlla la data o il codice"]
    );
    assert!(PersonDraft { sex: "M".into(), birth_date: "25/04/1945".into(), ..base }.parse().is_ok());
}
