//! Activities: social events, thematic assemblies, training sessions, partnership meetings. Who
//! is invited (a person, a household, a staircase, a street), the attendance sheets printed for
//! them (`sheet.rs`), and who came, recorded from a sheet after the activity.
//!
//! An invitation is a person: inviting a household, a staircase or a street invites the people who
//! live there on the day of the invitation, and says how (`via`). Attendance is one row per person
//! and activity; recording a sheet again replaces what it said.

mod draft;
mod minutes;
mod scans;
mod sheet;

use chrono::{NaiveDate, NaiveTime};
use rusqlite::{params, Connection, OptionalExtension};

pub use draft::ActivityDraft;
pub use minutes::{
    add_minute, complete_follow_up, follow_ups_due, FollowUpDue, MinuteDraft, MinuteInput, MinuteItem, MINUTE_MAX,
};
pub use scans::{attach_scan, check_scan, scan_file, scan_type, ScanInfo, SCAN_MAX};
pub use sheet::{print_sheet, resolve_sheet, sheet_activity, sheet_code, PrintedSheet};

use crate::access::{self, Action};
use crate::codes::{ActivityKind, Axis};
use crate::error::{Error, Result};
use crate::ids::{ActivityId, HouseholdId, OperatorId, PartnerId, PersonId, SheetId};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// A new activity, read from a form or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub axis: Option<Axis>,
    pub title: String,
    pub held_on: NaiveDate,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub venue: String,
    pub topic: Option<String>,
    /// The operators who run it; the one recording it when empty.
    pub operators: Vec<OperatorId>,
    /// Partners organising it with the lab.
    pub partners: Vec<PartnerId>,
}

/// Creates an activity; with `weeks` above 1, a weekly series of that many, on the same weekday.
pub fn create(w: &mut Writer<'_>, input: &ActivityInput, weeks: u32) -> Result<Vec<ActivityId>> {
    if input.ends_at <= input.starts_at {
        return Err(Error::invalid(
            "fine",
            format!(
                "l'attività finisce ({}) prima di cominciare ({}): controlla gli orari",
                input.ends_at.format("%H:%M"),
                input.starts_at.format("%H:%M")
            ),
        ));
    }
    let series = (weeks > 1).then(|| w.new_id());
    let operators = if input.operators.is_empty() { vec![w.actor().operator] } else { input.operators.clone() };
    let mut ids = Vec::new();
    for week in 0..weeks.max(1) {
        let id = ActivityId(w.new_id());
        let day = input.held_on + chrono::Days::new(7 * u64::from(week));
        w.insert(
            Table::Activity,
            id.0,
            &[
                ("kind", input.kind.code().to_string().into()),
                ("axis", input.axis.map(|a| a.code().to_string()).into()),
                ("title", input.title.clone().into()),
                ("held_on", day.to_string().into()),
                ("starts_at", input.starts_at.format("%H:%M").to_string().into()),
                ("ends_at", input.ends_at.format("%H:%M").to_string().into()),
                ("venue", input.venue.clone().into()),
                ("topic", input.topic.clone().into()),
                ("series_id", series.map(|s| s.to_string()).into()),
                ("created_by", w.actor().operator.to_string().into()),
            ],
        )?;
        for partner in &input.partners {
            let row = w.new_id();
            w.insert(
                Table::ActivityPartner,
                row,
                &[("activity_id", id.to_string().into()), ("partner_id", partner.to_string().into())],
            )?;
        }
        for operator in &operators {
            let row = w.new_id();
            w.insert(
                Table::ActivityOperator,
                row,
                &[("activity_id", id.to_string().into()), ("operator_id", operator.to_string().into())],
            )?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Who to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitee {
    Person(PersonId),
    /// Everyone who lives in the household now.
    Household(HouseholdId),
    /// Everyone who lives in a street, or at one civic number of it, or one staircase of it.
    Address {
        street: String,
        civic: Option<String>,
        scala: Option<String>,
    },
    /// Everyone now in a course (admitted, not waiting).
    Course(crate::ids::CourseId),
}

/// Invites `who` to an activity; a person already invited is not invited twice. Returns how many
/// people were newly invited; an address where nobody lives is refused, so a typo is not a silent
/// empty invitation.
pub fn invite(w: &mut Writer<'_>, activity: ActivityId, who: &Invitee) -> Result<usize> {
    exists(w.conn(), activity)?;
    let (people, via): (Vec<PersonId>, &str) = match who {
        Invitee::Person(p) => {
            crate::registry::load_person(w.conn(), *p)?;
            (vec![*p], "persona")
        }
        Invitee::Household(h) => (
            ids(
                w.conn(),
                "SELECT person_id FROM membership WHERE household_id = ?1 AND left_on IS NULL AND deleted = 0",
                &[&h.to_string()],
            )?,
            "nucleo",
        ),
        Invitee::Course(course) => {
            let people = ids(
                w.conn(),
                "SELECT e.person_id FROM enrolment e JOIN person p ON p.id = e.person_id
                 WHERE e.course_id = ?1 AND e.state = 'iscritto' AND e.deleted = 0 ORDER BY p.surname, p.name",
                &[&course.to_string()],
            )?;
            if people.is_empty() {
                return Err(Error::invalid("invito", "nel corso non c'è ancora nessuno da invitare"));
            }
            (people, "corso")
        }
        Invitee::Address { street, civic, scala } => {
            let (civic_text, scala_text) = (civic.as_deref().unwrap_or(""), scala.as_deref().unwrap_or(""));
            let people = ids(
                w.conn(),
                "SELECT m.person_id FROM membership m JOIN household h ON h.id = m.household_id
                   JOIN dwelling d ON d.id = h.dwelling_id JOIN person p ON p.id = m.person_id
                 WHERE m.left_on IS NULL AND m.deleted = 0 AND h.deleted = 0 AND p.deleted = 0
                   AND lower(trim(d.street)) = lower(trim(?1))
                   AND (?2 = '' OR lower(trim(d.civic)) = lower(trim(?2)))
                   AND (?3 = '' OR lower(trim(coalesce(d.scala, ''))) = lower(trim(?3)))
                 ORDER BY p.surname, p.name",
                &[street, &civic_text, &scala_text],
            )?;
            if people.is_empty() {
                let place = [Some(street.as_str()), civic.as_deref(), scala.as_deref().map(|_| "scala")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let scala = scala.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
                return Err(Error::invalid(
                    "invito",
                    format!("in {place}{scala} non abita nessuno nell'anagrafica: controlla l'indirizzo"),
                ));
            }
            (people, if scala.is_some() { "scala" } else { "via" })
        }
    };
    let already: Vec<PersonId> = ids(
        w.conn(),
        "SELECT person_id FROM invitation WHERE activity_id = ?1 AND deleted = 0",
        &[&activity.to_string()],
    )?;
    let mut added = 0;
    for person in people.into_iter().filter(|p| !already.contains(p)) {
        let row = w.new_id();
        w.insert(
            Table::Invitation,
            row,
            &[
                ("activity_id", activity.to_string().into()),
                ("person_id", person.to_string().into()),
                ("via", via.to_string().into()),
            ],
        )?;
        added += 1;
    }
    Ok(added)
}

fn ids(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<PersonId>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(args, |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<PersonId>>>()?)
}

pub(crate) fn exists(conn: &Connection, activity: ActivityId) -> Result<()> {
    conn.query_row("SELECT 1 FROM activity WHERE id = ?1 AND deleted = 0", [activity], |_| Ok(()))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "attività", key: activity.to_string() })
}

/// An activity in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivitySummary {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub axis: Option<Axis>,
    pub title: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub held_on: NaiveDate,
    pub starts_at: String,
    pub ends_at: String,
    pub venue: String,
    pub topic: Option<String>,
    pub series: Option<String>,
    pub invited: u32,
    /// Who came (invited or not); `None` until attendance is recorded.
    pub present: Option<u32>,
    /// Of those who came, how many without an invitation.
    pub walk_ins: u32,
}

const SUMMARY: &str = "SELECT a.id, a.kind, a.axis, a.title, a.held_on, a.starts_at, a.ends_at, a.venue, a.topic,
        a.series_id,
        (SELECT count(*) FROM invitation i WHERE i.activity_id = a.id AND i.deleted = 0),
        (SELECT count(*) FROM attendance t WHERE t.activity_id = a.id AND t.deleted = 0),
        (SELECT count(*) FROM attendance t WHERE t.activity_id = a.id AND t.deleted = 0 AND t.present = 1),
        (SELECT count(*) FROM attendance t WHERE t.activity_id = a.id AND t.deleted = 0 AND t.present = 1 AND t.walk_in = 1)
     FROM activity a";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivitySummary> {
    let recorded: u32 = r.get(11)?;
    Ok(ActivitySummary {
        id: r.get(0)?,
        kind: r.get::<_, String>(1).map(|k| ActivityKind::from_code(&k).unwrap_or(ActivityKind::Evento))?,
        axis: r.get::<_, Option<String>>(2)?.and_then(|a| Axis::from_code(&a)),
        title: r.get(3)?,
        held_on: r.get::<_, String>(4)?.parse().unwrap_or_default(),
        starts_at: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        ends_at: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        venue: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
        topic: r.get(8)?,
        series: r.get(9)?,
        invited: r.get(10)?,
        present: (recorded > 0).then(|| r.get(12)).transpose()?,
        walk_ins: r.get(13)?,
    })
}

/// The activities from `from` to `to` (both included, either open), in date order.
pub fn list(
    store: &Store,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ActivitySummary>> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let sql = format!(
        "{SUMMARY} WHERE a.deleted = 0 AND (?1 IS NULL OR a.held_on >= ?1) AND (?2 IS NULL OR a.held_on <= ?2)
         ORDER BY a.held_on, a.starts_at, a.id"
    );
    let mut stmt = store.conn().prepare(&sql)?;
    let rows = stmt.query_map(params![from.map(|d| d.to_string()), to.map(|d| d.to_string())], summary)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One person at an activity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Participant {
    pub person: PersonId,
    /// Surname and name.
    pub name: String,
    /// Where they live now, if anywhere.
    pub lives_at: Option<String>,
    pub invited: bool,
    /// `None` until attendance is recorded.
    pub present: Option<bool>,
    pub walk_in: bool,
    pub minutes: Option<u32>,
}

/// An activity with its people and sheets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityDetail {
    pub activity: ActivitySummary,
    pub operators: Vec<String>,
    /// Partners organising it with the lab, by name.
    pub partners: Vec<String>,
    /// Invited people and walk-ins, by surname.
    pub people: Vec<Participant>,
    /// The sheets printed, newest first: their codes (`FP-…`).
    pub sheets: Vec<String>,
    /// The minutes, in the order written.
    pub minutes: Vec<MinuteItem>,
    /// Scans of the signed sheets.
    pub scans: Vec<ScanInfo>,
}

/// An activity, its people (invited and walk-ins) and its sheets.
pub fn show(store: &Store, actor: &Actor, id: ActivityId) -> Result<ActivityDetail> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    detail(store.conn(), id)
}

pub(crate) fn detail(conn: &Connection, id: ActivityId) -> Result<ActivityDetail> {
    let activity = conn
        .query_row(&format!("{SUMMARY} WHERE a.id = ?1 AND a.deleted = 0"), [id], summary)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "attività", key: id.to_string() })?;
    let names = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    };
    let operators = names(
        "SELECT o.name FROM activity_operator x JOIN operator o ON o.id = x.operator_id
         WHERE x.activity_id = ?1 AND x.deleted = 0 ORDER BY o.name",
    )?;
    let partners = names(
        "SELECT p.name FROM activity_partner x JOIN partner p ON p.id = x.partner_id
         WHERE x.activity_id = ?1 AND x.deleted = 0 ORDER BY p.name",
    )?;
    let people = {
        let mut stmt = conn.prepare(
            "WITH who AS (
                 SELECT person_id FROM invitation WHERE activity_id = ?1 AND deleted = 0
                 UNION SELECT person_id FROM attendance WHERE activity_id = ?1 AND deleted = 0)
             SELECT p.id, p.surname || ' ' || p.name,
                    d.street, d.civic, d.scala, d.piano, d.interno,
                    EXISTS (SELECT 1 FROM invitation i WHERE i.activity_id = ?1 AND i.person_id = p.id AND i.deleted = 0),
                    t.present, coalesce(t.walk_in, 0), t.minutes
             FROM who JOIN person p ON p.id = who.person_id
             LEFT JOIN membership m ON m.person_id = p.id AND m.left_on IS NULL AND m.deleted = 0
             LEFT JOIN household h ON h.id = m.household_id
             LEFT JOIN dwelling d ON d.id = h.dwelling_id
             LEFT JOIN attendance t ON t.activity_id = ?1 AND t.person_id = p.id AND t.deleted = 0
             GROUP BY p.id
             ORDER BY p.surname COLLATE NOCASE, p.name COLLATE NOCASE, p.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(Participant {
                person: r.get(0)?,
                name: r.get(1)?,
                lives_at: crate::registry::address_at(r, 2)?,
                invited: r.get(7)?,
                present: r.get::<_, Option<i64>>(8)?.map(|p| p == 1),
                walk_in: r.get::<_, i64>(9)? == 1,
                minutes: r.get(10)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let sheets = {
        let mut stmt = conn.prepare(
            "SELECT id FROM attendance_sheet WHERE activity_id = ?1 AND deleted = 0 ORDER BY printed_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([id], |r| r.get::<_, SheetId>(0))?;
        rows.map(|r| r.map(sheet_code)).collect::<rusqlite::Result<Vec<_>>>()?
    };
    let minutes = minutes::minutes_of(conn, id)?;
    let scans = scans::scans_of(conn, id)?;
    Ok(ActivityDetail { activity, operators, partners, people, sheets, minutes, scans })
}

/// What a signed sheet says, typed in after the activity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttendanceInput {
    /// Invited people who came.
    pub present: Vec<PersonId>,
    /// People who came without an invitation.
    pub walk_ins: Vec<PersonId>,
    /// Minutes attended by each who came (training sessions); `None` for other activities.
    pub minutes: Option<u32>,
}

/// Who came, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttendanceCount {
    pub invited: u32,
    pub present: u32,
    pub absent: u32,
    pub walk_ins: u32,
}

/// Records attendance from a printed sheet: every invited person is present or absent, walk-ins are
/// present (and invited by coming). Recording the same sheet again replaces what it said. Refused
/// with a reason, writing nothing: someone present who was not invited (they are a walk-in), a
/// walk-in who was invited, minutes beyond the activity's length.
pub fn record_attendance(w: &mut Writer<'_>, sheet: SheetId, input: &AttendanceInput) -> Result<AttendanceCount> {
    // A person named twice (a scanner read the same line twice) counts once.
    let mut input = input.clone();
    for list in [&mut input.present, &mut input.walk_ins] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|p| seen.insert(*p));
    }
    let input = &input;
    let (activity, starts, ends): (ActivityId, String, String) = w
        .conn()
        .query_row(
            "SELECT a.id, a.starts_at, a.ends_at FROM attendance_sheet s JOIN activity a ON a.id = s.activity_id
             WHERE s.id = ?1 AND s.deleted = 0",
            [sheet],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "foglio presenze", key: sheet_code(sheet) })?;
    let invited = ids(
        w.conn(),
        "SELECT person_id FROM invitation WHERE activity_id = ?1 AND deleted = 0",
        &[&activity.to_string()],
    )?;
    let mut errors = Vec::new();
    for p in &input.present {
        if !invited.contains(p) {
            let person = crate::registry::load_person(w.conn(), *p)?;
            let it = crate::format::by_sex(person.sex, "aggiungilo", "aggiungila");
            errors.push(crate::error::FieldError::new(
                "presenti",
                format!("{} non era tra gli invitati: {it} tra chi è venuto senza invito", person.full_name()),
            ));
        }
    }
    for p in &input.walk_ins {
        let person = crate::registry::load_person(w.conn(), *p)?;
        if invited.contains(p) {
            let it = crate::format::by_sex(person.sex, "segnalalo", "segnalala");
            errors.push(crate::error::FieldError::new(
                "senza_invito",
                format!("{} era tra gli invitati: {it} tra i presenti", person.full_name()),
            ));
        }
    }
    if let Some(minutes) = input.minutes {
        let length = match (NaiveTime::parse_from_str(&starts, "%H:%M"), NaiveTime::parse_from_str(&ends, "%H:%M")) {
            (Ok(s), Ok(e)) => (e - s).num_minutes(),
            _ => i64::MAX,
        };
        if i64::from(minutes) > length {
            errors.push(crate::error::FieldError::new(
                "ore",
                format!(
                    "{} è più della durata dell'attività ({starts}-{ends}, {})",
                    crate::format::duration(i64::from(minutes)),
                    crate::format::duration(length)
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = w.now().to_rfc3339();
    let by = w.actor().operator.to_string();
    let existing: Vec<(String, PersonId)> = {
        let mut stmt =
            w.conn().prepare("SELECT id, person_id FROM attendance WHERE activity_id = ?1 AND deleted = 0")?;
        let rows = stmt.query_map([activity], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let rows: Vec<(PersonId, bool, bool)> = invited
        .iter()
        .map(|p| (*p, input.present.contains(p), false))
        .chain(input.walk_ins.iter().map(|p| (*p, true, true)))
        .collect();
    for (person, present, walk_in) in &rows {
        let values = [
            ("activity_id", activity.to_string().into()),
            ("person_id", person.to_string().into()),
            ("present", i64::from(*present).into()),
            ("walk_in", i64::from(*walk_in).into()),
            ("minutes", input.minutes.filter(|_| *present).map(i64::from).into()),
            ("sheet_id", sheet.to_string().into()),
            ("recorded_at", now.clone().into()),
            ("recorded_by", by.clone().into()),
        ];
        match existing.iter().find(|(_, p)| p == person) {
            Some((id, _)) => {
                w.update(Table::Attendance, crate::store::parse_uuid(id)?, &values)?;
            }
            None => {
                let id = w.new_id();
                w.insert(Table::Attendance, id, &values)?;
            }
        }
    }
    // A walk-in of an earlier recording who is no longer on the sheet is taken out.
    for (id, person) in &existing {
        if !rows.iter().any(|(p, _, _)| p == person) {
            w.update(Table::Attendance, crate::store::parse_uuid(id)?, &[("deleted", 1.into())])?;
        }
    }
    let present = input.present.len() as u32;
    Ok(AttendanceCount {
        invited: invited.len() as u32,
        present,
        absent: (invited.len() as u32).saturating_sub(present),
        walk_ins: input.walk_ins.len() as u32,
    })
}

/// An activity a person was invited to or came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonActivity {
    pub activity: ActivitySummary,
    pub invited: bool,
    /// `None` until attendance is recorded.
    pub present: Option<bool>,
    pub walk_in: bool,
    pub minutes: Option<u32>,
}

/// A person's activities, the latest first, and how many they came to.
pub fn of_person(store: &Store, actor: &Actor, person: PersonId) -> Result<(Vec<PersonActivity>, u32)> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let sql = format!(
        "{SUMMARY} WHERE a.deleted = 0 AND a.id IN (
             SELECT activity_id FROM invitation WHERE person_id = ?1 AND deleted = 0
             UNION SELECT activity_id FROM attendance WHERE person_id = ?1 AND deleted = 0)
         ORDER BY a.held_on DESC, a.starts_at DESC, a.id"
    );
    let mut stmt = store.conn().prepare(&sql)?;
    let summaries = stmt.query_map([person], summary)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    let mut came = 0;
    for activity in summaries {
        let invited: bool = store.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM invitation WHERE activity_id = ?1 AND person_id = ?2 AND deleted = 0)",
            params![activity.id, person],
            |r| r.get(0),
        )?;
        let (present, walk_in, minutes) = store
            .conn()
            .query_row(
                "SELECT present, walk_in, minutes FROM attendance WHERE activity_id = ?1 AND person_id = ?2 AND deleted = 0",
                params![activity.id, person],
                |r| Ok((Some(r.get::<_, i64>(0)? == 1), r.get::<_, i64>(1)? == 1, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((None, false, None));
        came += u32::from(present == Some(true));
        out.push(PersonActivity { activity, invited, present, walk_in, minutes });
    }
    Ok((out, came))
}

/// The seed's counts: how many events and thematic assemblies were held from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityCounts {
    pub events: u32,
    pub assemblies: u32,
    /// Attendances recorded (a person at an activity), walk-ins included.
    pub attendances: u32,
    /// Different people who came to at least one.
    pub people: u32,
}

/// Counts of activities held (dated up to `to`) and of who came. Aggregates only: any role.
pub fn counts(store: &Store, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<ActivityCounts> {
    access::require(store.conn(), actor, Action::ReadAggregates)?;
    let range = params![from.to_string(), to.to_string()];
    store
        .conn()
        .query_row(
            "SELECT
               (SELECT count(*) FROM activity WHERE deleted = 0 AND kind = 'evento' AND held_on BETWEEN ?1 AND ?2),
               (SELECT count(*) FROM activity WHERE deleted = 0 AND kind = 'assemblea' AND held_on BETWEEN ?1 AND ?2),
               (SELECT count(*) FROM attendance t JOIN activity a ON a.id = t.activity_id
                  WHERE t.deleted = 0 AND t.present = 1 AND a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2),
               (SELECT count(DISTINCT t.person_id) FROM attendance t JOIN activity a ON a.id = t.activity_id
                  WHERE t.deleted = 0 AND t.present = 1 AND a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2)",
            range,
            |r| {
                Ok(ActivityCounts {
                    events: r.get(0)?,
                    assemblies: r.get(1)?,
                    attendances: r.get(2)?,
                    people: r.get(3)?,
                })
            },
        )
        .map_err(Error::from)
}
