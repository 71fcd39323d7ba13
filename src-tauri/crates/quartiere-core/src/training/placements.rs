//! Work placements (tirocini) and hours given back to the community (restituzione), for a person
//! on the training axis: what a placement was, where, when and how it ended; how much time a
//! person gave back to the neighbourhood, on which day, doing what.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::draft::{date, given, line, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::format;
use crate::ids::{ActivityId, PartnerId, PersonId};
use crate::registry::opt;
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// A placement as typed: every field as text. Also the window's wire type.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PlacementDraft {
    /// A partner's id, or blank with `host_name`.
    pub host: String,
    /// The host when it is not a partner of the project.
    pub host_name: String,
    pub role: String,
    /// `gg/mm/aaaa`.
    pub starts_on: String,
    pub ends_on: String,
    pub weekly_hours: String,
}

/// A placement, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementInput {
    pub host: Option<PartnerId>,
    pub host_name: Option<String>,
    pub role: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekly_hours: Option<u32>,
}

impl PlacementDraft {
    pub fn parse(&self) -> Result<PlacementInput> {
        let mut errors = Vec::new();
        let host = given(&self.host).and_then(|h| match h.parse::<Uuid>() {
            Ok(id) => Some(PartnerId(id)),
            Err(_) => {
                errors.push(FieldError::new("ente", format!("«{h}» non è un partner: sceglilo dall'elenco")));
                None
            }
        });
        let host_name = line("ente", &self.host_name, LONG_LINE_MAX, &mut errors);
        if host.is_none() && host_name.is_none() && errors.is_empty() {
            errors.push(FieldError::new("ente", "indica dove si svolge il tirocinio (un partner o il nome dell'ente)"));
        }
        let role = line("mansione", &self.role, LINE_MAX, &mut errors);
        let starts_on = date("inizio", &self.starts_on, &mut errors);
        if given(&self.starts_on).is_none() {
            errors.push(FieldError::new("inizio", "scrivi quando comincia il tirocinio (gg/mm/aaaa)"));
        }
        let ends_on = date("fine", &self.ends_on, &mut errors);
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                errors.push(FieldError::new(
                    "fine",
                    format!("il tirocinio finisce ({}) prima di cominciare ({})", format::date(e), format::date(s)),
                ));
            }
        }
        let weekly_hours = given(&self.weekly_hours).and_then(|h| match h.parse::<u32>() {
            Ok(n) if (1..=40).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "ore_settimanali",
                    format!("«{h}» non è un numero di ore a settimana da 1 a 40"),
                ));
                None
            }
        });
        match (starts_on, errors.is_empty()) {
            (Some(starts_on), true) => Ok(PlacementInput { host, host_name, role, starts_on, ends_on, weekly_hours }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// Records a placement for a person. An unknown partner is refused.
pub fn add_placement(w: &mut Writer<'_>, person: PersonId, input: &PlacementInput) -> Result<Uuid> {
    crate::registry::load_person(w.conn(), person)?;
    if let Some(host) = input.host {
        let known: bool =
            w.conn()
                .query_row("SELECT count(*) > 0 FROM partner WHERE id = ?1 AND deleted = 0", [host], |r| r.get(0))?;
        if !known {
            return Err(Error::NotFound { what: "partner", key: host.to_string() });
        }
    }
    let id = w.new_id();
    w.insert(
        Table::Placement,
        id,
        &[
            ("person_id", person.to_string().into()),
            ("host_id", opt(input.host.map(|h| h.to_string()))),
            ("host_name", opt(input.host_name.clone())),
            ("role", opt(input.role.clone())),
            ("starts_on", input.starts_on.to_string().into()),
            ("ends_on", opt(input.ends_on.map(|d| d.to_string()))),
            ("weekly_hours", input.weekly_hours.map(i64::from).into()),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Ends a placement on `on` (not before it began) with how it went.
pub fn end_placement(w: &mut Writer<'_>, placement: Uuid, on: NaiveDate, outcome: &str) -> Result<()> {
    let starts: Option<String> = w
        .conn()
        .query_row("SELECT starts_on FROM placement WHERE id = ?1 AND deleted = 0", [placement.to_string()], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "tirocinio", key: placement.to_string() })?;
    if let Some(start) = starts.and_then(|s| s.parse::<NaiveDate>().ok()).filter(|s| on < *s) {
        return Err(Error::invalid(
            "fine",
            format!("il tirocinio non può finire ({}) prima di cominciare ({})", format::date(on), format::date(start)),
        ));
    }
    let outcome = outcome.trim();
    w.update(
        Table::Placement,
        placement,
        &[("ends_on", on.to_string().into()), ("outcome", opt(Some(outcome.to_string()).filter(|o| !o.is_empty())))],
    )
    .map(drop)
}

/// The most a person gives back in one day, in minutes.
pub const DAY_MINUTES_MAX: u32 = 12 * 60;

/// Records time a person gave back to the community on `on` (not in the future, at most
/// [`DAY_MINUTES_MAX`] in a day counting what is already recorded), doing `what`.
pub fn add_community_hours(
    w: &mut Writer<'_>,
    person: PersonId,
    on: NaiveDate,
    minutes: u32,
    what: &str,
    activity: Option<ActivityId>,
    today: NaiveDate,
) -> Result<Uuid> {
    let who = crate::registry::load_person(w.conn(), person)?;
    let what = what.trim();
    let mut errors = Vec::new();
    if on > today {
        errors.push(FieldError::new("giorno", "le ore si registrano dopo averle fatte, non in anticipo"));
    }
    if minutes == 0 {
        errors.push(FieldError::new("ore", "indica quanto tempo (per esempio 2 o 1,5 o 1:30)"));
    }
    let already: u32 = w.conn().query_row(
        "SELECT coalesce(sum(minutes), 0) FROM community_hours WHERE person_id = ?1 AND given_on = ?2 AND deleted = 0",
        params![person, on.to_string()],
        |r| r.get(0),
    )?;
    if minutes > 0 && already + minutes > DAY_MINUTES_MAX {
        errors.push(FieldError::new(
            "ore",
            format!(
                "{} in un giorno sono troppe per {} (già registrate: {})",
                format::duration(i64::from(already + minutes)),
                who.full_name(),
                format::duration(i64::from(already))
            ),
        ));
    }
    if what.is_empty() {
        errors.push(FieldError::new("attivita", "scrivi che cosa ha fatto per la comunità"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let id = w.new_id();
    w.insert(
        Table::CommunityHours,
        id,
        &[
            ("person_id", person.to_string().into()),
            ("given_on", on.to_string().into()),
            ("minutes", i64::from(minutes).into()),
            ("description", what.to_string().into()),
            ("activity_id", opt(activity.map(|a| a.to_string()))),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// A placement as the person's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlacementView {
    pub id: String,
    /// The partner's name, or the host named when not a partner.
    pub host: String,
    pub role: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekly_hours: Option<u32>,
    pub outcome: Option<String>,
}

/// Time given back on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommunityHoursView {
    pub given_on: NaiveDate,
    pub minutes: u32,
    pub description: String,
}

/// A person's placements and the time they gave back, with its total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkPath {
    pub placements: Vec<PlacementView>,
    pub community: Vec<CommunityHoursView>,
    pub community_minutes: u32,
}

/// A person's placements and community hours. Needs [`Action::ReadTraining`].
pub fn work_path(store: &Store, actor: &Actor, person: PersonId) -> Result<WorkPath> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    load_work_path(store.conn(), person)
}

pub(crate) fn load_work_path(conn: &Connection, person: PersonId) -> Result<WorkPath> {
    let day = |s: Option<String>| s.and_then(|s| s.parse::<NaiveDate>().ok());
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, coalesce(h.name, p.host_name, ''), p.role, p.starts_on, p.ends_on, p.weekly_hours, p.outcome
         FROM placement p LEFT JOIN partner h ON h.id = p.host_id
         WHERE p.person_id = ?1 AND p.deleted = 0 ORDER BY p.starts_on DESC",
    )?;
    let placements = stmt
        .query_map([person], |r| {
            Ok(PlacementView {
                id: r.get(0)?,
                host: r.get(1)?,
                role: r.get(2)?,
                starts_on: day(r.get(3)?).unwrap_or_default(),
                ends_on: day(r.get(4)?),
                weekly_hours: r.get(5)?,
                outcome: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT given_on, minutes, coalesce(description, '') FROM community_hours
         WHERE person_id = ?1 AND deleted = 0 ORDER BY given_on DESC",
    )?;
    let community = stmt
        .query_map([person], |r| {
            Ok(CommunityHoursView {
                given_on: day(r.get(0)?).unwrap_or_default(),
                minutes: r.get(1)?,
                description: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let community_minutes = community.iter().map(|c| c.minutes).sum();
    Ok(WorkPath { placements, community, community_minutes })
}

/// The free text of a person's placements and community hours, for an erasure: (table, row, column).
pub(crate) fn free_text_cells(conn: &Connection, person: PersonId) -> Result<Vec<(Table, Uuid, &'static str)>> {
    let mut cells = Vec::new();
    for (table, sql, columns) in [
        (Table::Placement, "SELECT id FROM placement WHERE person_id = ?1", &["host_name", "role", "outcome"][..]),
        (Table::CommunityHours, "SELECT id FROM community_hours WHERE person_id = ?1", &["description"][..]),
    ] {
        let mut stmt = conn.prepare(sql)?;
        let ids: Vec<String> = stmt.query_map([person], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for id in ids.iter().filter_map(|s| Uuid::parse_str(s).ok()) {
            cells.extend(columns.iter().map(|c| (table, id, *c)));
        }
    }
    Ok(cells)
}
