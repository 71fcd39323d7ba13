//! The rights of the people in the registry (GDPR arts. 7, 15, 17) and retention:
//! - the privacy notice and consents each person was given: kind, version, date, withdrawal;
//! - an access request: everything Quartiere holds about a person, as JSON and as PDF;
//! - an erasure request: the person's identity erased (or pseudonymised, keeping the figures the
//!   project reports) everywhere it is kept, history included, unless a legal hold applies (ESF
//!   audit retention), in which case the request and its reason are recorded and nothing erased;
//! - retention rules per record type that flag what has been kept past its time.
//!
//! Erasing purges the change record too: the old values of the erased fields become NULL in
//! `change_log` (the rows stay, so a bundle delivered again is still recognised and not re-applied),
//! the writes they belonged to are listed in `purged_batch` for the audit check, and the database is
//! checkpointed and vacuumed with `secure_delete` on, so neither the file nor its write-ahead log
//! keeps the old pages. Other desks purge their own history when the erasure reaches them.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::audit::{self, AuditFilter, AuditKind};
use crate::codes::{Channel, Topic};
use crate::desk::{self, ContactFilter, NoteSubject};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::PersonId;
use crate::registry;
use crate::schema::Table;
use crate::store::{meta_get, meta_set, Actor, Store, Writer};

/// What was given to the person and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Informativa sul trattamento dei dati (art. 13): given, not consented.
    Notice,
    /// Consenso al trattamento di dati particolari (salute, disabilità: art. 9).
    SpecialCategories,
    /// Consenso a foto e riprese durante eventi e assemblee.
    Images,
    /// Consenso alla comunicazione dei dati ad altri enti (a case's referral that shares them).
    DataSharing,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 4] =
        [ConsentKind::Notice, ConsentKind::SpecialCategories, ConsentKind::Images, ConsentKind::DataSharing];

    pub fn code(self) -> &'static str {
        match self {
            ConsentKind::Notice => "notice",
            ConsentKind::SpecialCategories => "special_categories",
            ConsentKind::Images => "images",
            ConsentKind::DataSharing => "data_sharing",
        }
    }

    pub fn from_code(code: &str) -> Option<ConsentKind> {
        ConsentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ConsentKind::Notice => "Informativa sul trattamento dei dati",
            ConsentKind::SpecialCategories => "Consenso al trattamento di dati particolari",
            ConsentKind::Images => "Consenso a foto e riprese",
            ConsentKind::DataSharing => "Consenso alla comunicazione dei dati ad altri enti",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentView {
    pub id: String,
    pub kind: ConsentKind,
    pub version: String,
    pub given_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

/// Records that a person was given the notice (or gave a consent) in `version` on `given_on`.
pub fn record_consent(
    w: &mut Writer<'_>,
    person: PersonId,
    kind: ConsentKind,
    version: &str,
    given_on: NaiveDate,
) -> Result<Uuid> {
    let version = version.trim();
    if version.is_empty() {
        return Err(Error::invalid(
            "version",
            "indica la versione dell'informativa o del modulo (per esempio «2026-01»)",
        ));
    }
    registry::load_person(w.conn(), person)?;
    let id = w.new_id();
    w.insert(
        Table::Consent,
        id,
        &[
            ("person_id", person.to_string().into()),
            ("kind", kind.code().to_string().into()),
            ("version", version.to_string().into()),
            ("given_on", given_on.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Records the withdrawal of a consent (the record of having given it stays).
pub fn withdraw_consent(w: &mut Writer<'_>, consent: Uuid, on: NaiveDate) -> Result<()> {
    let given: Option<Option<String>> = w
        .conn()
        .query_row("SELECT given_on FROM consent WHERE id = ?1 AND deleted = 0", [consent.to_string()], |r| r.get(0))
        .optional()?;
    let Some(given) = given else { return Err(Error::NotFound { what: "consenso", key: consent.to_string() }) };
    if given.as_deref().and_then(|g| g.parse::<NaiveDate>().ok()).is_some_and(|g| on < g) {
        return Err(Error::invalid("withdrawn_on", "la revoca non può precedere il consenso"));
    }
    w.update(Table::Consent, consent, &[("withdrawn_on", on.to_string().into())]).map(drop)
}

/// A person's notices and consents, newest first. Needs [`Action::ReadRegistry`].
pub fn consents(store: &Store, actor: &Actor, person: PersonId) -> Result<Vec<ConsentView>> {
    access::require(store.conn(), actor, Action::ReadRegistry)?;
    load_consents(store.conn(), person)
}

fn load_consents(conn: &Connection, person: PersonId) -> Result<Vec<ConsentView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, coalesce(version, ''), given_on, withdrawn_on FROM consent
         WHERE person_id = ?1 AND deleted = 0 ORDER BY given_on DESC, id DESC",
    )?;
    let date = |s: Option<String>| s.and_then(|s| s.parse().ok());
    let rows = stmt.query_map([person], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, version, given, withdrawn) = row?;
        let Some(kind) = kind.as_deref().and_then(ConsentKind::from_code) else { continue };
        out.push(ConsentView { id, kind, version, given_on: date(given), withdrawn_on: date(withdrawn) });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Legal hold and erasure

/// Until when ESF participant data must be kept for the funders' audits, unless the desk's
/// setting `esf_hold_until` says otherwise (Reg. EU 1303/2013 art. 140: the documents of an
/// operation are kept for years after the programme's accounts; the managing authority sets the
/// date, which the coordinator enters).
pub const DEFAULT_ESF_HOLD_UNTIL: &str = "2030-12-31";

/// Why a person's data must be kept, and until when, if they must.
pub fn legal_hold(store: &Store, person: PersonId, today: NaiveDate) -> Result<Option<(NaiveDate, String)>> {
    let until = store
        .local_setting("esf_hold_until")?
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or_else(|| DEFAULT_ESF_HOLD_UNTIL.parse().expect("a date"));
    let esf: bool = store.conn().query_row(
        "SELECT coalesce(esf_labour_status, esf_isced, esf_migrant, esf_disability, esf_other_disadvantage,
                         esf_homeless, esf_rural) IS NOT NULL
                OR EXISTS (SELECT 1 FROM esf_participant WHERE person_id = ?1 AND deleted = 0)
         FROM person WHERE id = ?1",
        [person],
        |r| r.get(0),
    )?;
    Ok((esf && today <= until).then(|| {
        (
            until,
            format!(
                "partecipante a un'attività finanziata dal Fondo Sociale Europeo: i dati vanno conservati per i \
                 controlli fino al {}",
                format::date(until)
            ),
        )
    }))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErasureMode {
    /// Identity and every personal detail erased; the person stays as «Persona cancellata» in the
    /// households' history and the counts.
    Erase,
    /// Identity erased, the figures the project reports kept (sex, citizenship, ESF answers).
    Pseudonymise,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ErasureOutcome {
    Erased,
    Pseudonymised,
    /// Nothing erased: the request and the reason are recorded, and the retention check will
    /// flag the person when the hold ends.
    Held {
        until: NaiveDate,
        reason: String,
    },
}

/// The person's columns an erasure clears (all of them for [`ErasureMode::Erase`]).
const IDENTITY: [&str; 8] =
    ["surname", "name", "birth_date", "birth_place", "codice_fiscale", "phone", "email", "created_at"];
const DETAILS: [&str; 9] = [
    "sex",
    "citizenship",
    "esf_labour_status",
    "esf_isced",
    "esf_migrant",
    "esf_disability",
    "esf_other_disadvantage",
    "esf_homeless",
    "esf_rural",
];
const ERASED_TEXT: &str = "[testo cancellato su richiesta dell'interessato]";

/// Answers an erasure request. Needs [`Action::Rights`] (the coordinator). Under a legal hold
/// nothing is erased and the request is recorded as held; otherwise the person's identity (and for
/// [`ErasureMode::Erase`] every detail), the notes about them and their contacts, and the reasons
/// of their referrals are erased in one write, the desk's history of them purged, and the file
/// compacted. `reason` is the request as the operator records it (no personal data needed).
pub fn erase_person(
    store: &mut Store,
    actor: &Actor,
    person: PersonId,
    mode: ErasureMode,
    reason: &str,
    today: NaiveDate,
) -> Result<ErasureOutcome> {
    access::require(store.conn(), actor, Action::Rights)?;
    registry::load_person(store.conn(), person)?;
    let erased_on: Option<String> =
        store.conn().query_row("SELECT erased_on FROM person WHERE id = ?1", [person], |r| r.get(0))?;
    if erased_on.is_some() {
        return Err(Error::Forbidden { message: "i dati di questa persona sono già stati cancellati".into() });
    }
    let reason = reason.trim().to_string();
    if let Some((until, why)) = legal_hold(store, person, today)? {
        store
            .write(actor, |w| request(w, person, "erasure", today, "held", &format!("{reason} — trattenuta: {why}")))?;
        return Ok(ErasureOutcome::Held { until, reason: why });
    }
    let now = store.now().to_rfc3339();
    store.write(actor, |w| {
        let mut values: Vec<(&str, Value)> = IDENTITY.iter().map(|c| (*c, Value::Null)).collect();
        let surname = match mode {
            ErasureMode::Erase => "Persona cancellata".to_string(),
            // A pseudonym from the record's own random id: stable, and says nothing about the person.
            ErasureMode::Pseudonymise => format!("Pseudonimo {}", &person.0.simple().to_string()[24..]),
        };
        values[0].1 = Value::Text(surname);
        values[1].1 = Value::Text(String::new());
        if mode == ErasureMode::Erase {
            values.extend(DETAILS.iter().map(|c| (*c, Value::Null)));
        }
        values.push(("erased_on", Value::Text(today.to_string())));
        w.update(Table::Person, person.0, &values)?;
        let rows = free_text_rows(w.conn(), person)?;
        for note in &rows.notes {
            w.update(Table::Note, *note, &[("body", ERASED_TEXT.to_string().into())])?;
        }
        for referral in &rows.referrals {
            w.update(Table::Referral, *referral, &[("reason", Value::Null)])?;
        }
        for enrolment in &rows.enrolments {
            let cleared: Vec<(&str, Value)> = ENROLMENT_TEXT.iter().map(|c| (*c, Value::Null)).collect();
            w.update(Table::Enrolment, *enrolment, &cleared)?;
        }
        // The ESF record past its hold: the birth date always goes (the age band stays); a full
        // erasure takes the sex and the sensitive answers too.
        for record in &rows.esf {
            let columns: &[&str] = match mode {
                ErasureMode::Erase => &ESF_DETAILS,
                ErasureMode::Pseudonymise => &ESF_DETAILS[..1],
            };
            let cleared: Vec<(&str, Value)> = columns.iter().map(|c| (*c, Value::Null)).collect();
            w.update(Table::EsfParticipant, *record, &cleared)?;
        }
        let outcome = match mode {
            ErasureMode::Erase => "erased",
            ErasureMode::Pseudonymise => "pseudonymised",
        };
        request(w, person, "erasure", today, outcome, &reason)?;
        purge_history(w.conn(), person, &now)?;
        Ok(())
    })?;
    compact(store)?;
    Ok(match mode {
        ErasureMode::Erase => ErasureOutcome::Erased,
        ErasureMode::Pseudonymise => ErasureOutcome::Pseudonymised,
    })
}

fn request(w: &mut Writer<'_>, person: PersonId, kind: &str, on: NaiveDate, outcome: &str, reason: &str) -> Result<()> {
    let id = w.new_id();
    w.insert(
        Table::PrivacyRequest,
        id,
        &[
            ("person_id", person.to_string().into()),
            ("kind", kind.to_string().into()),
            ("received_on", on.to_string().into()),
            ("outcome", outcome.to_string().into()),
            ("reason", reason.to_string().into()),
            ("handled_on", on.to_string().into()),
        ],
    )
}

/// The free text of a person's enrolments (why they were moved in the waiting list, why they left).
const ENROLMENT_TEXT: [&str; 2] = ["moved_reason", "left_reason"];
/// The ESF record's columns an erasure may clear: the birth date first (every erasure), then the rest.
const ESF_DETAILS: [&str; 7] =
    ["birth_date", "sex", "migrant", "disability", "other_disadvantage", "homeless", "rural"];

struct FreeText {
    notes: Vec<Uuid>,
    referrals: Vec<Uuid>,
    enrolments: Vec<Uuid>,
    esf: Vec<Uuid>,
}

/// The notes about a person and about their desk contacts, and their referrals: free text that
/// may name them.
fn free_text_rows(conn: &Connection, person: PersonId) -> Result<FreeText> {
    let ids = |sql: &str| -> Result<Vec<Uuid>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([person], |r| r.get::<_, String>(0))?;
        Ok(rows.filter_map(|r| r.ok()).filter_map(|s| Uuid::parse_str(&s).ok()).collect())
    };
    Ok(FreeText {
        notes: ids(
            "SELECT id FROM note WHERE (subject_table = 'person' AND subject_id = ?1)
                OR (subject_table = 'desk_contact' AND subject_id IN (SELECT id FROM desk_contact WHERE person_id = ?1))",
        )?,
        referrals: ids(
            "SELECT id FROM referral WHERE contact_id IN (SELECT id FROM desk_contact WHERE person_id = ?1)",
        )?,
        enrolments: ids("SELECT id FROM enrolment WHERE person_id = ?1")?,
        esf: ids("SELECT id FROM esf_participant WHERE person_id = ?1")?,
    })
}

/// Clears the old values of an erased person's fields from this desk's change record (every
/// change but the winning one of each cell, which is the erasure's), and from its conflicts.
pub(crate) fn purge_history(conn: &Connection, person: PersonId, now: &str) -> Result<()> {
    let rows = free_text_rows(conn, person)?;
    let mut cells: Vec<(&str, String, &str)> = Vec::new();
    for column in IDENTITY.iter().chain(DETAILS.iter()) {
        cells.push(("person", person.to_string(), column));
    }
    cells.extend(rows.notes.iter().map(|n| ("note", n.to_string(), "body")));
    cells.extend(rows.referrals.iter().map(|r| ("referral", r.to_string(), "reason")));
    for enrolment in &rows.enrolments {
        cells.extend(ENROLMENT_TEXT.iter().map(|c| ("enrolment", enrolment.to_string(), *c)));
    }
    for record in &rows.esf {
        cells.extend(ESF_DETAILS.iter().map(|c| ("esf_participant", record.to_string(), *c)));
    }
    let mut mark = conn.prepare_cached(
        "INSERT OR IGNORE INTO purged_batch (batch, purged_at)
         SELECT batch, ?5 FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 AND seq <> ?4 AND value IS NOT NULL",
    )?;
    let mut clear = conn.prepare_cached(
        "UPDATE change_log SET value = NULL WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 AND seq <> ?4 AND value IS NOT NULL",
    )?;
    let mut winner = conn.prepare_cached(
        "SELECT seq FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 ORDER BY hlc DESC, desk_id DESC LIMIT 1",
    )?;
    for (table, row, column) in &cells {
        let Some(keep) = winner.query_row(params![table, row, column], |r| r.get::<_, i64>(0)).optional()? else {
            continue;
        };
        mark.execute(params![table, row, column, keep, now])?;
        clear.execute(params![table, row, column, keep])?;
    }
    conn.execute(
        "UPDATE sync_conflict SET winner_value = NULL, loser_value = NULL, resolved_at = coalesce(resolved_at, ?2),
                resolution = coalesce(resolution, 'erased')
         WHERE (tbl = 'person' AND row_id = ?1)
            OR (tbl = 'note' AND row_id IN (SELECT id FROM note WHERE subject_id = ?1
                    OR subject_id IN (SELECT id FROM desk_contact WHERE person_id = ?1)))
            OR (tbl = 'referral' AND row_id IN (SELECT r.id FROM referral r JOIN desk_contact c ON c.id = r.contact_id
                    WHERE c.person_id = ?1))
            OR (tbl = 'enrolment' AND row_id IN (SELECT id FROM enrolment WHERE person_id = ?1))
            OR (tbl = 'esf_participant' AND row_id IN (SELECT id FROM esf_participant WHERE person_id = ?1))",
        params![person, now],
    )?;
    meta_set(conn, "privacy.compact_due", "1")?;
    Ok(())
}

/// Called by sync after merging a bundle: people whose erasure arrived in it have their history
/// purged at this desk too.
pub(crate) fn after_merge(conn: &Connection, erased: &[Uuid], now: &str) -> Result<()> {
    for person in erased {
        purge_history(conn, PersonId(*person), now)?;
    }
    Ok(())
}

/// Makes erased data unrecoverable from the files: the search index's segments rewritten, the
/// database vacuumed and its write-ahead log truncated (see [`Store::compact`]).
pub(crate) fn compact(store: &mut Store) -> Result<()> {
    store.compact(crate::search::optimize)
}

/// Whether a purge is waiting for the file to be compacted (see [`Store::compact`]).
pub(crate) fn compact_due(conn: &Connection) -> Result<bool> {
    Ok(meta_get(conn, "privacy.compact_due")?.is_some())
}

// ---------------------------------------------------------------------------------------------
// Access request

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
    use serde_json::json;
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
                ("iscritto", _) => format::agree("iscritto", sex),
                ("in_attesa", Some(p)) => format!("in lista d'attesa (posizione {p})"),
                ("in_attesa", None) => "in lista d'attesa".to_string(),
                _ => format::agree("ritirato", sex),
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
    lines
}

// ---------------------------------------------------------------------------------------------
// Retention

/// How long each kind of record is kept after its last use (years), before it is flagged.
pub const RETENTION_YEARS_CONTACT: i32 = 5;
pub const RETENTION_YEARS_PERSON: i32 = 5;

/// A record kept past its time, for the coordinator to review (and erase, if nothing holds it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetentionFlag {
    /// `person`, `desk_contact`, or `held_erasure`.
    pub kind: String,
    pub id: String,
    /// The person concerned (for the record's link), and their name as it is now.
    pub person: Option<String>,
    pub person_label: Option<String>,
    /// What is due and why, in Italian.
    pub why: String,
}

fn years_before(today: NaiveDate, years: i32) -> NaiveDate {
    today.with_year(today.year() - years).unwrap_or(today - chrono::Duration::days(365 * years as i64))
}

/// Records past their retention time, and held erasure requests whose hold has ended. Needs
/// [`Action::Rights`].
pub fn retention(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<RetentionFlag>> {
    access::require(store.conn(), actor, Action::Rights)?;
    let conn = store.conn();
    let mut out = Vec::new();
    let contact_limit = years_before(today, RETENTION_YEARS_CONTACT).to_string();
    let mut stmt = conn.prepare(
        "SELECT id, person_id, substr(occurred_at, 1, 10) FROM desk_contact
         WHERE deleted = 0 AND occurred_at < ?1 ORDER BY occurred_at",
    )?;
    for row in stmt.query_map([&contact_limit], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
    })? {
        let (id, person, day) = row?;
        let day = day.parse().map(format::date).unwrap_or(day);
        out.push(RetentionFlag {
            kind: "desk_contact".into(),
            id,
            person_label: label(conn, person.as_deref())?,
            person,
            why: format!("contatto allo sportello del {day}, oltre {RETENTION_YEARS_CONTACT} anni fa"),
        });
    }
    // People with no current household and nothing at the desk for years.
    let person_limit = years_before(today, RETENTION_YEARS_PERSON).to_string();
    let mut stmt = conn.prepare(
        "SELECT p.id FROM person p
         WHERE p.deleted = 0 AND p.erased_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.person_id = p.id AND m.deleted = 0
                             AND (m.left_on IS NULL OR m.left_on >= ?1))
           AND NOT EXISTS (SELECT 1 FROM desk_contact c WHERE c.person_id = p.id AND c.deleted = 0 AND c.occurred_at >= ?1)
           AND coalesce(p.created_at, '') < ?1",
    )?;
    let ids: Vec<String> = stmt.query_map([&person_limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let held = legal_hold(store, PersonId(crate::store::parse_uuid(&id)?), today)?;
        let why = match held {
            Some((until, _)) => format!(
                "nessun rapporto da oltre {RETENTION_YEARS_PERSON} anni; dati FSE da conservare fino al {}",
                format::date(until)
            ),
            None => format!("nessun rapporto da oltre {RETENTION_YEARS_PERSON} anni: valutare la cancellazione"),
        };
        let person_label = label(conn, Some(&id))?;
        out.push(RetentionFlag { kind: "person".into(), id: id.clone(), person: Some(id), person_label, why });
    }
    // Erasure requests held for ESF, whose hold has now ended.
    let mut stmt = conn.prepare(
        "SELECT r.id, r.person_id FROM privacy_request r JOIN person p ON p.id = r.person_id
         WHERE r.kind = 'erasure' AND r.outcome = 'held' AND r.deleted = 0 AND p.erased_on IS NULL",
    )?;
    let held: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (id, person) in held {
        if legal_hold(store, PersonId(crate::store::parse_uuid(&person)?), today)?.is_none() {
            out.push(RetentionFlag {
                kind: "held_erasure".into(),
                id,
                person_label: label(conn, Some(&person))?,
                person: Some(person),
                why: "richiesta di cancellazione trattenuta per il vincolo FSE, ora scaduto: va eseguita".into(),
            });
        }
    }
    Ok(out)
}

fn label(conn: &Connection, person: Option<&str>) -> Result<Option<String>> {
    let Some(person) = person else { return Ok(None) };
    Ok(conn.query_row("SELECT surname || ' ' || name FROM person WHERE id = ?1", [person], |r| r.get(0)).optional()?)
}

/// Where an access export for `person` is suggested to be saved.
pub fn suggested_name(person: &registry::Person, today: NaiveDate) -> PathBuf {
    let clean: String = format!("{}-{}", person.surname, person.name)
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    PathBuf::from(format!("accesso-dati-{clean}-{}", today.format("%Y-%m-%d")))
}
