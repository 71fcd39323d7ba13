//! The desk log (*sportello di ascolto*): contacts, their needs, append-only notes, follow-ups and
//! referrals.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::audit;
use crate::codes::{Channel, Topic};
use crate::error::{Error, FieldError, Result};
use crate::ids::{CaseId, DeskContactId, HouseholdId, NoteId, OperatorId, PartnerId, PersonId, ReferralId};
use crate::registry::{self, opt};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

mod draft;
pub mod unsaved;
pub use draft::{ContactDraft, ContactFilterDraft};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralTarget {
    Partner(PartnerId),
    ServizioSociale,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralInput {
    pub target: ReferralTarget,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskContactInput {
    pub occurred_at: NaiveDateTime,
    /// The operator who met the person (may differ from who types it in).
    pub operator: OperatorId,
    pub person: Option<PersonId>,
    /// Filled from the person's current household when left empty.
    pub household: Option<HouseholdId>,
    pub channel: Channel,
    pub topics: Vec<Topic>,
    pub note: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub referrals: Vec<ReferralInput>,
}

impl DeskContactInput {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.person.is_none() && self.household.is_none() {
            errors.push(FieldError::new("persona", "indica la persona o il nucleo del contatto"));
        }
        if self.topics.is_empty() {
            errors.push(FieldError::new("temi", "scegli almeno un tema (se nessuno va bene, «altro»)"));
        }
        if let Some(follow_up) = self.follow_up_on {
            if follow_up < self.occurred_at.date() {
                errors.push(FieldError::new("richiamo", "la data del richiamo è precedente al contatto"));
            }
        }
        for r in &self.referrals {
            if r.reason.trim().is_empty() {
                errors.push(FieldError::new("invio", "scrivi il motivo dell'invio"));
            }
        }
        errors
    }
}

pub fn add_contact(w: &mut Writer<'_>, input: &DeskContactInput) -> Result<DeskContactId> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut household = input.household;
    if let Some(person) = input.person {
        registry::load_person(w.conn(), person)?;
        if household.is_none() {
            household = registry::current_membership(w.conn(), person)?.map(|m| m.household);
        }
    }
    let id = DeskContactId(w.new_id());
    w.insert(
        Table::DeskContact,
        id.0,
        &[
            ("occurred_at", input.occurred_at.format("%Y-%m-%dT%H:%M").to_string().into()),
            ("operator_id", input.operator.to_string().into()),
            ("person_id", opt(input.person.map(|p| p.to_string()))),
            ("household_id", opt(household.map(|h| h.to_string()))),
            ("channel", input.channel.code().to_string().into()),
            ("follow_up_on", opt(input.follow_up_on.map(|d| d.to_string()))),
        ],
    )?;
    let mut topics = input.topics.clone();
    topics.sort();
    topics.dedup();
    for topic in topics {
        let topic_id = w.new_id();
        w.insert(
            Table::DeskContactTopic,
            topic_id,
            &[("contact_id", id.to_string().into()), ("topic", topic.code().to_string().into())],
        )?;
    }
    for referral in &input.referrals {
        add_referral(w, id, referral, input.occurred_at.date())?;
    }
    if let Some(note) = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        add_note(w, NoteSubject::DeskContact(id), note)?;
    }
    Ok(id)
}

pub fn add_referral(
    w: &mut Writer<'_>,
    contact: DeskContactId,
    input: &ReferralInput,
    on: NaiveDate,
) -> Result<ReferralId> {
    let id = ReferralId(w.new_id());
    let (partner, servizio_sociale) = match input.target {
        ReferralTarget::Partner(p) => (Some(p.to_string()), 0),
        ReferralTarget::ServizioSociale => (None, 1),
    };
    w.insert(
        Table::Referral,
        id.0,
        &[
            ("contact_id", contact.to_string().into()),
            ("partner_id", opt(partner)),
            ("servizio_sociale", Value::Integer(servizio_sociale)),
            ("reason", input.reason.trim().to_string().into()),
            ("referred_on", on.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Marks the follow-up of a contact as done on `done_on`; who did it is the write's operator (the
/// change record keeps it, and the contact shows it). A contact without a follow-up, or one
/// already done, is refused.
pub fn complete_follow_up(w: &mut Writer<'_>, contact: DeskContactId, done_on: NaiveDate) -> Result<()> {
    let found: Option<(Option<String>, Option<String>)> = w
        .conn()
        .query_row(
            "SELECT follow_up_on, follow_up_done_on FROM desk_contact WHERE id = ?1 AND deleted = 0",
            [contact],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        None => Err(Error::NotFound { what: "contatto allo sportello", key: contact.to_string() }),
        Some((None, _)) => Err(Error::invalid("richiamo", "questo contatto non ha un richiamo da fare")),
        Some((_, Some(done))) => Err(Error::invalid(
            "richiamo",
            format!("il richiamo è già stato fatto il {}", done.parse().map(crate::format::date).unwrap_or(done)),
        )),
        Some((Some(_), None)) => {
            w.update(Table::DeskContact, contact.0, &[("follow_up_done_on", done_on.to_string().into())])?;
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Notes: append-only versions

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteSubject {
    DeskContact(DeskContactId),
    Household(HouseholdId),
    Person(PersonId),
    Case(CaseId),
}

impl NoteSubject {
    fn parts(self) -> (&'static str, Uuid) {
        match self {
            NoteSubject::DeskContact(id) => (Table::DeskContact.name(), id.0),
            NoteSubject::Household(id) => (Table::Household.name(), id.0),
            NoteSubject::Person(id) => (Table::Person.name(), id.0),
            NoteSubject::Case(id) => (Table::CaseFile.name(), id.0),
        }
    }

    fn audit_subject(self) -> (Table, Option<Uuid>) {
        match self {
            NoteSubject::DeskContact(id) => (Table::DeskContact, Some(id.0)),
            NoteSubject::Household(id) => (Table::Household, Some(id.0)),
            NoteSubject::Person(id) => (Table::Person, Some(id.0)),
            NoteSubject::Case(id) => (Table::CaseFile, Some(id.0)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    pub id: NoteId,
    pub body: String,
    pub written_at: String,
    pub operator: String,
    pub supersedes: Option<NoteId>,
    /// Earlier versions of this note, newest first.
    pub history: Vec<NoteVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoteVersion {
    pub id: NoteId,
    pub body: String,
    pub written_at: String,
    pub operator: String,
}

pub fn add_note(w: &mut Writer<'_>, subject: NoteSubject, body: &str) -> Result<NoteId> {
    insert_note(w, subject.parts(), body, None)
}

/// Edits a note by adding a new version; the old one stays and is shown as history.
pub fn edit_note(w: &mut Writer<'_>, note: NoteId, body: &str) -> Result<NoteId> {
    let (table, subject): (String, String) = w
        .conn()
        .query_row("SELECT subject_table, subject_id FROM note WHERE id = ?1 AND deleted = 0", [note], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "nota", key: note.to_string() })?;
    let superseded: bool =
        w.conn().query_row("SELECT EXISTS (SELECT 1 FROM note WHERE supersedes_id = ?1)", [note], |r| r.get(0))?;
    if superseded {
        return Err(Error::invalid("nota", "questa versione della nota è già stata modificata: modifica l'ultima"));
    }
    let table = Table::from_name(&table).map(Table::name).unwrap_or("note");
    insert_note(w, (table, crate::store::parse_uuid(&subject)?), body, Some(note))
}

fn insert_note(
    w: &mut Writer<'_>,
    (table, subject): (&str, Uuid),
    body: &str,
    supersedes: Option<NoteId>,
) -> Result<NoteId> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("nota", "la nota è vuota"));
    }
    let id = NoteId(w.new_id());
    let written_at = w.now().to_rfc3339();
    let operator = w.actor().operator;
    w.insert(
        Table::Note,
        id.0,
        &[
            ("subject_table", table.to_string().into()),
            ("subject_id", subject.to_string().into()),
            ("body", body.to_string().into()),
            ("supersedes_id", opt(supersedes.map(|n| n.to_string()))),
            ("written_at", written_at.into()),
            ("operator_id", operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// The current notes about a subject, each with its earlier versions.
/// A subject's notes. Needs [`Action::ReadDesk`].
/// The read is recorded in the audit log.
pub fn notes(store: &mut Store, actor: &Actor, subject: NoteSubject) -> Result<Vec<Note>> {
    let role = access::require(store.conn(), actor, Action::ReadDesk)?;
    let notes = load_notes(store.conn(), subject)?;
    audit::record_read(store, actor, role, subject.audit_subject(), "note")?;
    Ok(notes)
}

pub(crate) fn load_notes(conn: &Connection, subject: NoteSubject) -> Result<Vec<Note>> {
    let (table, id) = subject.parts();
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, n.body, n.written_at, coalesce(o.name, ''), n.supersedes_id FROM note n
         LEFT JOIN operator o ON o.id = n.operator_id
         WHERE n.subject_table = ?1 AND n.subject_id = ?2 AND n.deleted = 0 ORDER BY n.written_at, n.id",
    )?;
    let all: Vec<(NoteVersion, Option<NoteId>)> = stmt
        .query_map(params![table, id.to_string()], |r| {
            Ok((NoteVersion { id: r.get(0)?, body: r.get(1)?, written_at: r.get(2)?, operator: r.get(3)? }, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let superseded: std::collections::HashSet<NoteId> = all.iter().filter_map(|(_, s)| *s).collect();
    let mut out = Vec::new();
    for (head, supersedes) in all.iter().filter(|(v, _)| !superseded.contains(&v.id)) {
        let mut history = Vec::new();
        let mut previous = *supersedes;
        while let Some(prev) = previous {
            let Some((version, before)) = all.iter().find(|(v, _)| v.id == prev) else { break };
            history.push(version.clone());
            previous = *before;
        }
        out.push(Note {
            id: head.id,
            body: head.body.clone(),
            written_at: head.written_at.clone(),
            operator: head.operator.clone(),
            supersedes: *supersedes,
            history,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Reading the log

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferralView {
    pub to: String,
    pub reason: String,
    pub referred_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeskContactView {
    pub id: DeskContactId,
    pub occurred_at: NaiveDateTime,
    pub operator: String,
    pub person: Option<PersonId>,
    pub person_name: Option<String>,
    pub household: Option<HouseholdId>,
    pub household_address: Option<String>,
    pub channel: Option<Channel>,
    pub topics: Vec<Topic>,
    pub follow_up_on: Option<NaiveDate>,
    pub follow_up_done_on: Option<NaiveDate>,
    /// Who marked the follow-up done (from the change record), when known.
    pub follow_up_done_by: Option<String>,
    pub note: Option<String>,
    pub referrals: Vec<ReferralView>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFilter {
    /// One contact only.
    pub id: Option<DeskContactId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub person: Option<PersonId>,
    pub household: Option<HouseholdId>,
    pub topic: Option<Topic>,
    /// Only contacts with a follow-up not yet done, due on or before this date.
    pub follow_up_due_by: Option<NaiveDate>,
    pub limit: Option<usize>,
}

/// Needs [`Action::ReadDesk`]. The read is recorded in the audit log (about the person, household
/// or contact the filter names, else as a read of the list).
pub fn list_contacts(store: &mut Store, actor: &Actor, filter: &ContactFilter) -> Result<Vec<DeskContactView>> {
    let role = access::require(store.conn(), actor, Action::ReadDesk)?;
    let contacts = load_contacts(store.conn(), filter)?;
    let subject = match (filter.id, filter.person, filter.household) {
        (Some(id), _, _) => (Table::DeskContact, Some(id.0)),
        (None, Some(person), _) => (Table::Person, Some(person.0)),
        (None, None, Some(household)) => (Table::Household, Some(household.0)),
        (None, None, None) => (Table::DeskContact, None),
    };
    audit::record_read(store, actor, role, subject, "contatti allo sportello")?;
    Ok(contacts)
}

fn load_contacts(conn: &Connection, filter: &ContactFilter) -> Result<Vec<DeskContactView>> {
    // Only the filters given become conditions, so SQLite can use the index each one has (on a
    // 100,000-person desk a catch-all `?1 IS NULL OR ...` query sorted every contact for Home).
    let mut conditions = vec!["c.deleted = 0".to_string()];
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut condition = |sql: &str, value: rusqlite::types::Value| {
        values.push(value);
        conditions.push(sql.replace('?', &format!("?{}", values.len())));
    };
    if let Some(from) = filter.from {
        condition("c.occurred_at >= ?", from.to_string().into());
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        condition("c.occurred_at < ?", to.to_string().into());
    }
    if let Some(person) = filter.person {
        condition("c.person_id = ?", person.to_string().into());
    }
    if let Some(household) = filter.household {
        condition("c.household_id = ?", household.to_string().into());
    }
    if let Some(topic) = filter.topic {
        condition(
            "EXISTS (SELECT 1 FROM desk_contact_topic t WHERE t.contact_id = c.id AND t.topic = ? AND t.deleted = 0)",
            topic.code().to_string().into(),
        );
    }
    if let Some(id) = filter.id {
        condition("c.id = ?", id.to_string().into());
    }
    // Follow-ups due: today's first, then the overdue ones, oldest first; else the newest contacts.
    let order = match filter.follow_up_due_by {
        Some(by) => {
            condition("c.follow_up_on <= ? AND c.follow_up_done_on IS NULL", by.to_string().into());
            values.push(by.to_string().into());
            format!("c.follow_up_on = ?{} DESC, c.follow_up_on, c.occurred_at DESC, c.id", values.len())
        }
        None => "c.occurred_at DESC, c.id".to_string(),
    };
    values.push(filter.limit.map(|l| l as i64).unwrap_or(-1).into());
    let sql = format!(
        "SELECT c.id, c.occurred_at, coalesce(o.name, ''), c.person_id, p.surname || ' ' || p.name, c.household_id,
                d.street, d.civic, d.scala, d.piano, d.interno, c.channel, c.follow_up_on, c.follow_up_done_on
         FROM desk_contact c
         LEFT JOIN operator o ON o.id = c.operator_id
         LEFT JOIN person p ON p.id = c.person_id
         LEFT JOIN household h ON h.id = c.household_id
         LEFT JOIN dwelling d ON d.id = h.dwelling_id
         WHERE {}
         ORDER BY {order}
         LIMIT ?{}",
        conditions.join(" AND "),
        values.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), contact_from_row)?;
    let mut out: Vec<DeskContactView> = rows.collect::<rusqlite::Result<_>>()?;
    for contact in &mut out {
        fill_details(conn, contact)?;
    }
    Ok(out)
}

/// How many follow-ups are due by `by` and not done (Home shows the first ones and this count).
/// Needs [`Action::ReadDesk`]; a count names nobody, so it is not an audited read.
pub fn follow_ups_due_count(store: &Store, actor: &Actor, by: NaiveDate) -> Result<u32> {
    access::require(store.conn(), actor, Action::ReadDesk)?;
    Ok(store.conn().query_row(
        "SELECT count(*) FROM desk_contact WHERE deleted = 0 AND follow_up_on <= ?1 AND follow_up_done_on IS NULL",
        [by.to_string()],
        |r| r.get(0),
    )?)
}

/// Needs [`Action::ReadDesk`].
pub fn get_contact(store: &mut Store, actor: &Actor, id: DeskContactId) -> Result<DeskContactView> {
    let role = access::require(store.conn(), actor, Action::ReadDesk)?;
    let found = load_contacts(store.conn(), &ContactFilter { id: Some(id), ..Default::default() })?.pop();
    let found = found.ok_or_else(|| Error::NotFound { what: "contatto allo sportello", key: id.to_string() })?;
    audit::record_read(store, actor, role, (Table::DeskContact, Some(id.0)), "contatto allo sportello")?;
    Ok(found)
}

fn contact_from_row(r: &Row<'_>) -> rusqlite::Result<DeskContactView> {
    let household_address = registry::address_at(r, 6)?;
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok()))
    };
    Ok(DeskContactView {
        id: r.get(0)?,
        occurred_at: NaiveDateTime::parse_from_str(&r.get::<_, String>(1)?, "%Y-%m-%dT%H:%M").unwrap_or_default(),
        operator: r.get(2)?,
        person: r.get(3)?,
        person_name: r.get(4)?,
        household: r.get(5)?,
        household_address,
        channel: r.get::<_, Option<String>>(11)?.and_then(|c| Channel::from_code(&c)),
        topics: Vec::new(),
        follow_up_on: date(12)?,
        follow_up_done_on: date(13)?,
        follow_up_done_by: None,
        note: None,
        referrals: Vec::new(),
    })
}

fn fill_details(conn: &Connection, contact: &mut DeskContactView) -> Result<()> {
    if contact.follow_up_done_on.is_some() {
        contact.follow_up_done_by = conn
            .prepare_cached(
                "SELECT od.name FROM change_log cl JOIN operator od ON od.id = cl.operator_id
                 WHERE cl.tbl = 'desk_contact' AND cl.row_id = ?1 AND cl.col = 'follow_up_done_on'
                 ORDER BY cl.hlc DESC LIMIT 1",
            )?
            .query_row([contact.id], |r| r.get(0))
            .optional()?;
    }
    contact.topics = conn
        .prepare_cached("SELECT topic FROM desk_contact_topic WHERE contact_id = ?1 AND deleted = 0 ORDER BY topic")?
        .query_map([contact.id], |r| r.get::<_, String>(0))?
        .filter_map(|t| t.ok().and_then(|t| Topic::from_code(&t)))
        .collect();
    contact.referrals = conn
        .prepare_cached(
            "SELECT CASE WHEN r.servizio_sociale = 1 THEN 'Servizio Sociale' ELSE coalesce(p.name, '') END,
                    coalesce(r.reason, ''), r.referred_on
             FROM referral r LEFT JOIN partner p ON p.id = r.partner_id
             WHERE r.contact_id = ?1 AND r.deleted = 0 ORDER BY r.id",
        )?
        .query_map([contact.id], |r| {
            Ok(ReferralView {
                to: r.get(0)?,
                reason: r.get(1)?,
                referred_on: r.get::<_, Option<String>>(2)?.and_then(|s| s.parse().ok()),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    contact.note = load_notes(conn, NoteSubject::DeskContact(contact.id))?.pop().map(|n| n.body);
    Ok(())
}
