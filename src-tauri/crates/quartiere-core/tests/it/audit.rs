//! The audit log: what it records, that it names nobody, that its hash chain shows an edited,
//! removed or re-hashed event and a rewritten change, and the DPO's export.

use quartiere_core::accounts;
use quartiere_core::audit::{self, AuditFilter, AuditKind};
use quartiere_core::ids::{IdGen, PersonId};
use quartiere_core::registry::{self, PersonInput};
use quartiere_core::schema::Table;
use quartiere_core::{vault, Actor, Error, Store};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::*;

const SURNAME: &str = "Abbondanza";
/// Computed with the rule, so it is valid (and consistent with the name).
fn cf() -> String {
    quartiere_core::cf::compute(SURNAME, "Lucia", 'F', date("1980-01-01"), "F205")
}

fn person(store: &mut Store, actor: &Actor) -> PersonId {
    store
        .write(actor, |w| {
            registry::create_person(
                w,
                &PersonInput {
                    surname: SURNAME.into(),
                    name: "Lucia".into(),
                    codice_fiscale: Some(cf()),
                    ..Default::default()
                },
            )
        })
        .unwrap()
}

/// A second connection to the fixture's database, opened with the key like any tool would:
/// what someone who holds the key could do around Quartiere.
fn raw(f: &Fixture) -> Connection {
    let (key, _) = vault::unlock(f.dir.path(), "Giulia Operatrice", OPERATOR_PASS).unwrap();
    let conn = Connection::open(f.store.path()).unwrap();
    conn.execute_batch(&key.pragma()).unwrap();
    conn
}

fn problems(f: &Fixture) -> Vec<String> {
    audit::verify(&f.store, &f.actor).unwrap().problems.into_iter().map(|p| format!("{}: {}", p.seq, p.what)).collect()
}

#[test]
fn reads_edits_logins_and_failed_unlocks_are_recorded_without_naming_anyone() {
    let mut f = fixture();
    let coordinator = f.actor;
    let id = person(&mut f.store, &coordinator);
    registry::get_person(&mut f.store, &coordinator, id).unwrap();
    // Reading the same record again straight away is one consultation, not two.
    registry::get_person(&mut f.store, &coordinator, id).unwrap();

    // A wrong passphrase is noted before the database is open, without the passphrase or name.
    let dir = f.dir.path().to_path_buf();
    drop(f.store);
    let wrong = accounts::sign_in(&dir, "Giulia Operatrice", "non è questa", clock(), IdGen::seeded(8));
    assert!(matches!(wrong, Err(Error::WrongCredentials)));
    let unknown = accounts::sign_in(&dir, "Chi Sarà", "non è questa", clock(), IdGen::seeded(8));
    assert!(matches!(unknown, Err(Error::WrongCredentials)));
    let pending = std::fs::read_to_string(dir.join(audit::PENDING_FILE_NAME)).unwrap();
    assert_eq!(pending.lines().count(), 2);
    assert!(!pending.contains("non è questa") && !pending.contains("Chi Sarà"), "{pending}");

    // The next sign-in moves them into the chain.
    f.store = reopen(&dir, 9);
    assert!(!dir.join(audit::PENDING_FILE_NAME).exists());
    let all = audit::list(&f.store, &coordinator, &AuditFilter::default()).unwrap();
    let kinds = |k: AuditKind| all.iter().filter(|e| e.kind == k).count();
    assert_eq!(kinds(AuditKind::Read), 1, "{all:#?}");
    assert_eq!(kinds(AuditKind::FailedUnlock), 2);
    assert_eq!(kinds(AuditKind::Login), 2, "creating the desk and signing in again");
    assert!(kinds(AuditKind::Edit) >= 2, "the desk's creation and the person");
    let failed: Vec<_> = all.iter().filter(|e| e.kind == AuditKind::FailedUnlock).collect();
    assert!(failed.iter().any(|e| e.subject_label.as_deref() == Some("Giulia Operatrice")));
    assert!(failed.iter().any(|e| e.detail == "nome non riconosciuto"));
    let read = all.iter().find(|e| e.kind == AuditKind::Read).unwrap();
    assert_eq!(read.subject_id.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(read.subject_label.as_deref(), Some(format!("{SURNAME} Lucia").as_str()), "shown to the coordinator");

    // Filters: by record, by kind.
    let about = AuditFilter { subject: Some(id.0), ..Default::default() };
    let about = audit::list(&f.store, &coordinator, &about).unwrap();
    assert!(about.iter().all(|e| e.subject_id.as_deref() == Some(id.to_string().as_str())));
    assert!(about.iter().any(|e| e.kind == AuditKind::Edit) && about.iter().any(|e| e.kind == AuditKind::Read));
    let logins =
        audit::list(&f.store, &coordinator, &AuditFilter { kind: Some(AuditKind::Login), ..Default::default() });
    assert_eq!(logins.unwrap().len(), 2);

    // The log itself holds ids, never the person's name or codice fiscale.
    let stored: String = f
        .store
        .conn()
        .query_row(
            "SELECT group_concat(coalesce(subject_id, '') || detail || coalesce(digest, ''), '|') FROM audit_event",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!stored.contains(SURNAME) && !stored.contains(&cf()), "{stored}");
    assert!(audit::verify(&f.store, &coordinator).unwrap().intact());
}

#[test]
fn nobody_writes_or_edits_the_log_through_the_write_path() {
    let mut f = fixture();
    let coordinator = f.actor;
    let events = count(&f.store, "SELECT count(*) FROM audit_event");
    let forged = f.store.write(&coordinator, |w| {
        let id = w.new_id();
        w.insert(Table::AuditEvent, id, &[("kind", "login".to_string().into())])
    });
    assert!(matches!(&forged, Err(Error::Forbidden { message }) if message.contains("registro degli accessi")));
    let some: String = f.store.conn().query_row("SELECT id FROM audit_event LIMIT 1", [], |r| r.get(0)).unwrap();
    let edited = f.store.write(&coordinator, |w| {
        w.update(
            Table::AuditEvent,
            uuid::Uuid::parse_str(&some).unwrap(),
            &[("detail", "ritoccato".to_string().into())],
        )
    });
    assert!(matches!(edited, Err(Error::Forbidden { .. })));
    assert_eq!(count(&f.store, "SELECT count(*) FROM audit_event"), events, "nothing written");

    // Only the coordinator browses it.
    let tutor = operator_with_role(&mut f, "Tina Tutor", quartiere_core::access::Role::Tutor);
    let refused = audit::list(&f.store, &tutor, &AuditFilter::default()).unwrap_err();
    assert!(refused.to_string().contains("registro degli accessi"), "{refused}");
}

#[test]
fn the_chain_shows_an_edited_removed_or_rehashed_event_and_a_rewritten_change() {
    let mut f = fixture();
    let coordinator = f.actor;
    let id = person(&mut f.store, &coordinator);
    registry::get_person(&mut f.store, &coordinator, id).unwrap();
    audit::record(&mut f.store, &coordinator, AuditKind::Print, Some((Table::Person, id.0)), "scheda stampata")
        .unwrap();
    assert!(problems(&f).is_empty(), "{:?}", problems(&f));
    let conn = raw(&f);
    let read_seq: i64 = conn.query_row("SELECT seq FROM audit_event WHERE kind = 'read'", [], |r| r.get(0)).unwrap();

    // 1. An edited event: its own hash no longer matches.
    conn.execute("UPDATE audit_event SET operator_id = 'qualcun altro' WHERE kind = 'read'", []).unwrap();
    let found = problems(&f);
    assert!(found.iter().any(|p| p.starts_with(&format!("{read_seq}: l'evento è stato modificato"))), "{found:?}");

    // 2. The same edit with the hash recomputed (the rule is public): the next event's link breaks.
    // Every hashed field of the event, as text (the sequence number in decimal), in the rule's order.
    let fields: Vec<Option<String>> = conn
        .query_row(
            "SELECT id, desk_id, CAST(seq AS TEXT), at, operator_id, kind, subject_table, subject_id, detail, batch,
                    digest, prev_hash
             FROM audit_event WHERE kind = 'read'",
            [],
            |r| (0..12).map(|i| r.get::<_, Option<String>>(i)).collect(),
        )
        .unwrap();
    let fields: [Option<String>; 12] = fields.try_into().unwrap();
    conn.execute("UPDATE audit_event SET hash = ?1 WHERE kind = 'read'", [independent_hash(&fields)]).unwrap();
    let found = problems(&f);
    assert!(!found.iter().any(|p| p.starts_with(&format!("{read_seq}: l'evento è stato modificato"))), "{found:?}");
    assert!(found.iter().any(|p| p.starts_with(&format!("{}: l'evento non si aggancia", read_seq + 1))), "{found:?}");

    // The re-hashed event also differs from the one the change record kept when it was written.
    assert!(found.iter().any(|p| p.starts_with(&format!("{read_seq}: l'evento non è quello registrato"))), "{found:?}");

    // 3. A removed event, even the last one (no later link to break): the change record still has it.
    let last: i64 = conn.query_row("SELECT max(seq) FROM audit_event", [], |r| r.get(0)).unwrap();
    conn.execute("DELETE FROM audit_event WHERE seq = ?1", [last]).unwrap();
    let found = problems(&f);
    assert!(found.iter().any(|p| p.starts_with(&format!("{last}: l'evento è stato rimosso"))), "{found:?}");
    // A removed event in the middle also leaves a gap.
    conn.execute("DELETE FROM audit_event WHERE seq = 2", []).unwrap();
    let found = problems(&f);
    assert!(found.iter().any(|p| p.contains("mancano gli eventi da 2 a 2")), "{found:?}");

    // 4. A change rewritten in the change record: the edit event's digest no longer matches.
    conn.execute("UPDATE change_log SET value = 'Altracognome' WHERE tbl = 'person' AND col = 'surname'", []).unwrap();
    let found = problems(&f);
    assert!(found.iter().any(|p| p.contains("non corrispondono più")), "{found:?}");
}

/// The hash rule as `docs/audit-log.md` writes it, implemented again here.
fn independent_hash(fields: &[Option<String>; 12]) -> String {
    let mut h = Sha256::new();
    h.update(b"quartiere-audit/1");
    for field in fields {
        match field {
            Some(text) => {
                h.update((text.len() as u32).to_be_bytes());
                h.update(text.as_bytes());
            }
            None => h.update([0xff; 4]),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_dpo_export_holds_every_event_with_hashes_anyone_can_recompute() {
    let mut f = fixture();
    let coordinator = f.actor;
    let id = person(&mut f.store, &coordinator);
    registry::get_person(&mut f.store, &coordinator, id).unwrap();
    let out = f.dir.path().join("registro-accessi.json");
    let report = audit::export_for_dpo(&mut f.store, &coordinator, &out).unwrap();
    assert!(report.intact(), "{report:?}");

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(json["format"], "quartiere-audit-export/1");
    assert_eq!(json["exported_by"], "Giulia Operatrice");
    let events = json["events"].as_array().unwrap();
    assert_eq!(events.len() as i64, count(&f.store, "SELECT count(*) FROM audit_event"));
    assert_eq!(events.last().unwrap()["kind"], "export", "the export records itself");
    let mut previous = String::new();
    for e in events {
        let text = |k: &str| e[k].as_str().map(str::to_string);
        let fields = [
            text("id"),
            text("desk_id"),
            Some(e["seq"].as_i64().unwrap().to_string()),
            text("at"),
            text("operator_id"),
            text("kind"),
            text("subject_table"),
            text("subject_id"),
            text("detail"),
            text("batch"),
            text("digest"),
            text("prev_hash"),
        ];
        assert_eq!(independent_hash(&fields), e["hash"].as_str().unwrap(), "{e}");
        assert_eq!(e["prev_hash"].as_str().unwrap(), previous);
        previous = e["hash"].as_str().unwrap().to_string();
    }
    assert_eq!(json["check"]["head"].as_str().unwrap(), previous);
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(!exported.contains(SURNAME) && !exported.contains(&cf()), "pseudonymised: ids only");

    let csv = std::fs::read_to_string(out.with_extension("csv")).unwrap();
    assert!(csv.starts_with("postazione,n.,data e ora (UTC),operatore,evento"), "{csv}");
    assert!(csv.contains("consultazione") && csv.contains("Giulia Operatrice"));
    assert_eq!(csv.lines().count(), events.len() + 1);
}

/// A desk or an operator named like a formula stays text when the DPO opens the CSV.
#[test]
fn names_written_as_formulas_stay_text_in_the_dpo_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = new_desk(dir.path(), "=HYPERLINK(\"http://x.example\";\"Apri\")", "+Giulia", clock(), 3);
    let out = dir.path().join("registro.json");
    audit::export_for_dpo(&mut store, &actor, &out).unwrap();
    let csv = std::fs::read_to_string(out.with_extension("csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "'=HYPERLINK(\"http://x.example\";\"Apri\")");
    assert_eq!(&first[3], "'+Giulia");
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
}

/// A write says what it inserted and what it changed, and names its one subject; a bulk write (the
/// demo load) names no resident, since it is about all of them.
#[test]
fn an_edit_event_says_what_was_inserted_or_changed_and_about_whom() {
    let mut f = fixture();
    let actor = f.actor;
    let id = person(&mut f.store, &actor);
    let edits = |f: &Fixture| {
        let filter = AuditFilter { kind: Some(AuditKind::Edit), ..Default::default() };
        audit::list(&f.store, &f.actor, &filter).unwrap()
    };
    let created = &edits(&f)[0];
    assert_eq!(created.detail, "inseriti: persona");
    assert_eq!(created.subject_id.as_deref(), Some(id.to_string().as_str()));

    let input = PersonInput {
        surname: SURNAME.into(),
        name: "Lucia".into(),
        phone: Some("02 1234".into()),
        ..Default::default()
    };
    f.store.write(&actor, |w| registry::update_person(w, id, &input)).unwrap();
    let changed = &edits(&f)[0];
    assert_eq!(changed.detail, "modificati: persona");
    assert_eq!(changed.subject_label.as_deref(), Some("Abbondanza Lucia"));

    quartiere_core::demo::generate(
        &mut f.store,
        &actor,
        &quartiere_core::demo::DemoConfig { households: 5, people: None, seed: 7, today: today() },
    )
    .unwrap();
    let load = &edits(&f)[0];
    assert!(load.detail.starts_with("inseriti: "), "{}", load.detail);
    assert!(load.detail.contains("persona ×"), "{}", load.detail);
    assert_eq!((load.subject_id.as_deref(), load.subject_label.as_deref()), (None, None), "{}", load.detail);
}
