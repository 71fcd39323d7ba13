//! The project plan: the actions the project committed to, each with its axis, the organisation
//! and the person who own it, start and due dates, where it stands, its budget and what it has
//! spent (euro cents), and the activities and cases that carry it out. An open action past its
//! due date is late: Home lists it for the coordinator.
//!
//! The coordinator writes the plan ([`Action::ManageProject`]); the operators read it. It holds
//! no resident's name: an action's cases are shown by axis and dates only.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use crate::access::{self, Action};
use crate::codes::{ActionStatus, ActivityKind, Axis};
use crate::draft::{code, date, id, line, money, required_line, LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::{ActivityId, CaseId, PartnerId, PlanActionId};
use crate::registry::opt;
use crate::schema::Table;
use crate::store::{parse_uuid, Actor, Store, Writer};

/// An action as typed in the form or on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ActionDraft {
    /// An [`Axis`] code.
    pub axis: String,
    pub title: String,
    /// The owner organisation, chosen from the partners (blank: the lab itself).
    pub partner_id: String,
    /// Who follows it (an operator or a partner's contact).
    pub owner_name: String,
    /// `gg/mm/aaaa`.
    pub starts_on: String,
    pub due_on: String,
    /// An [`ActionStatus`] code; blank is «da avviare».
    pub status: String,
    /// The day it was completed or cancelled; blank with such a status is today.
    pub done_on: String,
    /// Euro, `1.234,50`.
    pub budget: String,
    pub spent: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionInput {
    pub axis: Axis,
    pub title: String,
    pub partner: Option<PartnerId>,
    pub owner_name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    pub done_on: Option<NaiveDate>,
    pub budget: i64,
    pub spent: i64,
}

impl ActionDraft {
    /// Every wrong field at once, in Italian.
    pub fn parse(&self, today: NaiveDate) -> Result<ActionInput> {
        let mut errors = Vec::new();
        let axis = code("asse", &self.axis, "un asse del progetto", Axis::from_code, &Axis::codes_list(), &mut errors);
        if axis.is_none() && errors.is_empty() {
            errors.push(FieldError::new("asse", "scegli l'asse del progetto"));
        }
        let title = required_line("titolo", &self.title, LINE_MAX * 2, &mut errors);
        if title.is_empty() && !errors.iter().any(|e| e.field == "titolo") {
            errors.push(FieldError::new("titolo", "scrivi che cosa prevede l'azione"));
        }
        let partner = id("organizzazione", &self.partner_id, "un'organizzazione", PartnerId, &mut errors);
        let owner_name = line("responsabile", &self.owner_name, LINE_MAX, &mut errors);
        if partner.is_none() && owner_name.is_none() && !errors.iter().any(|e| e.field == "responsabile") {
            errors.push(FieldError::new(
                "responsabile",
                "scrivi chi se ne occupa (una persona, un'organizzazione o entrambe)",
            ));
        }
        let starts_on = date("inizio", &self.starts_on, &mut errors);
        let due_on = date("scadenza", &self.due_on, &mut errors);
        if let (Some(s), Some(d)) = (starts_on, due_on) {
            if d < s {
                errors.push(FieldError::new("scadenza", "la scadenza viene prima dell'inizio"));
            }
        }
        let status = match crate::draft::given(&self.status) {
            None => Some(ActionStatus::DaAvviare),
            Some(_) => code(
                "stato",
                &self.status,
                "uno stato dell'azione",
                ActionStatus::from_code,
                &ActionStatus::codes_list(),
                &mut errors,
            ),
        };
        let mut done_on = date("conclusa_il", &self.done_on, &mut errors);
        match status {
            Some(s) if s.is_open() && done_on.is_some() => errors.push(FieldError::new(
                "conclusa_il",
                "la data di chiusura si scrive solo per un'azione completata o annullata",
            )),
            Some(s) if !s.is_open() && done_on.is_none() && crate::draft::given(&self.done_on).is_none() => {
                done_on = Some(today)
            }
            _ => {}
        }
        if done_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("conclusa_il", "la data di chiusura è nel futuro"));
        }
        if let (Some(done), Some(s)) = (done_on, starts_on) {
            if done < s {
                errors.push(FieldError::new("conclusa_il", "l'azione si chiude prima di cominciare"));
            }
        }
        let budget = money("budget", &self.budget, &mut errors).unwrap_or(0);
        let spent = money("speso", &self.spent, &mut errors).unwrap_or(0);
        match (axis, status, errors.is_empty()) {
            (Some(axis), Some(status), true) => {
                Ok(ActionInput { axis, title, partner, owner_name, starts_on, due_on, status, done_on, budget, spent })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl From<&ActionInput> for ActionDraft {
    /// The form filled with an action's values, to change some of them.
    fn from(input: &ActionInput) -> ActionDraft {
        let day = |d: Option<NaiveDate>| d.map(crate::format::date).unwrap_or_default();
        let euro = |c: i64| format!("{},{:02}", c / 100, c % 100);
        ActionDraft {
            axis: input.axis.code().into(),
            title: input.title.clone(),
            partner_id: input.partner.map(|p| p.to_string()).unwrap_or_default(),
            owner_name: input.owner_name.clone().unwrap_or_default(),
            starts_on: day(input.starts_on),
            due_on: day(input.due_on),
            status: input.status.code().into(),
            done_on: day(input.done_on),
            budget: euro(input.budget),
            spent: euro(input.spent),
        }
    }
}

fn columns(input: &ActionInput) -> Vec<(&'static str, rusqlite::types::Value)> {
    vec![
        ("axis", input.axis.code().to_string().into()),
        ("title", input.title.clone().into()),
        ("partner_id", opt(input.partner.map(|p| p.to_string()))),
        ("owner_name", opt(input.owner_name.clone())),
        ("starts_on", opt(input.starts_on.map(|d| d.to_string()))),
        ("due_on", opt(input.due_on.map(|d| d.to_string()))),
        ("status", input.status.code().to_string().into()),
        ("done_on", opt(input.done_on.map(|d| d.to_string()))),
        ("budget", input.budget.into()),
        ("spent", input.spent.into()),
    ]
}

fn known_partner(conn: &Connection, partner: Option<PartnerId>) -> Result<()> {
    let Some(p) = partner else { return Ok(()) };
    let found: Option<i64> =
        conn.query_row("SELECT 1 FROM partner WHERE id = ?1 AND deleted = 0", [p], |r| r.get(0)).optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::invalid("organizzazione", "questa organizzazione non c'è più: sceglila dall'elenco")),
    }
}

fn known_action(conn: &Connection, action: PlanActionId) -> Result<()> {
    let found: Option<i64> =
        conn.query_row("SELECT 1 FROM plan_action WHERE id = ?1 AND deleted = 0", [action], |r| r.get(0)).optional()?;
    found.map(drop).ok_or_else(|| Error::NotFound { what: "azione del piano", key: action.to_string() })
}

/// Adds an action to the plan. Refused, writing nothing: an unknown organisation.
pub fn add_action(w: &mut Writer<'_>, input: &ActionInput) -> Result<PlanActionId> {
    access::require(w.conn(), &w.actor(), Action::ManageProject)?;
    known_partner(w.conn(), input.partner)?;
    let id = PlanActionId(w.new_id());
    let mut values = columns(input);
    values.push(("recorded_by", w.actor().operator.to_string().into()));
    w.insert(Table::PlanAction, id.0, &values)?;
    Ok(id)
}

/// Changes an action (only what changed is written; the old values stay in the change record).
pub fn edit_action(w: &mut Writer<'_>, action: PlanActionId, input: &ActionInput) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::ManageProject)?;
    known_action(w.conn(), action)?;
    known_partner(w.conn(), input.partner)?;
    w.update(Table::PlanAction, action.0, &columns(input)).map(drop)
}

/// Removes an action and its links.
pub fn remove_action(w: &mut Writer<'_>, action: PlanActionId) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::ManageProject)?;
    known_action(w.conn(), action)?;
    let links: Vec<String> = w
        .conn()
        .prepare("SELECT id FROM plan_action_link WHERE action_id = ?1 AND deleted = 0")?
        .query_map([action], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for link in links {
        w.tombstone(Table::PlanActionLink, parse_uuid(&link)?)?;
    }
    w.tombstone(Table::PlanAction, action.0)
}

/// What an action is carried out by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    Activity(ActivityId),
    Case(CaseId),
}

impl LinkTarget {
    fn column(self) -> (&'static str, String) {
        match self {
            LinkTarget::Activity(a) => ("activity_id", a.to_string()),
            LinkTarget::Case(c) => ("case_id", c.to_string()),
        }
    }

    fn existing_link(self, conn: &Connection, action: PlanActionId) -> Result<Option<String>> {
        let (column, value) = self.column();
        Ok(conn
            .query_row(
                &format!("SELECT id FROM plan_action_link WHERE action_id = ?1 AND {column} = ?2 AND deleted = 0"),
                params![action, value],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Links an activity or a case to an action. Refused: an unknown one, or one already linked.
pub fn link(w: &mut Writer<'_>, action: PlanActionId, target: LinkTarget) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::ManageProject)?;
    known_action(w.conn(), action)?;
    let (table, what, field) = match target {
        LinkTarget::Activity(_) => ("activity", "attività", "attivita"),
        LinkTarget::Case(_) => ("case_file", "presa in carico", "presa_in_carico"),
    };
    let (column, value) = target.column();
    let found: Option<i64> = w
        .conn()
        .query_row(&format!("SELECT 1 FROM {table} WHERE id = ?1 AND deleted = 0"), [&value], |r| r.get(0))
        .optional()?;
    if found.is_none() {
        return Err(Error::NotFound { what, key: value });
    }
    if target.existing_link(w.conn(), action)?.is_some() {
        return Err(Error::invalid(field, format!("questa {what} è già collegata all'azione")));
    }
    let id = w.new_id();
    w.insert(Table::PlanActionLink, id, &[("action_id", action.to_string().into()), (column, value.into())])
}

/// Unlinks an activity or a case from an action (nothing to do when it was not linked).
pub fn unlink(w: &mut Writer<'_>, action: PlanActionId, target: LinkTarget) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::ManageProject)?;
    match target.existing_link(w.conn(), action)? {
        Some(link) => w.tombstone(Table::PlanActionLink, parse_uuid(&link)?),
        None => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkedActivity {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub title: String,
    pub date: NaiveDate,
}

/// A case by its axis and dates: the plan shows no resident's name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkedCase {
    pub id: CaseId,
    pub axis: Axis,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionView {
    pub id: PlanActionId,
    #[serde(flatten)]
    pub fields: ActionInput,
    pub partner_name: Option<String>,
    /// Days past the due date of an open action (0 or none: not late).
    pub days_late: Option<i64>,
    pub over_budget: bool,
    pub activities: Vec<LinkedActivity>,
    pub cases: Vec<LinkedCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AxisTotals {
    pub axis: Axis,
    pub actions: u32,
    pub late: u32,
    pub done: u32,
    pub budget: i64,
    pub spent: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProjectPlan {
    pub today: NaiveDate,
    /// By axis, then due date (none last), then title.
    pub actions: Vec<ActionView>,
    /// One line per axis that has actions, in the axes' order.
    pub axes: Vec<AxisTotals>,
    pub budget: i64,
    pub spent: i64,
    pub late: u32,
}

fn day(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

fn load_actions(conn: &Connection, today: NaiveDate) -> Result<Vec<ActionView>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.axis, a.title, a.partner_id, a.owner_name, a.starts_on, a.due_on, a.status, a.done_on,
                a.budget, a.spent, p.name
           FROM plan_action a LEFT JOIN partner p ON p.id = a.partner_id
          WHERE a.deleted = 0",
    )?;
    let mut actions = stmt
        .query_map([], |r| {
            let fields = ActionInput {
                axis: r.get::<_, String>(1).map(|c| Axis::from_code(&c).unwrap_or(Axis::Convivenza))?,
                title: r.get(2)?,
                partner: r.get(3)?,
                owner_name: r.get(4)?,
                starts_on: day(r.get(5)?),
                due_on: day(r.get(6)?),
                status: r
                    .get::<_, String>(7)
                    .map(|c| ActionStatus::from_code(&c).unwrap_or(ActionStatus::DaAvviare))?,
                done_on: day(r.get(8)?),
                budget: r.get(9)?,
                spent: r.get(10)?,
            };
            let days_late = match fields.due_on {
                Some(due) if fields.status.is_open() && due < today => Some((today - due).num_days()),
                _ => None,
            };
            Ok(ActionView {
                id: r.get(0)?,
                over_budget: fields.budget > 0 && fields.spent > fields.budget,
                fields,
                partner_name: r.get(11)?,
                days_late,
                activities: Vec::new(),
                cases: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut activities = conn.prepare_cached(
        "SELECT t.id, t.kind, t.title, t.held_on FROM plan_action_link l JOIN activity t ON t.id = l.activity_id
          WHERE l.action_id = ?1 AND l.deleted = 0 AND t.deleted = 0 ORDER BY t.held_on, t.starts_at",
    )?;
    let mut cases = conn.prepare_cached(
        "SELECT c.id, c.axis, c.opened_on, c.closed_on FROM plan_action_link l JOIN case_file c ON c.id = l.case_id
          WHERE l.action_id = ?1 AND l.deleted = 0 AND c.deleted = 0 ORDER BY c.opened_on",
    )?;
    for a in &mut actions {
        a.activities = activities
            .query_map([a.id], |r| {
                Ok(LinkedActivity {
                    id: r.get(0)?,
                    kind: r
                        .get::<_, String>(1)
                        .map(|c| ActivityKind::from_code(&c).unwrap_or(ActivityKind::Incontro))?,
                    title: r.get(2)?,
                    date: day(r.get(3)?).unwrap_or(today),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        a.cases = cases
            .query_map([a.id], |r| {
                Ok(LinkedCase {
                    id: r.get(0)?,
                    axis: r.get::<_, String>(1).map(|c| Axis::from_code(&c).unwrap_or(Axis::Disagio))?,
                    opened_on: day(r.get(2)?).unwrap_or(today),
                    closed_on: day(r.get(3)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    actions.sort_by(|a, b| {
        (a.fields.axis, a.fields.due_on.is_none(), a.fields.due_on, &a.fields.title).cmp(&(
            b.fields.axis,
            b.fields.due_on.is_none(),
            b.fields.due_on,
            &b.fields.title,
        ))
    });
    Ok(actions)
}

/// The whole plan with its totals on `today` (operators read it; the Comune's reader does not).
pub fn plan(store: &Store, actor: &Actor, today: NaiveDate) -> Result<ProjectPlan> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let actions = load_actions(store.conn(), today)?;
    let mut axes: Vec<AxisTotals> = Vec::new();
    for &axis in Axis::ALL {
        let of: Vec<&ActionView> = actions.iter().filter(|a| a.fields.axis == axis).collect();
        if of.is_empty() {
            continue;
        }
        axes.push(AxisTotals {
            axis,
            actions: of.len() as u32,
            late: of.iter().filter(|a| a.days_late.is_some()).count() as u32,
            done: of.iter().filter(|a| a.fields.status == ActionStatus::Completata).count() as u32,
            budget: of.iter().map(|a| a.fields.budget).sum(),
            spent: of.iter().map(|a| a.fields.spent).sum(),
        });
    }
    Ok(ProjectPlan {
        today,
        budget: axes.iter().map(|a| a.budget).sum(),
        spent: axes.iter().map(|a| a.spent).sum(),
        late: axes.iter().map(|a| a.late).sum(),
        axes,
        actions,
    })
}

/// One action.
pub fn action(store: &Store, actor: &Actor, id: PlanActionId, today: NaiveDate) -> Result<ActionView> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    load_actions(store.conn(), today)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| Error::NotFound { what: "azione del piano", key: id.to_string() })
}

/// The open actions past their due date on `today`, the longest late first (Home).
pub fn late_actions(store: &Store, actor: &Actor, today: NaiveDate) -> Result<Vec<ActionView>> {
    let mut late: Vec<ActionView> =
        plan(store, actor, today)?.actions.into_iter().filter(|a| a.days_late.is_some()).collect();
    late.sort_by_key(|a| std::cmp::Reverse(a.days_late));
    Ok(late)
}
