//! The rights of the people in the registry: consent records, the access export (JSON and a PDF
//! read back with `pdftotext`), erasure with and without a legal hold, retention flags; and the
//! erasure's promise: no trace of the name or codice fiscale in the database, its log, or any bundle
//! written afterwards, at this desk and at the others.

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime};
use quartiere_core::codes::{Channel, EsfAnswer, Topic};
use quartiere_core::desk::{self, DeskContactInput};
use quartiere_core::ids::PersonId;
use quartiere_core::privacy::{self, ConsentKind, ErasureMode, ErasureOutcome};
use quartiere_core::registry::{self, EsfFields, PersonInput};
use quartiere_core::sync::format::{open_file, Header};
use quartiere_core::sync::keys::KeyFile;
use quartiere_core::{audit, sync, vault, Actor, Store};

use crate::sync::{desk, run, PASS};
use quartiere_core::cases;
use quartiere_core::codes::Axis;

use crate::*;

const SURNAME: &str = "Zanzottera";

fn cf() -> String {
    quartiere_core::cf::compute(SURNAME, "Ada", 'F', date("1981-05-09"), "F205")
}

fn resident(store: &mut Store, actor: &Actor, esf: bool) -> PersonId {
    let input = PersonInput {
        surname: SURNAME.into(),
        name: "Ada".into(),
        sex: Some('F'),
        birth_date: Some(date("1981-05-09")),
        codice_fiscale: Some(cf()),
        phone: Some("333 1234567".into()),
        esf: if esf {
            EsfFields { disability: Some(EsfAnswer::Si), ..Default::default() }
        } else {
            EsfFields::default()
        },
        ..Default::default()
    };
    store
        .write(actor, |w| {
            let person = registry::create_person(w, &input)?;
            desk::add_contact(
                w,
                &DeskContactInput {
                    occurred_at: NaiveDateTime::parse_from_str("2026-03-02 10:00", "%Y-%m-%d %H:%M").unwrap(),
                    operator: w.actor().operator,
                    person: Some(person),
                    household: None,
                    channel: Channel::DiPersona,
                    topics: vec![Topic::Casa],
                    note: Some(format!("La signora {SURNAME} chiede aiuto per l'affitto.")),
                    follow_up_on: None,
                    referrals: vec![],
                },
            )?;
            // Her case: its reason, a goal, a referral and a note name her and her trouble.
            let case = cases::open_case(
                w,
                &cases::CaseInput {
                    person,
                    axis: Axis::Morosita,
                    tutor: w.actor().operator,
                    servizio_sociale: true,
                    reason: Some(format!("Sfratto in corso per la signora {SURNAME}")),
                    contact: None,
                    opened_on: date("2026-03-02"),
                },
            )?;
            let goal = cases::GoalInput {
                title: format!("Rateizzare lo sfratto di {SURNAME}"),
                owner: format!("la signora {SURNAME}"),
                due_on: None,
                parent: None,
            };
            cases::add_goal(w, case, &goal)?;
            let referral = cases::ReferralInput {
                target: quartiere_core::desk::ReferralTarget::ServizioSociale,
                reason: format!("Valutare lo sfratto di {SURNAME}"),
                shares_data: false,
                on: date("2026-03-02"),
            };
            cases::refer(w, case, &referral)?;
            desk::add_note(w, desk::NoteSubject::Case(case), &format!("{SURNAME} teme lo sfratto"))?;
            // Her placement and her hours given back name her too.
            let placement = quartiere_core::training::placements::PlacementInput {
                host_name: Some(format!("Bottega {SURNAME}")),
                host: None,
                role: None,
                starts_on: date("2026-03-02"),
                ends_on: None,
                weekly_hours: None,
            };
            quartiere_core::training::placements::add_placement(w, person, &placement)?;
            quartiere_core::training::placements::add_community_hours(
                w,
                person,
                date("2026-03-01"),
                60,
                &format!("La signora {SURNAME} ha pulito il cortile"),
                None,
                date("2026-03-02"),
            )?;
            Ok(person)
        })
        .unwrap()
}

/// Every byte the database holds, decrypted: a plaintext copy written by SQLCipher itself.
fn plaintext_copy(store: &Store, dir: &Path, operator: &str) -> Vec<u8> {
    let (key, _) = vault::unlock(store.dir(), operator, OPERATOR_PASS).unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute_batch(&key.pragma()).unwrap();
    let plain = dir.join(format!("in-chiaro-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&plain);
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.to_string_lossy()]).unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    conn.execute("DETACH DATABASE plain", []).unwrap();
    std::fs::read(plain).unwrap()
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn an_erasure_leaves_no_trace_in_the_database_its_log_or_later_bundles_at_any_desk() {
    let shared = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let person = resident(&mut a.store, &a.actor, false);
    // History: a surname corrected twice, so old values sit in the change record.
    for surname in [format!("{SURNAME}x"), SURNAME.to_string()] {
        let input = PersonInput { surname, name: "Ada".into(), codice_fiscale: Some(cf()), ..Default::default() };
        a.store.write(&a.actor, |w| registry::update_person(w, person, &input)).unwrap();
    }
    run(&mut a);
    run(&mut b);
    assert!(contains(&plaintext_copy(&b.store, scratch.path(), "Operatore Sportello B"), SURNAME), "B has her");
    // C joins from a snapshot: her row is loaded in bulk and kept in C's snapshot base.
    sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    let mut c = desk("Sportello C", 3, shared.path(), 0);
    assert!(run(&mut c).snapshot_loaded.is_some());
    assert!(contains(&plaintext_copy(&c.store, scratch.path(), "Operatore Sportello C"), SURNAME), "C has her");
    let before: Vec<_> = files_under(shared.path());

    let outcome = privacy::erase_person(
        &mut a.store,
        &a.actor,
        person,
        ErasureMode::Erase,
        "richiesta scritta ricevuta allo sportello",
        today(),
    )
    .unwrap();
    assert_eq!(outcome, ErasureOutcome::Erased);
    // The erasure ends with the write-ahead log checkpointed and emptied, the file vacuumed.
    let wal_len = |d: &crate::sync::Desk| {
        std::fs::metadata(d.store.path().with_extension("sqlite-wal")).map(|m| m.len()).unwrap_or(0)
    };
    assert_eq!(wal_len(&a), 0, "A's WAL emptied by the erasure");
    // More work after the erasure, published as bundles and a snapshot.
    a.store
        .write(&a.actor, |w| {
            registry::create_person(
                w,
                &PersonInput { surname: "Dopo".into(), name: "Lavoro".into(), ..Default::default() },
            )
        })
        .unwrap();
    run(&mut a);
    sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    run(&mut b);
    assert_eq!(wal_len(&b), 0, "B's WAL emptied when the erasure arrived");
    run(&mut c);

    for (label, d, operator) in
        [("A", &a, "Operatore Sportello A"), ("B", &b, "Operatore Sportello B"), ("C", &c, "Operatore Sportello C")]
    {
        let plain = plaintext_copy(&d.store, scratch.path(), operator);
        for needle in [SURNAME, cf().as_str(), "333 1234567", "chiede aiuto", "sfratto"] {
            assert!(!contains(&plain, needle), "{needle} still in {label}'s database (any table, any history)");
        }
        // No free page keeps old content and the write-ahead log was emptied.
        let free: i64 = d.store.conn().query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap();
        assert_eq!(free, 0, "{label}");
        let check = audit::verify(&d.store, &d.actor).unwrap();
        assert!(check.intact(), "{label}: {check:?}");
    }

    // Every file written to the shared folder after the erasure, decrypted: no trace either.
    let key_file = std::fs::read_dir(shared.path().join("keys")).unwrap().flatten().next().unwrap().path();
    let team = KeyFile::parse(&std::fs::read(key_file).unwrap()).unwrap().unlock(PASS).unwrap();
    let later: Vec<_> = files_under(&shared.path().join("desks"))
        .into_iter()
        .filter(|p| !before.contains(p) && p.extension().is_some_and(|e| e == "qrt"))
        .collect();
    assert!(later.len() >= 2, "a bundle and a snapshot after the erasure: {later:?}");
    for file in later {
        let bytes = std::fs::read(&file).unwrap();
        let header = Header::parse(&bytes).unwrap();
        let plain = open_file(&bytes, &header, &team).unwrap();
        assert!(!contains(&plain, SURNAME) && !contains(&plain, &cf()), "{} carries her", file.display());
    }
}

#[test]
fn a_legal_hold_keeps_esf_data_and_records_the_request() {
    let mut f = fixture();
    let coordinator = f.actor;
    let person = resident(&mut f.store, &coordinator, true);
    let outcome =
        privacy::erase_person(&mut f.store, &coordinator, person, ErasureMode::Erase, "richiesta via e-mail", today())
            .unwrap();
    let ErasureOutcome::Held { until, reason } = outcome else { panic!("expected a hold, got {outcome:?}") };
    assert_eq!(until, date(privacy::DEFAULT_ESF_HOLD_UNTIL));
    assert!(reason.contains("Fondo Sociale Europeo"), "{reason}");
    assert_eq!(registry::get_person(&mut f.store, &coordinator, person).unwrap().surname, SURNAME, "kept");
    let recorded: String = f
        .store
        .conn()
        .query_row("SELECT outcome || ' ' || reason FROM privacy_request WHERE kind = 'erasure'", [], |r| r.get(0))
        .unwrap();
    assert!(recorded.starts_with("held richiesta via e-mail") && recorded.contains("2030"), "{recorded}");
    // When the hold ends, the retention check asks for the erasure to be carried out.
    let after = date("2031-01-02");
    let flags = privacy::retention(&f.store, &coordinator, after).unwrap();
    assert!(
        flags.iter().any(|r| r.kind == "held_erasure" && r.person.as_deref() == Some(&person.to_string())),
        "{flags:?}"
    );
    // And then it can be: pseudonymised, keeping the ESF answers for the project's figures.
    let done = privacy::erase_person(&mut f.store, &coordinator, person, ErasureMode::Pseudonymise, "", after).unwrap();
    assert_eq!(done, ErasureOutcome::Pseudonymised);
    let p = registry::get_person(&mut f.store, &coordinator, person).unwrap();
    assert!(p.surname.starts_with("Pseudonimo ") && p.codice_fiscale.is_none() && p.phone.is_none(), "{p:?}");
    assert_eq!(p.esf.disability, Some(EsfAnswer::Si));
    let again = privacy::erase_person(&mut f.store, &coordinator, person, ErasureMode::Erase, "", after);
    assert!(again.unwrap_err().to_string().contains("già stati cancellati"));
    let edit = f.store.write(&coordinator, |w| {
        registry::update_person(w, person, &PersonInput { surname: "Ritorno".into(), ..Default::default() })
    });
    assert!(edit.unwrap_err().to_string().contains("cancellati"));
}

#[test]
fn consents_and_the_access_export_as_json_and_pdf() {
    let mut f = fixture();
    let coordinator = f.actor;
    let person = resident(&mut f.store, &coordinator, true);
    let consent = f
        .store
        .write(&coordinator, |w| {
            privacy::record_consent(w, person, ConsentKind::Notice, "2026-01", date("2026-03-02"))?;
            privacy::record_consent(w, person, ConsentKind::Images, "2026-01", date("2026-03-02"))
        })
        .unwrap();
    let early = f.store.write(&coordinator, |w| privacy::withdraw_consent(w, consent, date("2026-01-01")));
    assert!(early.unwrap_err().to_string().contains("non può precedere"));
    f.store.write(&coordinator, |w| privacy::withdraw_consent(w, consent, date("2026-04-10"))).unwrap();
    let blank = f.store.write(&coordinator, |w| privacy::record_consent(w, person, ConsentKind::Notice, " ", today()));
    assert!(matches!(blank, Err(quartiere_core::Error::Invalid(_))));
    let listed = privacy::consents(&f.store, &coordinator, person).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().find(|c| c.kind == ConsentKind::Images).unwrap().withdrawn_on, Some(date("2026-04-10")));

    let out = f.dir.path().join("accesso");
    let files = privacy::export_person(&mut f.store, &coordinator, person, &out, today()).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&files.json).unwrap()).unwrap();
    assert_eq!(json["person"]["surname"], SURNAME);
    assert_eq!(json["desk_contacts"].as_array().unwrap().len(), 1);
    assert_eq!(json["consents"].as_array().unwrap().len(), 2);
    assert!(json["accesses"].as_array().unwrap().iter().any(|a| a["kind"] == "export"));
    let text =
        Command::new("pdftotext").arg("-layout").arg(&files.pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Dati personali di Zanzottera Ada",
        cf().as_str(),
        "chiede aiuto per l'affitto",
        "Consenso a foto e riprese, versione 2026-01: dato il 02/03/2026, revocato il 10/04/2026",
        "Giulia Operatrice",
    ] {
        assert!(text.contains(expected), "«{expected}» missing from the PDF:\n{text}");
    }
    // Fields are a two-column table: the label, then the value on the same line.
    assert!(text.lines().any(|l| l.trim_start().starts_with("Disabilità") && l.trim_end().ends_with(" sì")), "{text}");
    // Every page carries the document's id and its number.
    assert!(text.contains("Documento AC-") && text.contains("Pagina 1 di"), "{text}");
    // Only the coordinator answers requests.
    let tutor = operator_with_role(&mut f, "Tina Tutor", quartiere_core::access::Role::Tutor);
    let refused = privacy::export_person(&mut f.store, &tutor, person, &out, today()).unwrap_err();
    assert!(refused.to_string().contains("richieste di accesso"), "{refused}");
    let _: NaiveDate = today();
}

/// A desk that got her in a list of 70 (her row merged whole and new: its clocks in the snapshot
/// base, her values only in the row) erases her itself: the values its edit replaces are recorded,
/// then cleared like any earlier value, and nothing of hers is left in its file.
#[test]
fn an_erasure_at_a_desk_that_received_her_in_a_large_list_leaves_no_trace_there() {
    let shared = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut a = desk("Sportello A", 1, shared.path(), 0);
    let mut b = desk("Sportello B", 2, shared.path(), 0);
    let person = resident(&mut a.store, &a.actor, false);
    a.store
        .write(&a.actor, |w| {
            for i in 0..69 {
                let input = PersonInput { surname: format!("Elenco{i}"), name: "E".into(), ..Default::default() };
                registry::create_person(w, &input)?;
            }
            Ok(())
        })
        .unwrap();
    run(&mut a);
    run(&mut b);
    let count = |sql: &str| -> i64 { b.store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(count("SELECT count(*) FROM base_chunk WHERE tbl = 'person'") > 0, "the list went to B's base");
    assert_eq!(count("SELECT count(*) FROM change_log WHERE tbl = 'person'"), 0);
    assert!(contains(&plaintext_copy(&b.store, scratch.path(), "Operatore Sportello B"), SURNAME), "B has her");

    let outcome =
        privacy::erase_person(&mut b.store, &b.actor, person, ErasureMode::Erase, "richiesta scritta", today())
            .unwrap();
    assert_eq!(outcome, ErasureOutcome::Erased);
    // Her replaced values were recorded by the erasure's write, then cleared.
    let id = person.0.to_string();
    let cleared: i64 = b
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM change_log WHERE row_id = ?1 AND col = 'surname' AND value IS NULL",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(cleared >= 1, "{cleared}");
    let plain = plaintext_copy(&b.store, scratch.path(), "Operatore Sportello B");
    for needle in [SURNAME, cf().as_str(), "333 1234567"] {
        assert!(!contains(&plain, needle), "{needle} still in B's database");
    }
    assert!(audit::verify(&b.store, &b.actor).unwrap().intact());
}

/// The access export is typeset with the bundled fonts: a Vietnamese name, a Romanian and a Polish
/// one come back from the PDF exactly as recorded.
#[test]
fn the_access_export_keeps_every_diacritic() {
    let mut f = fixture();
    let coordinator = f.actor;
    for (surname, name) in [("Nguyễn", "Thị Lan"), ("Ștefănescu", "Ioana"), ("Kowalczyk", "Łukasz")] {
        let person = f
            .store
            .write(&coordinator, |w| {
                registry::create_person(
                    w,
                    &PersonInput { surname: surname.into(), name: name.into(), ..Default::default() },
                )
            })
            .unwrap();
        let out = f.dir.path().join(format!("accesso-{name}"));
        let files = privacy::export_person(&mut f.store, &coordinator, person, &out, today()).unwrap();
        let text = Command::new("pdftotext").arg(&files.pdf).arg("-").output().expect("pdftotext (poppler-utils)");
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains(&format!("Dati personali di {surname} {name}")), "{surname} {name}:\n{text}");
    }
}
