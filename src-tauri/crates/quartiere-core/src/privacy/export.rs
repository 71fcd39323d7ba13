//! The answer to an access request (GDPR art. 15): everything Quartiere holds about a person,
//! as JSON and as a PDF from the `accesso` template.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::json;

use super::{load_consents, request, ConsentView};
use crate::access::{self, Action};
use crate::audit::{self, AuditFilter, AuditKind};
use crate::codes::{Channel, Topic};
use crate::desk::{self, ContactFilter, NoteSubject};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::PersonId;
use crate::registry;
use crate::schema::Table;
use crate::store::{Actor, Store};

/// Everything Quartiere holds about a person, as the JSON export carries it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AccessExport {
    pub format: &'static str,
    pub exported_at: String,
    pub controller_note: &'static str,
    pub person: registry::Person,
    pub households: Vec<HouseholdLine>,
    pub desk_contacts: Vec<desk::DeskContactView>,
    pub notes: Vec<desk::Note>,
    pub consents: Vec<ConsentView>,
    pub requests: Vec<RequestLine>,
    /// Courses and job-search paths, and the ESF participant record.
    pub courses: Vec<crate::training::PersonCourse>,
    pub esf: Option<crate::training::esf::EsfRecord>,
    /// Work placements and hours given back to the community.
    pub work: crate::training::placements::WorkPath,
    /// Their cases (prese in carico), goals and referrals, as lines.
    pub cases: Vec<String>,
    /// Arrears of the households they are the tenant of: assessments and repayment plans, as lines.
    pub arrears: Vec<String>,
    /// Who read or changed this person's record, and when.
    pub accesses: Vec<audit::AuditEntry>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct HouseholdLine {
    pub address: String,
    pub relationship: Option<String>,
    pub resident_since: Option<String>,
    pub left_on: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct RequestLine {
    pub kind: String,
    pub received_on: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
}

/// The files an access export wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessFiles {
    pub json: String,
    pub pdf: String,
}

/// Answers an access request (art. 15): writes `<stem>.json` and `<stem>.pdf` with everything
/// about the person, records the request and the export. Needs [`Action::Rights`].
pub fn export_person(
    store: &mut Store,
    actor: &Actor,
    person: PersonId,
    path: &Path,
    today: NaiveDate,
) -> Result<AccessFiles> {
    access::require(store.conn(), actor, Action::Rights)?;
    let conn = store.conn();
    let record = registry::load_person(conn, person)?;
    let households = {
        let mut stmt = conn.prepare(
            "SELECT d.street, d.civic, d.scala, d.piano, d.interno, m.relationship, m.resident_since, m.left_on
             FROM membership m JOIN household h ON h.id = m.household_id JOIN dwelling d ON d.id = h.dwelling_id
             WHERE m.person_id = ?1 AND m.deleted = 0 ORDER BY m.resident_since",
        )?;
        let rows = stmt.query_map([person], |r| {
            Ok(HouseholdLine {
                address: registry::address_at(r, 0)?.unwrap_or_default(),
                relationship: r.get(5)?,
                resident_since: r.get(6)?,
                left_on: r.get(7)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let requests = {
        let mut stmt = conn.prepare(
            "SELECT kind, received_on, outcome, reason FROM privacy_request WHERE person_id = ?1 AND deleted = 0
             ORDER BY received_on",
        )?;
        let rows = stmt.query_map([person], |r| {
            Ok(RequestLine { kind: r.get(0)?, received_on: r.get(1)?, outcome: r.get(2)?, reason: r.get(3)? })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let consents = load_consents(conn, person)?;
    // The export is an access recorded before the files are written, so their list of accesses ends
    // with it; the request counts as answered once the files exist.
    audit::record(store, actor, AuditKind::Export, Some((Table::Person, person.0)), "richiesta di accesso")?;
    let desk_contacts =
        desk::list_contacts(store, actor, &ContactFilter { person: Some(person), ..Default::default() })?;
    let notes = desk::notes(store, actor, NoteSubject::Person(person))?;
    let courses = crate::training::of_person(store, actor, person)?;
    let esf = crate::training::esf::record(store, actor, person)?;
    let cases = crate::cases::rights::access_lines(store.conn(), person)?;
    let work = crate::training::placements::load_work_path(store.conn(), person)?;
    let arrears = crate::arrears::rights::access_lines(store.conn(), person, today)?;
    let accesses = audit::list(store, actor, &AuditFilter { subject: Some(person.0), ..Default::default() })?;
    let export = AccessExport {
        format: "quartiere-access-export/1",
        exported_at: store.now().to_rfc3339(),
        controller_note:
            "Dati trattati dal laboratorio sociale di quartiere per conto del Comune (titolare del trattamento).",
        person: record,
        households,
        desk_contacts,
        notes,
        consents,
        requests,
        courses,
        esf,
        work,
        cases,
        arrears,
        accesses,
    };
    let json_path = path.with_extension("json");
    let pdf_path = path.with_extension("pdf");
    crate::files::write_whole(&json_path, &serde_json::to_vec_pretty(&export).expect("json of an access export"))?;
    // The document's id: the person's short id and the day, stable for the same answer.
    let id = format!("AC-{}-{}", &person.0.simple().to_string()[..8].to_uppercase(), today.format("%Y%m%d"));
    let pdf = quartiere_docs::render(&quartiere_docs::Request {
        template: "accesso",
        data: &access_document(&export, today, &id),
        id: &id,
        date: today,
        lab_templates: Some(&quartiere_docs::lab_folder(store.dir())),
    })
    .map_err(|e| Error::Document(e.to_string()))?;
    crate::files::write_whole(&pdf_path, &pdf)?;
    store.write(actor, |w| request(w, person, "access", today, "exported", ""))?;
    Ok(AccessFiles { json: json_path.display().to_string(), pdf: pdf_path.display().to_string() })
}

/// The access export as its document's data (template `accesso.typ`): sections of labelled fields
/// and lines, every sentence already in Italian and said by the person's sex.
fn access_document(e: &AccessExport, today: NaiveDate, id: &str) -> serde_json::Value {
    let p = &e.person;
    let sex = p.sex;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "non indicato".into());
    let section = |title: &str, fields: Vec<(&str, String)>, lines: Vec<String>, empty: &str| {
        json!({ "titolo": title, "campi": fields.into_iter().map(|(l, v)| [l.to_string(), v]).collect::<Vec<_>>(),
                "righe": lines, "vuoto": empty })
    };
    let answer = |a: Option<crate::codes::EsfAnswer>| a.map(|a| a.label_it()).unwrap_or("non indicato").to_string();
    let registry_fields = vec![
        ("Cognome e nome", format!("{} {}", p.surname, p.name)),
        ("Codice fiscale", opt(&p.codice_fiscale)),
        ("Sesso", p.sex.map(|s| s.to_string()).unwrap_or_else(|| "non indicato".into())),
        ("Data di nascita", p.birth_date.map(format::date).unwrap_or_else(|| "non indicata".into())),
        ("Luogo di nascita", opt(&p.birth_place)),
        ("Cittadinanza", opt(&p.citizenship)),
        ("Telefono", opt(&p.phone)),
        ("E-mail", opt(&p.email)),
    ];
    let esf_fields = vec![
        (
            "Condizione occupazionale",
            p.esf.labour_status.map(|l| format::agree(l.label_it(), sex)).unwrap_or_else(|| "non indicata".into()),
        ),
        ("Titolo di studio (ISCED)", p.esf.isced.map(|i| i.label_it()).unwrap_or("non indicato").to_string()),
        ("Migrante o di origine straniera", answer(p.esf.migrant)),
        ("Disabilità", answer(p.esf.disability)),
        ("Altro svantaggio", answer(p.esf.other_disadvantage)),
        ("Senza dimora", answer(p.esf.homeless)),
        ("Zona rurale", answer(p.esf.rural)),
    ];
    let households = e
        .households
        .iter()
        .map(|h| {
            let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse().ok()).map(format::date);
            let relationship = h
                .relationship
                .as_deref()
                .and_then(crate::codes::Relationship::from_code)
                .map(|r| r.label_it_for(sex))
                .or_else(|| h.relationship.clone())
                .unwrap_or_default();
            format!(
                "{} — {}{}{}",
                h.address,
                relationship,
                day(&h.resident_since).map(|d| format!(", dal {d}")).unwrap_or_default(),
                day(&h.left_on)
                    .map(|l| format!(", {} il {l}", format::by_sex(sex, "uscito", "uscita")))
                    .unwrap_or_default()
            )
        })
        .collect();
    let mut contacts = Vec::new();
    for c in &e.desk_contacts {
        let topics: Vec<&str> = c.topics.iter().map(|t: &Topic| t.label_it()).collect();
        contacts.push(format!(
            "{} — {} — {} (operatore: {})",
            c.occurred_at.format("%d/%m/%Y %H:%M"),
            c.channel.map(|ch: Channel| ch.label_it()).unwrap_or("canale non indicato"),
            if topics.is_empty() { "nessun tema".to_string() } else { topics.join(", ") },
            c.operator
        ));
        if let Some(note) = &c.note {
            contacts.push(format!("Nota: {note}"));
        }
        for r in &c.referrals {
            contacts.push(format!("{} a {}: {}", format::by_sex(sex, "Inviato", "Inviata"), r.to, r.reason));
        }
        if let Some(day) = c.follow_up_on {
            contacts.push(format!("Richiamo previsto il {}", format::date(day)));
        }
    }
    let notes = e.notes.iter().map(|n| format!("{} ({}): {}", n.written_at, n.operator, n.body)).collect();
    let consents = e
        .consents
        .iter()
        .map(|c| {
            format!(
                "{}, versione {}: {}{}",
                c.kind.label(),
                c.version,
                c.given_on.map(|d| format!("dato il {}", format::date(d))).unwrap_or_default(),
                c.withdrawn_on.map(|d| format!(", revocato il {}", format::date(d))).unwrap_or_default()
            )
        })
        .collect();
    let requests = e
        .requests
        .iter()
        .map(|r| {
            format!(
                "{} ricevuta il {}: {}{}",
                if r.kind == "access" { "Accesso" } else { "Cancellazione" },
                r.received_on.as_deref().and_then(|d| d.parse().ok()).map(format::date).unwrap_or_default(),
                r.outcome.clone().unwrap_or_default(),
                r.reason.as_deref().filter(|s| !s.is_empty()).map(|s| format!(" ({s})")).unwrap_or_default()
            )
        })
        .collect();
    let accesses = e
        .accesses
        .iter()
        .map(|a| {
            format!(
                "{} — {} — {} ({})",
                a.at.get(..16).unwrap_or(&a.at).replace('T', " "),
                a.operator,
                a.kind.label(),
                a.desk
            )
        })
        .collect();
    let training = training_lines(e, sex);
    json!({
        "titolo": format!("Dati personali di {} {}", p.surname, p.name),
        "preparato": format!("Risposta alla richiesta di accesso (art. 15 GDPR), preparata il {}.", format::date_long(today)),
        "titolare": e.controller_note,
        "id": id,
        "sezioni": [
            section("Anagrafica", registry_fields, vec![], ""),
            section("Dati per il Fondo Sociale Europeo", esf_fields, vec![], ""),
            section("Nuclei familiari", vec![], households, "Nessuno."),
            section("Contatti con lo sportello di ascolto", vec![], contacts, "Nessuno."),
            section("Note", vec![], notes, "Nessuna."),
            section("Formazione e lavoro", vec![], training, "Nessun corso o percorso."),
            section("Prese in carico", vec![], e.cases.clone(), "Nessuna."),
            section("Morosità e piani di rientro del nucleo", vec![], e.arrears.clone(), "Nessuno."),
            section("Informative e consensi", vec![], consents, "Nessuno registrato."),
            section("Richieste dell'interessato", vec![], requests, "Nessuna."),
            section("Chi ha consultato o modificato questi dati", vec![], accesses, "Nessuno."),
        ]
    })
}

/// The access export's lines about courses and the ESF participant record.
fn training_lines(e: &AccessExport, sex: Option<char>) -> Vec<String> {
    let mut lines: Vec<String> = e
        .courses
        .iter()
        .map(|c| {
            let state = match (c.state.as_str(), c.position) {
                ("iscritto", _) => format::by_sex(sex, "iscritto", "iscritta"),
                ("in_attesa", Some(p)) => format!("in lista d'attesa (posizione {p})"),
                ("in_attesa", None) => "in lista d'attesa".to_string(),
                _ => format::by_sex(sex, "ritirato", "ritirata"),
            };
            let hours = if c.minutes > 0 {
                format!(", {} di presenza", format::duration(i64::from(c.minutes)))
            } else {
                String::new()
            };
            format!("{} ({}): {state}{hours}", c.title, c.kind.label_it())
        })
        .collect();
    if let Some(r) = &e.esf {
        lines.push(format!(
            "Scheda FSE: ingresso il {}, {}, {}{}; informativa versione {} del {}",
            format::date(r.entry_on),
            r.age_band.label_it(),
            format::agree(r.labour_status.label_it(), sex),
            r.isced.map(|i| format!(", {}", i.label_it())).unwrap_or_default(),
            r.notice_version,
            format::date(r.notice_on)
        ));
        for (question, answer) in r.sensitive.iter().flatten() {
            lines.push(format!("Scheda FSE, {question}: {}", answer.label_it()));
        }
        if let Some(exit) = r.exit_on {
            lines.push(format!(
                "Uscita il {}{}{}",
                format::date(exit),
                r.exit_reason.map(|x| format!(": {}", format::agree(x.label_it(), sex))).unwrap_or_default(),
                r.result_exit.map(|x| format!("; all'uscita {}", format::agree(x.label_it(), sex))).unwrap_or_default()
            ));
        }
        if let Some(result) = r.result_6m {
            lines.push(format!("A sei mesi dall'uscita: {}", format::agree(result.label_it(), sex)));
        }
    }
    for p in &e.work.placements {
        lines.push(format!(
            "Tirocinio presso {}{} dal {}{}{}",
            p.host,
            p.role.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(),
            format::date(p.starts_on),
            p.ends_on.map(|d| format!(" al {}", format::date(d))).unwrap_or_default(),
            p.outcome.as_ref().map(|o| format!(": {o}")).unwrap_or_default()
        ));
    }
    for c in &e.work.community {
        lines.push(format!(
            "Restituzione alla comunità il {}: {} ({})",
            format::date(c.given_on),
            format::duration(i64::from(c.minutes)),
            c.description
        ));
    }
    lines
}

/// Where an access export for `person` is suggested to be saved.
pub fn suggested_name(person: &registry::Person, today: NaiveDate) -> PathBuf {
    let clean: String = format!("{}-{}", person.surname, person.name)
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    PathBuf::from(format!("accesso-dati-{clean}-{}", today.format("%Y-%m-%d")))
}
