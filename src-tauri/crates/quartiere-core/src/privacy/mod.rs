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

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::PersonId;
use crate::registry;
use crate::schema::Table;
use crate::store::{meta_get, meta_set, Actor, Store, Writer};

mod export;
pub use export::{export_person, suggested_name, AccessExport, AccessFiles, HouseholdLine, RequestLine};

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

pub(super) fn load_consents(conn: &Connection, person: PersonId) -> Result<Vec<ConsentView>> {
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
        for (table, row, column) in &rows.cases {
            // A goal's title and a note's body are never blank: they say they were erased.
            let value = if matches!(*column, "title" | "body") { ERASED_TEXT.to_string().into() } else { Value::Null };
            w.update(*table, *row, &[(column, value)])?;
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

pub(super) fn request(
    w: &mut Writer<'_>,
    person: PersonId,
    kind: &str,
    on: NaiveDate,
    outcome: &str,
    reason: &str,
) -> Result<()> {
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
    /// The free text of their cases (see [`crate::cases`]), placements and community hours.
    cases: Vec<(Table, Uuid, &'static str)>,
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
        cases: {
            let mut cells = crate::cases::rights::free_text_cells(conn, person)?;
            cells.extend(crate::training::placements::free_text_cells(conn, person)?);
            cells
        },
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
    cells.extend(rows.cases.iter().map(|(table, row, column)| (table.name(), row.to_string(), *column)));
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
            OR (tbl = 'esf_participant' AND row_id IN (SELECT id FROM esf_participant WHERE person_id = ?1))
            OR (tbl = 'case_file' AND row_id IN (SELECT id FROM case_file WHERE person_id = ?1))
            OR (tbl = 'placement' AND row_id IN (SELECT id FROM placement WHERE person_id = ?1))
            OR (tbl = 'community_hours' AND row_id IN (SELECT id FROM community_hours WHERE person_id = ?1))
            OR (tbl = 'case_goal' AND row_id IN (SELECT g.id FROM case_goal g JOIN case_file c ON c.id = g.case_id
                    WHERE c.person_id = ?1))
            OR (tbl = 'referral' AND row_id IN (SELECT r.id FROM referral r JOIN case_file c ON c.id = r.case_id
                    WHERE c.person_id = ?1))
            OR (tbl = 'note' AND row_id IN (SELECT n.id FROM note n JOIN case_file c ON c.id = n.subject_id
                    WHERE n.subject_table = 'case_file' AND c.person_id = ?1))",
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
