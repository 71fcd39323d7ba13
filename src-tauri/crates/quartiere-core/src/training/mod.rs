//! Formazione e lavoro: training courses and job-search paths (run with a provider such as AFOL),
//! who is enrolled and who waits, and the ESF participant record (`esf.rs`).
//!
//! A course has places. Enrolling when a place is free admits the person; when the course is full,
//! or others already wait, the person joins the waiting list in the order of request. A place
//! that frees is never filled by the app on its own: the operator admits someone, and admitting
//! anyone but the first in line needs a reason, which is kept. A person is never enrolled twice in
//! the same course while admitted or waiting.

pub mod documents;
mod draft;
pub mod esf;
pub mod placements;
mod sessions;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

pub use draft::{CourseDraft, EsfDraft, ExitDraft};
pub use sessions::{add_sessions, SessionLine};

use crate::access::{self, Action};
use crate::codes::CourseKind;
use crate::error::{Error, Result};
use crate::ids::{CourseId, EnrolmentId, PartnerId, PersonId};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// A new course or job-search path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseInput {
    pub kind: CourseKind,
    pub title: String,
    /// The training provider (AFOL, a cooperative), a partner of the project.
    pub provider: Option<PartnerId>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Planned hours.
    pub hours: Option<u32>,
    pub places: u32,
    pub venue: Option<String>,
}

/// Creates a course. Refused, writing nothing: an end before the start, no places, an unknown provider.
pub fn create_course(w: &mut Writer<'_>, input: &CourseInput) -> Result<CourseId> {
    if let Some(end) = input.ends_on.filter(|end| *end < input.starts_on) {
        return Err(Error::invalid(
            "fine",
            format!(
                "il corso finisce ({}) prima di cominciare ({}): controlla le date",
                crate::format::date(end),
                crate::format::date(input.starts_on)
            ),
        ));
    }
    if input.places == 0 {
        return Err(Error::invalid("posti", "indica quanti posti ha il corso (almeno 1)"));
    }
    if let Some(provider) = input.provider {
        let known: bool =
            w.conn().query_row("SELECT count(*) > 0 FROM partner WHERE id = ?1 AND deleted = 0", [provider], |r| {
                r.get(0)
            })?;
        if !known {
            return Err(Error::NotFound { what: "partner", key: provider.to_string() });
        }
    }
    let id = CourseId(w.new_id());
    w.insert(
        Table::Course,
        id.0,
        &[
            ("kind", input.kind.code().to_string().into()),
            ("title", input.title.clone().into()),
            ("provider_id", input.provider.map(|p| p.to_string()).into()),
            ("starts_on", input.starts_on.to_string().into()),
            ("ends_on", input.ends_on.map(|d| d.to_string()).into()),
            ("hours", input.hours.map(i64::from).into()),
            ("places", i64::from(input.places).into()),
            ("venue", input.venue.clone().into()),
            ("created_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Where an enrolment put the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Enrolled {
    /// A place was free: the person is in the course.
    Admitted { id: EnrolmentId },
    /// The course is full or others wait before: the person's place in the waiting list (from 1).
    Waiting { id: EnrolmentId, position: u32 },
}

/// Enrols `person` in `course` on `today`, asked at `requested_at`: admitted when a place is free
/// and nobody waits, on the waiting list otherwise. Someone already admitted or waiting is refused.
pub fn enrol(
    w: &mut Writer<'_>,
    course: CourseId,
    person: PersonId,
    requested_at: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Enrolled> {
    let places = places(w.conn(), course)?;
    let who = crate::registry::load_person(w.conn(), person)?;
    let current: Option<(String, EnrolmentId)> = w
        .conn()
        .query_row(
            "SELECT state, id FROM enrolment WHERE course_id = ?1 AND person_id = ?2 AND deleted = 0
               AND state IN ('iscritto', 'in_attesa')",
            params![course, person],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((state, id)) = current {
        let message = if state == "iscritto" {
            format!(
                "{} è già {} a questo corso",
                who.full_name(),
                crate::format::by_sex(who.sex, "iscritto", "iscritta")
            )
        } else {
            let position = waiting_position(w.conn(), course, id)?;
            format!("{} è già in lista d'attesa per questo corso (posizione {position})", who.full_name())
        };
        return Err(Error::invalid("persona", message));
    }
    let (admitted, waiting) = occupancy(w.conn(), course)?;
    let id = EnrolmentId(w.new_id());
    let admit = admitted < places && waiting == 0;
    w.insert(
        Table::Enrolment,
        id.0,
        &[
            ("course_id", course.to_string().into()),
            ("person_id", person.to_string().into()),
            ("state", if admit { "iscritto" } else { "in_attesa" }.to_string().into()),
            ("requested_at", requested_at.to_rfc3339().into()),
            ("queue_key", (requested_at.timestamp_millis() as f64).into()),
            ("admitted_on", admit.then(|| today.to_string()).into()),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(if admit { Enrolled::Admitted { id } } else { Enrolled::Waiting { id, position: waiting + 1 } })
}

/// Admits someone from the waiting list into a free place, on `today`. Admitting anyone but the
/// first in line needs `reason`, which is kept with the enrolment.
pub fn admit(w: &mut Writer<'_>, enrolment: EnrolmentId, reason: Option<&str>, today: NaiveDate) -> Result<()> {
    let (course, person, state) = load(w.conn(), enrolment)?;
    if state != "in_attesa" {
        return Err(Error::invalid("iscrizione", "questa persona non è in lista d'attesa"));
    }
    let places = places(w.conn(), course)?;
    let (admitted, _) = occupancy(w.conn(), course)?;
    if admitted >= places {
        return Err(Error::invalid(
            "posti",
            format!(
                "il corso è al completo ({}): si può passare dalla lista d'attesa solo quando un posto si libera",
                crate::format::count(places, "posto", "posti")
            ),
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let first = waiting_list(w.conn(), course)?.into_iter().next();
    if let Some((_, first_person)) = first.filter(|(id, _)| *id != enrolment) {
        if reason.is_none() {
            let first = crate::registry::load_person(w.conn(), first_person)?;
            let who = crate::registry::load_person(w.conn(), person)?;
            return Err(Error::invalid(
                "motivo",
                format!(
                    "prima di {} in lista d'attesa c'è {}: scrivi perché passa avanti",
                    who.full_name(),
                    first.full_name()
                ),
            ));
        }
    }
    let mut values: Vec<(&str, rusqlite::types::Value)> =
        vec![("state", "iscritto".to_string().into()), ("admitted_on", today.to_string().into())];
    if let Some(reason) = reason {
        values.push(("moved_reason", reason.to_string().into()));
    }
    w.update(Table::Enrolment, enrolment.0, &values).map(drop)
}

/// Moves someone in the waiting list to `position` (from 1), saying why; the others keep their order.
pub fn move_in_queue(w: &mut Writer<'_>, enrolment: EnrolmentId, position: u32, reason: &str) -> Result<()> {
    let (course, _, state) = load(w.conn(), enrolment)?;
    if state != "in_attesa" {
        return Err(Error::invalid("iscrizione", "questa persona non è in lista d'attesa"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("motivo", "scrivi perché cambia l'ordine della lista d'attesa"));
    }
    let keys: Vec<(EnrolmentId, f64)> = {
        let mut stmt = w.conn().prepare(
            "SELECT id, queue_key FROM enrolment WHERE course_id = ?1 AND state = 'in_attesa' AND deleted = 0
               AND id <> ?2 ORDER BY queue_key, id",
        )?;
        let rows = stmt.query_map(params![course, enrolment], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let index = (position.max(1) as usize - 1).min(keys.len());
    // A key between the neighbours the person lands between.
    let key = match (index.checked_sub(1).map(|i| keys[i].1), keys.get(index).map(|k| k.1)) {
        (None, None) => 0.0,
        (None, Some(after)) => after - 1000.0,
        (Some(before), None) => before + 1000.0,
        (Some(before), Some(after)) => (before + after) / 2.0,
    };
    w.update(Table::Enrolment, enrolment.0, &[("queue_key", key.into()), ("moved_reason", reason.to_string().into())])
        .map(drop)
}

/// Takes someone off a course or the waiting list on `on`, with the reason. Returns the first
/// person now waiting when this freed a place: the window offers to admit them, it does not.
pub fn withdraw(
    w: &mut Writer<'_>,
    enrolment: EnrolmentId,
    on: NaiveDate,
    reason: &str,
) -> Result<Option<(EnrolmentId, String)>> {
    let (course, _, state) = load(w.conn(), enrolment)?;
    if state != "in_attesa" && state != "iscritto" {
        return Err(Error::invalid("iscrizione", "questa persona ha già lasciato il corso"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("motivo", "scrivi perché la persona lascia il corso"));
    }
    let admitted_on: Option<NaiveDate> = w
        .conn()
        .query_row("SELECT admitted_on FROM enrolment WHERE id = ?1", [enrolment], |r| r.get::<_, Option<String>>(0))?
        .and_then(|d| d.parse().ok());
    if let Some(admitted) = admitted_on.filter(|a| on < *a) {
        return Err(Error::invalid(
            "data",
            format!(
                "l'uscita ({}) non può precedere l'ingresso nel corso ({})",
                crate::format::date(on),
                crate::format::date(admitted)
            ),
        ));
    }
    w.update(
        Table::Enrolment,
        enrolment.0,
        &[
            ("state", "ritirato".to_string().into()),
            ("left_on", on.to_string().into()),
            ("left_reason", reason.to_string().into()),
        ],
    )?;
    if state != "iscritto" {
        return Ok(None);
    }
    match waiting_list(w.conn(), course)?.into_iter().next() {
        Some((id, person)) => Ok(Some((id, crate::registry::load_person(w.conn(), person)?.full_name()))),
        None => Ok(None),
    }
}

fn load(conn: &Connection, enrolment: EnrolmentId) -> Result<(CourseId, PersonId, String)> {
    conn.query_row(
        "SELECT course_id, person_id, state FROM enrolment WHERE id = ?1 AND deleted = 0",
        [enrolment],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound { what: "iscrizione", key: enrolment.to_string() })
}

fn places(conn: &Connection, course: CourseId) -> Result<u32> {
    conn.query_row("SELECT coalesce(places, 0) FROM course WHERE id = ?1 AND deleted = 0", [course], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "corso", key: course.to_string() })
}

/// How many are admitted and how many wait.
fn occupancy(conn: &Connection, course: CourseId) -> Result<(u32, u32)> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE state = 'iscritto'), count(*) FILTER (WHERE state = 'in_attesa')
         FROM enrolment WHERE course_id = ?1 AND deleted = 0",
        [course],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

fn waiting_list(conn: &Connection, course: CourseId) -> Result<Vec<(EnrolmentId, PersonId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, person_id FROM enrolment WHERE course_id = ?1 AND state = 'in_attesa' AND deleted = 0
         ORDER BY queue_key, id",
    )?;
    let rows = stmt.query_map([course], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn waiting_position(conn: &Connection, course: CourseId, enrolment: EnrolmentId) -> Result<u32> {
    Ok(waiting_list(conn, course)?.iter().position(|(id, _)| *id == enrolment).map_or(0, |i| i as u32 + 1))
}

/// A course in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CourseSummary {
    pub id: CourseId,
    pub kind: CourseKind,
    pub title: String,
    pub provider: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub starts_on: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_on: Option<NaiveDate>,
    pub hours: Option<u32>,
    pub places: u32,
    pub admitted: u32,
    pub waiting: u32,
}

const SUMMARY_SQL: &str =
    "SELECT c.id, c.kind, c.title, p.name, c.starts_on, c.ends_on, c.hours, coalesce(c.places, 0),
        (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id AND e.state = 'iscritto' AND e.deleted = 0),
        (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id AND e.state = 'in_attesa' AND e.deleted = 0)
     FROM course c LEFT JOIN partner p ON p.id = c.provider_id";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<CourseSummary> {
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|d| d.parse().ok()))
    };
    Ok(CourseSummary {
        id: r.get(0)?,
        kind: r.get::<_, String>(1).map(|k| CourseKind::from_code(&k).unwrap_or(CourseKind::Corso))?,
        title: r.get(2)?,
        provider: r.get(3)?,
        starts_on: date(4)?.unwrap_or_default(),
        ends_on: date(5)?,
        hours: r.get(6)?,
        places: r.get(7)?,
        admitted: r.get(8)?,
        waiting: r.get(9)?,
    })
}

/// Every course and path, the newest first. Needs [`Action::ReadTraining`].
pub fn courses(store: &Store, actor: &Actor) -> Result<Vec<CourseSummary>> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    let mut stmt =
        store.conn().prepare(&format!("{SUMMARY_SQL} WHERE c.deleted = 0 ORDER BY c.starts_on DESC, c.id"))?;
    let rows = stmt.query_map([], summary)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One person on a course, as the course's page lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolmentLine {
    pub id: EnrolmentId,
    pub person: PersonId,
    pub name: String,
    /// `iscritto`, `in_attesa`, `ritirato`.
    pub state: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub requested_at: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub admitted_on: Option<NaiveDate>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub left_on: Option<NaiveDate>,
    pub left_reason: Option<String>,
    /// Why the order of the waiting list was changed for this person, or why they were admitted
    /// before those waiting longer.
    pub moved_reason: Option<String>,
    /// Minutes attended at the course's sessions.
    pub minutes: u32,
    /// Whether the person has an ESF participant record.
    pub esf: bool,
}

/// A course with who is in it, who waits (in order) and who left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CourseDetail {
    pub course: CourseSummary,
    pub venue: Option<String>,
    pub admitted: Vec<EnrolmentLine>,
    pub waiting: Vec<EnrolmentLine>,
    pub left: Vec<EnrolmentLine>,
    /// The course's sessions (activities of kind `formazione` linked to it), in date order.
    pub sessions: Vec<SessionLine>,
}

/// A course with its people. Needs [`Action::ReadTraining`].
pub fn course(store: &Store, actor: &Actor, id: CourseId) -> Result<CourseDetail> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    let conn = store.conn();
    let course = conn
        .prepare_cached(&format!("{SUMMARY_SQL} WHERE c.id = ?1 AND c.deleted = 0"))?
        .query_row([id], summary)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "corso", key: id.to_string() })?;
    let venue: Option<String> = conn.query_row("SELECT venue FROM course WHERE id = ?1", [id], |r| r.get(0))?;
    let sessions = sessions::sessions_of(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.person_id, p.surname || ' ' || p.name, e.state, e.requested_at, e.admitted_on, e.left_on,
                e.left_reason, e.moved_reason,
                (SELECT coalesce(sum(t.minutes), 0) FROM attendance t JOIN activity a ON a.id = t.activity_id
                  WHERE a.course_id = e.course_id AND a.deleted = 0 AND t.person_id = e.person_id
                    AND t.present = 1 AND t.deleted = 0),
                EXISTS (SELECT 1 FROM esf_participant f WHERE f.person_id = e.person_id AND f.deleted = 0)
         FROM enrolment e JOIN person p ON p.id = e.person_id
         WHERE e.course_id = ?1 AND e.deleted = 0
         ORDER BY e.state = 'in_attesa', e.queue_key, p.surname, p.name",
    )?;
    let date = |s: Option<String>| s.and_then(|s| s.parse::<NaiveDate>().ok());
    let rows = stmt.query_map([id], |r| {
        let requested: String = r.get(4)?;
        Ok(EnrolmentLine {
            id: r.get(0)?,
            person: r.get(1)?,
            name: r.get(2)?,
            state: r.get(3)?,
            requested_at: DateTime::parse_from_rfc3339(&requested).map(|d| d.to_utc()).unwrap_or_default(),
            admitted_on: date(r.get(5)?),
            left_on: date(r.get(6)?),
            left_reason: r.get(7)?,
            moved_reason: r.get(8)?,
            minutes: r.get(9)?,
            esf: r.get(10)?,
        })
    })?;
    let (mut admitted, mut waiting, mut left) = (Vec::new(), Vec::new(), Vec::new());
    for line in rows {
        let line = line?;
        match line.state.as_str() {
            "iscritto" => admitted.push(line),
            "in_attesa" => waiting.push(line),
            _ => left.push(line),
        }
    }
    Ok(CourseDetail { course, venue, admitted, waiting, left, sessions })
}

/// A person's courses and paths, for their page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonCourse {
    pub enrolment: EnrolmentId,
    pub course: CourseId,
    pub title: String,
    pub kind: CourseKind,
    pub state: String,
    /// Place in the waiting list, while waiting.
    pub position: Option<u32>,
    pub minutes: u32,
}

/// The courses a person is or was enrolled in. Needs [`Action::ReadTraining`].
pub fn of_person(store: &Store, actor: &Actor, person: PersonId) -> Result<Vec<PersonCourse>> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    let conn = store.conn();
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, c.id, c.title, c.kind, e.state,
                (SELECT coalesce(sum(t.minutes), 0) FROM attendance t JOIN activity a ON a.id = t.activity_id
                  WHERE a.course_id = c.id AND a.deleted = 0 AND t.person_id = e.person_id
                    AND t.present = 1 AND t.deleted = 0)
         FROM enrolment e JOIN course c ON c.id = e.course_id
         WHERE e.person_id = ?1 AND e.deleted = 0 AND c.deleted = 0 ORDER BY c.starts_on DESC",
    )?;
    let rows = stmt.query_map([person], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (enrolment, course, title, kind, state, minutes) = row?;
        let position = if state == "in_attesa" { Some(waiting_position(conn, course, enrolment)?) } else { None };
        out.push(PersonCourse {
            enrolment,
            course,
            title,
            kind: CourseKind::from_code(&kind).unwrap_or(CourseKind::Corso),
            state,
            position,
            minutes,
        });
    }
    Ok(out)
}

/// The seed's headline target: 30 residents in training and job-search paths. Home shows the count
/// against it until the project's targets become data of their own.
pub const PARTICIPANTS_TARGET: u32 = 30;

/// The figures Home shows: the seed's headline target counts people, not enrolments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrainingCounts {
    /// People who entered a course or path in the project, however it went on (the seed's "residents
    /// in training and job-search paths").
    pub participants: u32,
    /// Of them, people admitted to a course or path that has not ended by `today`.
    pub in_paths: u32,
    /// People waiting for a place (in one course or more), not already in a path.
    pub waiting: u32,
}

/// People in training or job search, and people waiting, on `today`. Aggregates only.
pub fn counts(store: &Store, actor: &Actor, today: NaiveDate) -> Result<TrainingCounts> {
    access::require(store.conn(), actor, Action::ReadAggregates)?;
    Ok(store.conn().query_row(
        "SELECT
           (SELECT count(DISTINCT e.person_id) FROM enrolment e JOIN course c ON c.id = e.course_id
             WHERE e.admitted_on IS NOT NULL AND e.admitted_on <= ?1 AND e.deleted = 0 AND c.deleted = 0),
           (SELECT count(DISTINCT e.person_id) FROM enrolment e JOIN course c ON c.id = e.course_id
             WHERE e.state = 'iscritto' AND e.deleted = 0 AND c.deleted = 0
               AND (c.ends_on IS NULL OR c.ends_on >= ?1)),
           (SELECT count(DISTINCT e.person_id) FROM enrolment e JOIN course c ON c.id = e.course_id
             WHERE e.state = 'in_attesa' AND e.deleted = 0 AND c.deleted = 0
               AND e.person_id NOT IN (SELECT i.person_id FROM enrolment i JOIN course k ON k.id = i.course_id
                 WHERE i.state = 'iscritto' AND i.deleted = 0 AND k.deleted = 0
                   AND (k.ends_on IS NULL OR k.ends_on >= ?1)))",
        [today.to_string()],
        |r| Ok(TrainingCounts { participants: r.get(0)?, in_paths: r.get(1)?, waiting: r.get(2)? }),
    )?)
}
