//! Roles: every role is refused through the core API what it must not do, a refused write leaves no
//! trace, and operators are managed by the coordinator.

use std::path::Path;

use chrono::NaiveDateTime;
use quartiere_core::access::{Action, Role};
use quartiere_core::accounts;
use quartiere_core::audit::{self, AuditFilter};
use quartiere_core::backup::{self, BackupReason};
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::crypto::KdfParams;
use quartiere_core::desk::{self, ContactFilter, DeskContactInput};
use quartiere_core::ids::{IdGen, PersonId};
use quartiere_core::import::{self, ImportOptions, Sheet};
use quartiere_core::privacy;
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::search::{self, Scope};
use quartiere_core::sync;
use quartiere_core::ErrorKind;
use quartiere_core::{vault, Actor, Error, Store};

use crate::vault::{sensitive_person, SURNAME};
use crate::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Tries `action` through the core API as `actor`; `Ok(true)` if done, `Ok(false)` if refused
/// for the role. Any other error fails the test.
fn attempt(store: &mut Store, actor: &Actor, action: Action, person: PersonId, folder: &Path) -> bool {
    let outcome: Result<(), Error> = match action {
        Action::ReadAggregates => registry::overview(store.conn(), actor).map(drop),
        Action::ReadRegistry => registry::get_person(store, actor, person)
            .and_then(|_| registry::list_households(store.conn(), actor))
            .and_then(|_| search::search(store.conn(), actor, SURNAME, Scope::ALL, 5))
            .map(drop),
        Action::EditRegistry => store
            .write(actor, |w| {
                registry::create_person(
                    w,
                    &PersonInput { surname: "Nuova".into(), name: "Persona".into(), ..Default::default() },
                )
            })
            .map(drop),
        Action::ReadDesk => desk::list_contacts(store, actor, &ContactFilter::default()).map(drop),
        Action::RecordDesk => store
            .write(actor, |w| {
                desk::add_contact(
                    w,
                    &DeskContactInput {
                        occurred_at: at("2026-03-02 10:00"),
                        operator: actor.operator,
                        person: Some(person),
                        household: None,
                        channel: Channel::DiPersona,
                        topics: vec![Topic::Casa],
                        note: None,
                        follow_up_on: None,
                        referrals: vec![],
                    },
                )
            })
            .map(drop),
        Action::Import => {
            let sheet = Sheet { header_row: 1, headers: vec!["cognome".into()], rows: vec![] };
            import::import_sheet(store, actor, sheet, ImportOptions { dry_run: true, ..ImportOptions::new(today()) })
                .map(drop)
        }
        Action::Sync => sync::status(store, actor).map(drop),
        Action::ManageSync => {
            sync::enrol(store, actor, folder, "frase del gruppo di prova", "Sportello", KdfParams::MINIMUM).map(drop)
        }
        Action::Administer => accounts::operators(store, actor).map(drop),
        Action::ReadAudit => audit::list(store, actor, &AuditFilter::default())
            .and_then(|_| audit::verify(store, actor))
            .and_then(|_| audit::export_for_dpo(store, actor, &folder.join("registro.json")))
            .map(drop),
        Action::Backup => {
            backup::backup_now(store, actor, BackupReason::Manual).and_then(|_| backup::list(store, actor)).map(drop)
        }
        Action::ReadActivities => quartiere_core::activities::list(store, actor, None, None).map(drop),
        Action::RecordActivities => {
            let (input, weeks) = quartiere_core::activities::ActivityDraft {
                kind: "evento".into(),
                title: "Merenda in cortile".into(),
                date: "05/03/2026".into(),
                start: "16:00".into(),
                end: "18:00".into(),
                venue: "Cortile".into(),
                ..Default::default()
            }
            .parse()
            .unwrap();
            store.write(actor, |w| quartiere_core::activities::create(w, &input, weeks)).map(drop)
        }
        Action::ReadTraining => quartiere_core::training::courses(store, actor).map(drop),
        Action::RecordTraining => {
            let input = quartiere_core::training::CourseDraft {
                title: "Corso di italiano".into(),
                starts_on: "09/03/2026".into(),
                places: "12".into(),
                ..Default::default()
            }
            .parse()
            .unwrap();
            store.write(actor, |w| quartiere_core::training::create_course(w, &input)).map(drop)
        }
        Action::ReadCases => {
            quartiere_core::cases::cases(store, actor, &quartiere_core::cases::CaseFilter::default(), today()).map(drop)
        }
        Action::ReadArrears => quartiere_core::arrears::monitoring(store, actor, today()).map(drop),
        Action::RecordArrears => {
            // A contribution credited to an unknown household gets past the door, then not found.
            let input = quartiere_core::arrears::draft::PaymentDraft {
                on: "01/03/2026".into(),
                amount: "10,00".into(),
                ..Default::default()
            }
            .parse(today())
            .unwrap();
            match store.write(actor, |w| {
                quartiere_core::arrears::add_credit(w, quartiere_core::ids::HouseholdId(uuid::Uuid::nil()), &input)
            }) {
                Err(Error::NotFound { .. }) => Ok(()),
                other => other.map(drop),
            }
        }
        Action::RecordCases => {
            // Opening a case needs a tutor: the desk's first operator, a coordinator, follows it.
            let coordinator: String = store
                .conn()
                .query_row("SELECT id FROM operator WHERE role = 'coordinatore' ORDER BY id LIMIT 1", [], |r| r.get(0))
                .unwrap();
            let input = quartiere_core::cases::CaseDraft {
                person: person.to_string(),
                axis: "convivenza".into(),
                tutor: coordinator,
                ..Default::default()
            }
            .parse(today())
            .unwrap();
            store.write(actor, |w| quartiere_core::cases::open_case(w, &input)).map(drop)
        }
        Action::ManageProject => {
            let target = quartiere_core::indicators::TargetDraft {
                code: "eventi".into(),
                target: "7".into(),
                ..Default::default()
            }
            .parse()
            .unwrap();
            store.write(actor, |w| quartiere_core::indicators::targets::set_target(w, &target)).map(drop)
        }
        // With no recipient key the export stops past the door, before anything is written.
        Action::ExportBundle => {
            let request = quartiere_core::bundle::Request {
                month: quartiere_core::indicators::Period::month("2026-02").unwrap(),
                since: None,
                include: Default::default(),
                note: None,
            };
            quartiere_core::bundle::export(store, actor, &request, "", &folder.join("pacchetto.age")).map(drop)
        }
        Action::Rights => privacy::export_person(store, actor, person, &folder.join("accesso"), today())
            .and_then(|_| privacy::retention(store, actor, today()))
            .map(drop),
    };
    match outcome {
        Ok(()) => true,
        Err(Error::Forbidden { message }) => {
            let role = quartiere_core::access::role_of(store.conn(), actor.operator).unwrap().unwrap();
            assert!(message.contains(role.label()) && message.contains(action.describe()), "{message}");
            false
        }
        // Refused later for a reason that is not the role (an empty import): it got past the door.
        Err(Error::Invalid(_)) | Err(Error::Import(_)) => true,
        Err(other) => panic!("{action:?}: {other}"),
    }
}

#[test]
fn every_role_is_refused_what_it_must_not_do() {
    use Action::*;
    // The table the project agreed (rows: actions; columns: sportello, tutor, afol, morosità,
    // coordinatore, Comune), written out here rather than read from the code under test.
    let expected: &[(Action, [bool; 6])] = &[
        (ReadAggregates, [true, true, true, true, true, true]),
        (ReadRegistry, [true, true, true, true, true, false]),
        (EditRegistry, [true, true, false, false, true, false]),
        (ReadDesk, [true, true, false, false, true, false]),
        (RecordDesk, [true, true, false, false, true, false]),
        (Import, [true, false, false, false, true, false]),
        (Sync, [true, true, true, true, true, false]),
        (ManageSync, [false, false, false, false, true, false]),
        (Administer, [false, false, false, false, true, false]),
        (ReadAudit, [false, false, false, false, true, false]),
        (Backup, [false, false, false, false, true, false]),
        (Rights, [false, false, false, false, true, false]),
        (ReadActivities, [true, true, true, false, true, false]),
        (RecordActivities, [true, true, true, false, true, false]),
        (ReadTraining, [true, true, true, false, true, false]),
        (RecordTraining, [false, true, true, false, true, false]),
        (ReadCases, [true, true, false, false, true, false]),
        (RecordCases, [true, true, false, false, true, false]),
        (ReadArrears, [true, true, false, true, true, false]),
        (RecordArrears, [false, false, false, true, true, false]),
        (ManageProject, [false, false, false, false, true, false]),
        (ExportBundle, [false, false, false, false, true, true]),
    ];
    assert_eq!(expected.len(), Action::ALL.len());
    let roles =
        [Role::DeskOperator, Role::Tutor, Role::Afol, Role::ArrearsOfficer, Role::Coordinator, Role::ComuneViewer];
    assert_eq!(roles, Role::ALL);

    let mut f = fixture();
    let coordinator = f.actor;
    let person = sensitive_person(&mut f.store, &coordinator);
    let mut failures = Vec::new();
    for (i, role) in roles.into_iter().enumerate() {
        let name = format!("Operatore {}", role.code());
        let id =
            accounts::add_operator(&mut f.store, &coordinator, &name, role, OPERATOR_PASS, KdfParams::MINIMUM).unwrap();
        let actor = Actor { desk: f.store.desk(), operator: id };
        for (action, allowed) in expected {
            let folder = tempfile::tempdir().unwrap();
            let done = attempt(&mut f.store, &actor, *action, person, folder.path());
            if done != allowed[i] {
                failures.push(format!("{} {:?}: expected {}, got {}", role.code(), action, allowed[i], done));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_refused_write_leaves_no_trace_and_operators_are_managed_by_the_coordinator() {
    let mut f = fixture();
    let coordinator = f.actor;
    let tutor = operator_with_role(&mut f, "Tina Tutor", quartiere_core::access::Role::Tutor);
    let changes = change_count(&f.store);
    // A tutor may add a person, but not in the same write rename the desk: the whole write goes.
    let err = f
        .store
        .write(&tutor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Parziale".into(), name: "No".into(), ..Default::default() },
            )?;
            w.update(
                quartiere_core::schema::Table::Desk,
                w.actor().desk.0,
                &[("name", "Altro nome".to_string().into())],
            )
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(change_count(&f.store), changes);
    assert_eq!(count(&f.store, "SELECT count(*) FROM person WHERE surname = 'Parziale'"), 0);

    // The same name twice is refused; the last coordinator cannot be demoted or removed.
    let dup =
        accounts::add_operator(&mut f.store, &coordinator, "tina TUTOR", Role::Afol, OPERATOR_PASS, KdfParams::MINIMUM);
    assert_eq!(dup.unwrap_err().kind(), ErrorKind::Invalid);
    let err = accounts::set_role(&mut f.store, &coordinator, coordinator.operator, Role::Tutor).unwrap_err();
    assert!(err.to_string().contains("almeno un coordinatore"));
    // A tutor cannot promote themself.
    let err = accounts::set_role(&mut f.store, &tutor, tutor.operator, Role::Coordinator).unwrap_err();
    assert!(err.to_string().contains("Tutor di quartiere"), "{err}");

    // The tutor signs in with their own passphrase; once deactivated, they cannot.
    let dir = f.dir.path().to_owned();
    let signed = accounts::sign_in(&dir, "Tina Tutor", OPERATOR_PASS, clock(), IdGen::seeded(5)).unwrap();
    assert_eq!(signed.role, Role::Tutor);
    drop(signed);
    accounts::deactivate(&mut f.store, &coordinator, tutor.operator).unwrap();
    let err = accounts::sign_in(&dir, "Tina Tutor", OPERATOR_PASS, clock(), IdGen::seeded(5)).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::WrongCredentials);
    assert_eq!(
        f.store
            .write(&tutor, |w| w.update(quartiere_core::schema::Table::Desk, w.actor().desk.0, &[]))
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(vault::names(&dir).unwrap(), vec!["Giulia Operatrice".to_string()]);
}
