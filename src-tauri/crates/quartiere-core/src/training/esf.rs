//! The ESF participant record (Reg. EU 1304/2013 Annex I): one per person in the project, written
//! at first entry and fixed from then on. What is derived (the age band, long-term unemployment,
//! "inactive, not in education or training") is derived once, at entry, as the regulation says,
//! so a later change on the person's page or a birthday does not move a reported figure.
//!
//! The store keeps the entry columns fixed (`Table::fixed_columns`): the write path refuses to
//! change one that holds a value. Exit date and reason, the result within four weeks of exit and the
//! result at six months are added later; the app reminds the tutor when the six-month check is due.

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension};

use crate::access::{self, Action};
use crate::audit;
use crate::codes::{AgeBand, EsfAnswer, ExitReason, Isced, LabourStatus, ResultAt6m, ResultAtExit};
use crate::error::{Error, FieldError, Result};
use crate::format;
use crate::ids::{EsfRecordId, PersonId};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// Labour-market status at entry, as asked: exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labour {
    /// Employed, self-employed included.
    Employed,
    /// Unemployed for this many months (continuously).
    Unemployed { months: u32 },
    /// Inactive; whether in education or training.
    Inactive { in_education: bool },
}

/// What is asked at entry; the rest (sex, birth date, the notice) comes from the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsfEntry {
    pub entry_on: NaiveDate,
    pub labour: Labour,
    pub isced: Option<Isced>,
    /// The sensitive answers, each of which may be refused.
    pub migrant: Option<EsfAnswer>,
    pub disability: Option<EsfAnswer>,
    pub other_disadvantage: Option<EsfAnswer>,
    pub homeless: Option<EsfAnswer>,
    pub rural: Option<EsfAnswer>,
}

/// Full years of age on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let years = on.year() - birth.year();
    let had_birthday = (on.month(), on.day()) >= (birth.month(), birth.day());
    (years - i32::from(!had_birthday)).max(0) as u32
}

/// The regulation's age band at entry: under 25, 25 to 54, over 54.
pub fn age_band(birth: NaiveDate, entry: NaiveDate) -> AgeBand {
    match age_on(birth, entry) {
        0..=24 => AgeBand::Under25,
        25..=54 => AgeBand::From25To54,
        _ => AgeBand::Over54,
    }
}

/// The labour-market status reported for the participant. Long-term unemployed: unemployed
/// continuously for 6 months or more under 25, 12 months or more from 25 (the ESF common
/// indicators' definition); inactive, not in education or training, when so.
pub fn labour_status(labour: Labour, band: AgeBand) -> LabourStatus {
    match labour {
        Labour::Employed => LabourStatus::Occupato,
        Labour::Unemployed { months } => {
            let long = if band == AgeBand::Under25 { 6 } else { 12 };
            if months >= long {
                LabourStatus::DisoccupatoLungaDurata
            } else {
                LabourStatus::Disoccupato
            }
        }
        Labour::Inactive { in_education: true } => LabourStatus::Inattivo,
        Labour::Inactive { in_education: false } => LabourStatus::InattivoNonInFormazione,
    }
}

/// Writes the person's ESF record at first entry. Refused, writing nothing: a person who already has
/// one (entry data are never written twice), one without sex or birth date in the registry, one who
/// has not signed the privacy notice by the entry day.
pub fn enter(w: &mut Writer<'_>, person: PersonId, entry: &EsfEntry) -> Result<EsfRecordId> {
    let who = crate::registry::load_person(w.conn(), person)?;
    if let Some((_, on)) = record_of(w.conn(), person)? {
        return Err(Error::invalid(
            "persona",
            format!(
                "{} ha già la scheda FSE, con ingresso il {}: i dati d'ingresso non si cambiano",
                who.full_name(),
                on.map(format::date).unwrap_or_default()
            ),
        ));
    }
    let mut errors = Vec::new();
    if who.birth_date.is_none() {
        errors.push(FieldError::new(
            "data_di_nascita",
            format!("manca la data di nascita di {}: completala nella scheda della persona", who.full_name()),
        ));
    }
    if who.sex.is_none() {
        errors.push(FieldError::new(
            "sesso",
            format!("manca il sesso di {}: completalo nella scheda della persona", who.full_name()),
        ));
    }
    if let Some(birth) = who.birth_date.filter(|b| *b > entry.entry_on) {
        errors.push(FieldError::new(
            "ingresso",
            format!("l'ingresso ({}) precede la nascita ({})", format::date(entry.entry_on), format::date(birth)),
        ));
    }
    let notice: Option<(String, String)> = w
        .conn()
        .query_row(
            "SELECT coalesce(version, ''), given_on FROM consent
             WHERE person_id = ?1 AND kind = 'notice' AND deleted = 0 AND withdrawn_on IS NULL AND given_on <= ?2
             ORDER BY given_on DESC LIMIT 1",
            rusqlite::params![person, entry.entry_on.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if notice.is_none() {
        errors.push(FieldError::new(
            "informativa",
            format!(
                "{} non ha firmato l'informativa entro il {}: registra prima l'informativa (versione e data)",
                who.full_name(),
                format::date(entry.entry_on)
            ),
        ));
    }
    let (Some(birth), Some(sex), Some((version, given)), true) = (who.birth_date, who.sex, notice, errors.is_empty())
    else {
        return Err(Error::Invalid(errors));
    };
    let band = age_band(birth, entry.entry_on);
    let months = match entry.labour {
        Labour::Unemployed { months } => Some(i64::from(months)),
        _ => None,
    };
    let answer = |a: Option<EsfAnswer>| a.map(|a| a.code().to_string());
    let id = EsfRecordId(w.new_id());
    w.insert(
        Table::EsfParticipant,
        id.0,
        &[
            ("person_id", person.to_string().into()),
            ("entry_on", entry.entry_on.to_string().into()),
            ("sex", sex.to_string().into()),
            ("birth_date", birth.to_string().into()),
            ("age_band", band.code().to_string().into()),
            ("labour_status", labour_status(entry.labour, band).code().to_string().into()),
            ("unemployed_months", months.into()),
            ("isced", entry.isced.map(|i| i.code().to_string()).into()),
            ("migrant", answer(entry.migrant).into()),
            ("disability", answer(entry.disability).into()),
            ("other_disadvantage", answer(entry.other_disadvantage).into()),
            ("homeless", answer(entry.homeless).into()),
            ("rural", answer(entry.rural).into()),
            ("notice_version", version.into()),
            ("notice_on", given.into()),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

fn record_of(conn: &Connection, person: PersonId) -> Result<Option<(EsfRecordId, Option<NaiveDate>)>> {
    Ok(conn
        .query_row(
            "SELECT id, entry_on FROM esf_participant WHERE person_id = ?1 AND deleted = 0 ORDER BY entry_on LIMIT 1",
            [person],
            |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?
        .map(|(id, on)| (id, on.and_then(|d| d.parse().ok()))))
}

/// Records the exit: its day (not before entry), the reason and the result within four weeks.
pub fn exit(
    w: &mut Writer<'_>,
    person: PersonId,
    exit_on: NaiveDate,
    reason: ExitReason,
    result: Option<ResultAtExit>,
) -> Result<()> {
    let (id, entry) = record_of(w.conn(), person)?.ok_or_else(|| no_record(w.conn(), person))?;
    if let Some(entry) = entry.filter(|e| exit_on < *e) {
        return Err(Error::invalid(
            "uscita",
            format!("l'uscita ({}) non può precedere l'ingresso ({})", format::date(exit_on), format::date(entry)),
        ));
    }
    w.update(
        Table::EsfParticipant,
        id.0,
        &[
            ("exit_on", exit_on.to_string().into()),
            ("exit_reason", reason.code().to_string().into()),
            ("result_exit", result.map(|r| r.code().to_string()).into()),
        ],
    )
    .map(drop)
}

/// Records the result six months after exit, heard on `on` (not before the six months are over).
pub fn six_month_result(w: &mut Writer<'_>, person: PersonId, result: ResultAt6m, on: NaiveDate) -> Result<()> {
    let (id, _) = record_of(w.conn(), person)?.ok_or_else(|| no_record(w.conn(), person))?;
    let exit_on: Option<NaiveDate> = w
        .conn()
        .query_row("SELECT exit_on FROM esf_participant WHERE id = ?1", [id], |r| r.get::<_, Option<String>>(0))?
        .and_then(|d| d.parse().ok());
    let Some(exit_on) = exit_on else {
        return Err(Error::invalid("uscita", "registra prima l'uscita dal percorso"));
    };
    let due = exit_on + Months::new(6);
    if on < due {
        return Err(Error::invalid(
            "verifica",
            format!("la verifica a sei mesi si fa dal {} (uscita il {})", format::date(due), format::date(exit_on)),
        ));
    }
    w.update(
        Table::EsfParticipant,
        id.0,
        &[("result_6m", result.code().to_string().into()), ("checked_6m_on", on.to_string().into())],
    )
    .map(drop)
}

fn no_record(conn: &Connection, person: PersonId) -> Error {
    let name = crate::registry::load_person(conn, person).map(|p| p.full_name()).unwrap_or_default();
    Error::invalid("persona", format!("{name} non ha la scheda FSE: registra prima l'ingresso"))
}

/// The ESF record as shown on the participant's page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EsfRecord {
    pub id: EsfRecordId,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub entry_on: NaiveDate,
    pub sex: String,
    pub age_band: AgeBand,
    pub labour_status: LabourStatus,
    pub unemployed_months: Option<u32>,
    pub isced: Option<Isced>,
    /// The sensitive answers (special categories), only for the roles that record them.
    pub sensitive: Option<Vec<(String, EsfAnswer)>>,
    pub notice_version: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub notice_on: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub exit_on: Option<NaiveDate>,
    pub exit_reason: Option<ExitReason>,
    pub result_exit: Option<ResultAtExit>,
    pub result_6m: Option<ResultAt6m>,
    /// When the six-month check falls due (six months after exit), while not done.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub check_due_on: Option<NaiveDate>,
}

/// A person's ESF record, if any. Needs [`Action::ReadTraining`]; the sensitive answers go only to
/// roles that record training, and reading them is logged.
pub fn record(store: &mut Store, actor: &Actor, person: PersonId) -> Result<Option<EsfRecord>> {
    let role = access::require(store.conn(), actor, Action::ReadTraining)?;
    let with_sensitive = access::allows(role, Action::RecordTraining);
    let found = store
        .conn()
        .query_row(
            "SELECT id, entry_on, coalesce(sex, ''), age_band, labour_status, unemployed_months, isced, migrant,
                    disability, other_disadvantage, homeless, rural, coalesce(notice_version, ''), notice_on,
                    exit_on, exit_reason, result_exit, result_6m
             FROM esf_participant WHERE person_id = ?1 AND deleted = 0 ORDER BY entry_on LIMIT 1",
            [person],
            |r| {
                let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
                    Ok(r.get::<_, Option<String>>(i)?.and_then(|d| d.parse().ok()))
                };
                let code = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
                let answer = |i: usize| -> rusqlite::Result<Option<EsfAnswer>> {
                    Ok(code(i)?.as_deref().and_then(EsfAnswer::from_code))
                };
                let exit_on = date(14)?;
                let result_6m = code(17)?.as_deref().and_then(ResultAt6m::from_code);
                Ok(EsfRecord {
                    id: r.get(0)?,
                    entry_on: date(1)?.unwrap_or_default(),
                    sex: r.get(2)?,
                    age_band: code(3)?.as_deref().and_then(AgeBand::from_code).unwrap_or(AgeBand::From25To54),
                    labour_status: code(4)?
                        .as_deref()
                        .and_then(LabourStatus::from_code)
                        .unwrap_or(LabourStatus::Disoccupato),
                    unemployed_months: r.get(5)?,
                    isced: code(6)?.as_deref().and_then(Isced::from_code),
                    sensitive: with_sensitive
                        .then(|| -> rusqlite::Result<Vec<(String, EsfAnswer)>> {
                            let mut out = Vec::new();
                            for (i, label) in [
                                (7, "migrante o di origine straniera, minoranza"),
                                (8, "disabilità"),
                                (9, "altro svantaggio"),
                                (10, "senza dimora o in esclusione abitativa"),
                                (11, "zona rurale"),
                            ] {
                                if let Some(a) = answer(i)? {
                                    out.push((label.to_string(), a));
                                }
                            }
                            Ok(out)
                        })
                        .transpose()?,
                    notice_version: r.get(12)?,
                    notice_on: date(13)?.unwrap_or_default(),
                    exit_on,
                    exit_reason: code(15)?.as_deref().and_then(ExitReason::from_code),
                    result_exit: code(16)?.as_deref().and_then(ResultAtExit::from_code),
                    result_6m,
                    check_due_on: exit_on.filter(|_| result_6m.is_none()).map(|e| e + Months::new(6)),
                })
            },
        )
        .optional()?;
    if let Some(record) = found.as_ref().filter(|r| r.sensitive.as_ref().is_some_and(|s| !s.is_empty())) {
        audit::record_read(store, actor, role, (Table::EsfParticipant, Some(record.id.0)), "scheda FSE")?;
    }
    Ok(found)
}

/// A six-month check to do: the person, the exit day, when it falls due.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckDue {
    pub person: PersonId,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub exit_on: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub due_on: NaiveDate,
}

/// Six-month checks due by `today` plus `ahead` days and not yet done, the oldest first.
pub fn checks_due(store: &Store, actor: &Actor, today: NaiveDate, ahead: u64) -> Result<Vec<CheckDue>> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    let until = today + chrono::Days::new(ahead);
    // Six months before `until`: everyone who left on or before it is due by then.
    let left_by = until - Months::new(6);
    let mut stmt = store.conn().prepare_cached(
        "SELECT f.person_id, p.surname || ' ' || p.name, f.exit_on FROM esf_participant f
           JOIN person p ON p.id = f.person_id
         WHERE f.deleted = 0 AND f.exit_on IS NOT NULL AND f.exit_on <= ?1 AND f.result_6m IS NULL
         ORDER BY f.exit_on",
    )?;
    let rows = stmt.query_map([left_by.to_string()], |r| {
        Ok((r.get::<_, PersonId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (person, name, exit_on) = row?;
        let Ok(exit_on) = exit_on.parse::<NaiveDate>() else { continue };
        out.push(CheckDue { person, name, exit_on, due_on: exit_on + Months::new(6) });
    }
    Ok(out)
}
