//! The minutes of an activity: topics discussed, decisions taken, and follow-ups, each with who
//! takes care of it and by when. Open follow-ups past their day are on Home until marked done.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use super::exists;
use crate::access::{self, Action};
use crate::codes::MinuteKind;
use crate::draft::{date_from_today, given, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::ActivityId;
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// A line of the minutes as typed: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinuteDraft {
    /// `tema`, `decisione`, `impegno`.
    pub kind: String,
    pub text: String,
    /// Who takes care of a follow-up.
    pub owner: String,
    /// By when (`gg/mm/aaaa`, `+7`, `domani`), for a follow-up.
    pub due: String,
}

/// A line of the minutes, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinuteInput {
    pub kind: MinuteKind,
    pub text: String,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// The longest line of minutes, in characters.
pub const MINUTE_MAX: usize = 2000;

impl MinuteDraft {
    /// Reads the draft; a follow-up needs an owner and a day, a topic or decision takes neither.
    pub fn parse(&self, today: NaiveDate) -> Result<MinuteInput> {
        let mut errors = Vec::new();
        let kind = MinuteKind::from_code(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "tipo",
                format!("scegli se è un tema, una decisione o un impegno ({})", MinuteKind::codes_list()),
            ));
        }
        let text = self.text.trim().to_string();
        if text.is_empty() {
            errors.push(FieldError::new("testo", "scrivi che cosa è stato discusso, deciso o preso come impegno"));
        } else if text.chars().count() > MINUTE_MAX {
            errors.push(FieldError::new("testo", format!("al massimo {MINUTE_MAX} caratteri")));
        }
        let owner = given(&self.owner);
        if owner.as_ref().is_some_and(|o| o.chars().count() > LONG_LINE_MAX) {
            errors.push(FieldError::new("responsabile", format!("al massimo {LONG_LINE_MAX} caratteri")));
        }
        let due_on = date_from_today("entro", &self.due, today, &mut errors);
        if kind == Some(MinuteKind::Impegno) {
            if owner.is_none() {
                errors.push(FieldError::new("responsabile", "scrivi chi se ne occupa"));
            }
            if due_on.is_none() && given(&self.due).is_none() {
                errors.push(FieldError::new(
                    "entro",
                    "scrivi entro quando (gg/mm/aaaa, oppure +7 per fra una settimana)",
                ));
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => {
                let follow_up = kind == MinuteKind::Impegno;
                Ok(MinuteInput { kind, text, owner: owner.filter(|_| follow_up), due_on: due_on.filter(|_| follow_up) })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// Adds a line to an activity's minutes, after the others; returns its id.
pub fn add_minute(w: &mut Writer<'_>, activity: ActivityId, input: &MinuteInput) -> Result<uuid::Uuid> {
    exists(w.conn(), activity)?;
    let position: i64 = w.conn().query_row(
        "SELECT coalesce(max(position), 0) + 1 FROM minute_item WHERE activity_id = ?1 AND deleted = 0",
        [activity],
        |r| r.get(0),
    )?;
    let id = w.new_id();
    w.insert(
        Table::MinuteItem,
        id,
        &[
            ("activity_id", activity.to_string().into()),
            ("kind", input.kind.code().to_string().into()),
            ("body", input.text.clone().into()),
            ("owner", input.owner.clone().into()),
            ("due_on", input.due_on.map(|d| d.to_string()).into()),
            ("position", position.into()),
            ("written_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Marks a follow-up done on `on`.
pub fn complete_follow_up(w: &mut Writer<'_>, item: uuid::Uuid, on: NaiveDate) -> Result<()> {
    let kind: Option<String> = w
        .conn()
        .query_row("SELECT kind FROM minute_item WHERE id = ?1 AND deleted = 0", [item.to_string()], |r| r.get(0))
        .optional()?;
    match kind.as_deref() {
        None => Err(Error::NotFound { what: "punto del verbale", key: item.to_string() }),
        Some("impegno") => {
            let by = w.actor().operator.to_string();
            w.update(Table::MinuteItem, item, &[("done_on", on.to_string().into()), ("done_by", by.into())]).map(drop)
        }
        Some(_) => Err(Error::invalid("tipo", "solo un impegno si segna come fatto")),
    }
}

/// A line of the minutes, as shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MinuteItem {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: uuid::Uuid,
    pub kind: MinuteKind,
    pub text: String,
    pub owner: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub due_on: Option<NaiveDate>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub done_on: Option<NaiveDate>,
}

pub(crate) fn minutes_of(conn: &rusqlite::Connection, activity: ActivityId) -> Result<Vec<MinuteItem>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, body, owner, due_on, done_on FROM minute_item
         WHERE activity_id = ?1 AND deleted = 0 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([activity], |r| {
        Ok(MinuteItem {
            id: crate::store::parse_uuid(&r.get::<_, String>(0)?).unwrap_or_default(),
            kind: MinuteKind::from_code(&r.get::<_, String>(1)?).unwrap_or(MinuteKind::Tema),
            text: r.get(2)?,
            owner: r.get(3)?,
            due_on: r.get::<_, Option<String>>(4)?.and_then(|d| d.parse().ok()),
            done_on: r.get::<_, Option<String>>(5)?.and_then(|d| d.parse().ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// An open follow-up of some activity's minutes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpDue {
    pub item: MinuteItem,
    pub activity: ActivityId,
    pub activity_title: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub held_on: NaiveDate,
}

/// The open follow-ups due by `by` (overdue included), the earliest first.
pub fn follow_ups_due(store: &Store, actor: &Actor, by: NaiveDate) -> Result<Vec<FollowUpDue>> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let mut stmt = store.conn().prepare(
        "SELECT m.activity_id, a.title, a.held_on, m.id FROM minute_item m JOIN activity a ON a.id = m.activity_id
         WHERE m.kind = 'impegno' AND m.done_on IS NULL AND m.deleted = 0 AND a.deleted = 0 AND m.due_on <= ?1
         ORDER BY m.due_on, m.position",
    )?;
    let rows = stmt
        .query_map(params![by.to_string()], |r| {
            Ok((r.get::<_, ActivityId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut due = Vec::new();
    for (activity, title, held_on, id) in rows {
        let item = minutes_of(store.conn(), activity)?.into_iter().find(|m| m.id.to_string() == id);
        if let Some(item) = item {
            due.push(FollowUpDue {
                item,
                activity,
                activity_title: title,
                held_on: held_on.parse().unwrap_or_default(),
            });
        }
    }
    Ok(due)
}
