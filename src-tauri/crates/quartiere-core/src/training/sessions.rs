//! A course's sessions: activities of kind `formazione` linked to the course, to which its
//! participants are invited; the hours each attended are recorded on the session's attendance
//! (never over the session's length, which the attendance refuses).

use chrono::{NaiveDate, NaiveTime};
use rusqlite::Connection;

use crate::activities::{self, ActivityInput, Invitee};
use crate::codes::{ActivityKind, Axis};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::{ActivityId, CourseId};
use crate::schema::Table;
use crate::store::Writer;

/// A session of a course, as the course page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionLine {
    pub activity: ActivityId,
    pub held_on: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub starts_at: NaiveTime,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub ends_at: NaiveTime,
    /// Who came, once recorded; `None` before.
    pub present: Option<u32>,
    /// Minutes recorded in all, for all who came.
    pub minutes: u32,
}

/// Adds sessions to a course (a weekly series when `weeks` is above 1), each an activity of kind
/// `formazione` on the training axis, and invites the people now in the course. A session outside
/// the course's dates is refused, naming the day.
pub fn add_sessions(
    w: &mut Writer<'_>,
    course: CourseId,
    input: &ActivityInput,
    weeks: u32,
) -> Result<Vec<ActivityId>> {
    let (title, starts, ends): (String, Option<String>, Option<String>) = w
        .conn()
        .query_row("SELECT title, starts_on, ends_on FROM course WHERE id = ?1 AND deleted = 0", [course], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|_| Error::NotFound { what: "corso", key: course.to_string() })?;
    let (starts, ends) =
        (starts.and_then(|d| d.parse::<NaiveDate>().ok()), ends.and_then(|d| d.parse::<NaiveDate>().ok()));
    let last = input.held_on + chrono::Days::new(7 * u64::from(weeks.max(1) - 1));
    if let Some(start) = starts.filter(|s| input.held_on < *s) {
        return Err(Error::invalid(
            "data",
            format!(
                "la lezione del {} è prima dell'inizio del corso ({})",
                format::date(input.held_on),
                format::date(start)
            ),
        ));
    }
    if let Some(end) = ends.filter(|e| last > *e) {
        return Err(Error::invalid(
            "data",
            format!("la lezione del {} è dopo la fine del corso ({})", format::date(last), format::date(end)),
        ));
    }
    let input = ActivityInput {
        kind: ActivityKind::Formazione,
        axis: Some(Axis::FormazioneLavoro),
        title: if input.title.trim().is_empty() { title } else { input.title.clone() },
        ..input.clone()
    };
    let ids = activities::create(w, &input, weeks)?;
    for id in &ids {
        w.update(Table::Activity, id.0, &[("course_id", course.to_string().into())])?;
        // A course nobody is in yet has nobody to invite: that is not an error here.
        match activities::invite(w, *id, &Invitee::Course(course)) {
            Ok(_) | Err(Error::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(ids)
}

/// A course's sessions in date order, with who came and the minutes recorded.
pub(crate) fn sessions_of(conn: &Connection, course: CourseId) -> Result<Vec<SessionLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.held_on, a.starts_at, a.ends_at,
                (SELECT count(*) FROM attendance t WHERE t.activity_id = a.id AND t.deleted = 0),
                (SELECT count(*) FROM attendance t WHERE t.activity_id = a.id AND t.present = 1 AND t.deleted = 0),
                (SELECT coalesce(sum(t.minutes), 0) FROM attendance t
                  WHERE t.activity_id = a.id AND t.present = 1 AND t.deleted = 0)
         FROM activity a WHERE a.course_id = ?1 AND a.deleted = 0 ORDER BY a.held_on, a.starts_at",
    )?;
    let time = |s: String| NaiveTime::parse_from_str(&s, "%H:%M").unwrap_or_default();
    let rows = stmt.query_map([course], |r| {
        let recorded: u32 = r.get(4)?;
        Ok(SessionLine {
            activity: r.get(0)?,
            held_on: r.get::<_, String>(1)?.parse().unwrap_or_default(),
            starts_at: time(r.get(2)?),
            ends_at: time(r.get(3)?),
            present: (recorded > 0).then_some(r.get(5)?),
            minutes: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
