//! Reading cases: the tutor's list, one case with its plan, team, referrals, notes and history,
//! and the goals due (for Home).

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Row};

use crate::access::{self, Action};
use crate::audit;
use crate::codes::{Axis, CaseOutcome, GoalStatus, ReferralState};
use crate::desk::{self, Note, NoteSubject};
use crate::error::{Error, Result};
use crate::ids::{CaseId, DeskContactId, GoalId, HouseholdId, OperatorId, PersonId, ReferralId};
use crate::schema::Table;
use crate::store::{Actor, Store};

/// A case as the tutor's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseSummary {
    pub id: CaseId,
    pub person: PersonId,
    pub person_name: String,
    pub household: Option<HouseholdId>,
    pub household_address: Option<String>,
    pub axis: Axis,
    pub tutor: OperatorId,
    pub tutor_name: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<CaseOutcome>,
    pub servizio_sociale: bool,
    /// Goals and steps still to do.
    pub open_goals: u32,
    /// Of those, how many are past their due date.
    pub overdue: u32,
    /// The nearest due date of what is still to do.
    pub next_due: Option<NaiveDate>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Cases this operator follows (as tutor or in the team).
    pub operator: Option<OperatorId>,
    pub person: Option<PersonId>,
    pub household: Option<HouseholdId>,
    /// Open cases only.
    pub open_only: bool,
}

const SUMMARY_SELECT: &str = "
    SELECT c.id, c.person_id, coalesce(p.surname || ' ' || p.name, ''), c.household_id,
           d.street, d.civic, d.scala, d.piano, d.interno,
           c.axis, c.tutor_id, coalesce(o.name, ''), c.opened_on, c.closed_on, c.outcome, c.servizio_sociale,
           (SELECT count(*) FROM case_goal g WHERE g.case_id = c.id AND g.deleted = 0
                AND g.status IN ('aperto', 'in_corso')),
           (SELECT count(*) FROM case_goal g WHERE g.case_id = c.id AND g.deleted = 0
                AND g.status IN ('aperto', 'in_corso') AND g.due_on < ?1),
           (SELECT min(g.due_on) FROM case_goal g WHERE g.case_id = c.id AND g.deleted = 0
                AND g.status IN ('aperto', 'in_corso'))
    FROM case_file c
    LEFT JOIN person p ON p.id = c.person_id
    LEFT JOIN operator o ON o.id = c.tutor_id
    LEFT JOIN household h ON h.id = c.household_id
    LEFT JOIN dwelling d ON d.id = h.dwelling_id";

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<CaseSummary> {
    Ok(CaseSummary {
        id: r.get(0)?,
        person: r.get(1)?,
        person_name: r.get(2)?,
        household: r.get(3)?,
        household_address: crate::registry::address_at(r, 4)?,
        axis: r.get::<_, String>(9).map(|a| Axis::from_code(&a).unwrap_or(Axis::Disagio))?,
        tutor: r.get(10)?,
        tutor_name: r.get(11)?,
        opened_on: date(r.get(12)?).unwrap_or_default(),
        closed_on: date(r.get(13)?),
        outcome: r.get::<_, Option<String>>(14)?.and_then(|o| CaseOutcome::from_code(&o)),
        servizio_sociale: r.get::<_, i64>(15)? != 0,
        open_goals: r.get::<_, Option<u32>>(16)?.unwrap_or(0),
        overdue: r.get::<_, Option<u32>>(17)?.unwrap_or(0),
        next_due: date(r.get(18)?),
    })
}

fn load_summaries(conn: &Connection, filter: &CaseFilter, today: NaiveDate) -> Result<Vec<CaseSummary>> {
    let mut conditions = vec!["c.deleted = 0".to_string()];
    let mut values: Vec<Value> = vec![today.to_string().into()];
    if let Some(operator) = filter.operator {
        values.push(operator.to_string().into());
        let n = values.len();
        conditions.push(format!(
            "(c.tutor_id = ?{n} OR c.id IN (SELECT case_id FROM case_operator WHERE operator_id = ?{n} AND deleted = 0))"
        ));
    }
    if let Some(person) = filter.person {
        values.push(person.to_string().into());
        conditions.push(format!("c.person_id = ?{}", values.len()));
    }
    if let Some(household) = filter.household {
        values.push(household.to_string().into());
        conditions.push(format!("c.household_id = ?{}", values.len()));
    }
    if filter.open_only {
        conditions.push("c.closed_on IS NULL".into());
    }
    let sql = format!("{SUMMARY_SELECT} WHERE {}", conditions.join(" AND "));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows: Vec<CaseSummary> =
        stmt.query_map(params_from_iter(values), summary_from_row)?.collect::<rusqlite::Result<_>>()?;
    // Open first; then what is overdue, then the nearest deadline, then by name.
    rows.sort_by(|a, b| {
        (a.closed_on.is_some(), a.overdue == 0, a.next_due.is_none(), a.next_due, &a.person_name, a.opened_on).cmp(&(
            b.closed_on.is_some(),
            b.overdue == 0,
            b.next_due.is_none(),
            b.next_due,
            &b.person_name,
            b.opened_on,
        ))
    });
    Ok(rows)
}

/// The cases the filter names, the open ones first and among them what is overdue. Needs
/// [`Action::ReadCases`]; the read is recorded in the audit log.
pub fn cases(store: &mut Store, actor: &Actor, filter: &CaseFilter, today: NaiveDate) -> Result<Vec<CaseSummary>> {
    let role = access::require(store.conn(), actor, Action::ReadCases)?;
    let rows = load_summaries(store.conn(), filter, today)?;
    let subject = match filter.person {
        Some(p) => (Table::Person, Some(p.0)),
        None => (Table::CaseFile, None),
    };
    audit::record_read(store, actor, role, subject, "case")?;
    Ok(rows)
}

/// A goal or a step of the plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalView {
    pub id: GoalId,
    pub title: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub status: GoalStatus,
    pub done_on: Option<NaiveDate>,
    /// Still to do and past its due date.
    pub overdue: bool,
    /// A goal's steps, in the order written (empty for a step).
    pub steps: Vec<GoalView>,
}

/// An operator on the case besides the tutor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseMember {
    pub operator: OperatorId,
    pub name: String,
    pub role: String,
}

/// A referral made from the case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseReferral {
    pub id: ReferralId,
    /// The partner's name, or «Servizio Sociale».
    pub to: String,
    pub reason: String,
    pub shares_data: bool,
    pub state: ReferralState,
    pub referred_on: Option<NaiveDate>,
    pub state_on: Option<NaiveDate>,
}

/// One case, whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub reason: Option<String>,
    /// The desk contact the case was opened from.
    pub contact: Option<DeskContactId>,
    pub outcome_note: Option<String>,
    pub team: Vec<CaseMember>,
    /// Goals in the order written, each with its steps.
    pub goals: Vec<GoalView>,
    pub referrals: Vec<CaseReferral>,
    pub notes: Vec<Note>,
    /// Who changed what and when, newest first.
    pub history: Vec<super::HistoryEntry>,
}

/// One case. Needs [`Action::ReadCases`]; the read is recorded in the audit log.
pub fn case(store: &mut Store, actor: &Actor, id: CaseId, today: NaiveDate) -> Result<CaseDetail> {
    let role = access::require(store.conn(), actor, Action::ReadCases)?;
    let conn = store.conn();
    let summary = {
        let mut stmt = conn.prepare_cached(&format!("{SUMMARY_SELECT} WHERE c.id = ?2 AND c.deleted = 0"))?;
        let mut rows = stmt.query_map(rusqlite::params![today.to_string(), id], summary_from_row)?;
        rows.next().transpose()?.ok_or_else(|| Error::NotFound { what: "presa in carico", key: id.to_string() })?
    };
    let (reason, contact, outcome_note) =
        conn.query_row("SELECT reason, contact_id, outcome_note FROM case_file WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let team = {
        let mut stmt = conn.prepare_cached(
            "SELECT m.operator_id, coalesce(o.name, ''), coalesce(m.role, '') FROM case_operator m
             LEFT JOIN operator o ON o.id = m.operator_id WHERE m.case_id = ?1 AND m.deleted = 0 ORDER BY o.name",
        )?;
        let rows =
            stmt.query_map([id], |r| Ok(CaseMember { operator: r.get(0)?, name: r.get(1)?, role: r.get(2)? }))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let goals = load_goals(conn, id, today)?;
    let referrals = {
        let mut stmt = conn.prepare_cached(
            "SELECT r.id, CASE WHEN r.servizio_sociale = 1 THEN 'Servizio Sociale' ELSE coalesce(p.name, '') END,
                    coalesce(r.reason, ''), r.shares_data, r.state, r.referred_on, r.state_on
             FROM referral r LEFT JOIN partner p ON p.id = r.partner_id
             WHERE r.case_id = ?1 AND r.deleted = 0 ORDER BY r.referred_on, r.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(CaseReferral {
                id: r.get(0)?,
                to: r.get(1)?,
                reason: r.get(2)?,
                shares_data: r.get::<_, i64>(3)? != 0,
                state: r
                    .get::<_, Option<String>>(4)?
                    .and_then(|s| ReferralState::from_code(&s))
                    .unwrap_or(ReferralState::Inviato),
                referred_on: date(r.get(5)?),
                state_on: date(r.get(6)?),
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let history = super::history(conn, id)?;
    let notes = desk::load_notes(conn, NoteSubject::Case(id))?;
    audit::record_read(store, actor, role, (Table::CaseFile, Some(id.0)), "case")?;
    Ok(CaseDetail { summary, reason, contact, outcome_note, team, goals, referrals, notes, history })
}

fn load_goals(conn: &Connection, case: CaseId, today: NaiveDate) -> Result<Vec<GoalView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, parent_id, title, coalesce(owner, ''), due_on, status, done_on FROM case_goal
         WHERE case_id = ?1 AND deleted = 0 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([case], |r| {
        let status = r.get::<_, String>(5)?;
        let status = GoalStatus::from_code(&status).unwrap_or(GoalStatus::Aperto);
        let due_on = date(r.get(4)?);
        Ok((
            r.get::<_, Option<GoalId>>(1)?,
            GoalView {
                id: r.get(0)?,
                title: r.get(2)?,
                owner: r.get(3)?,
                due_on,
                status,
                done_on: date(r.get(6)?),
                overdue: status.is_open() && due_on.is_some_and(|d| d < today),
                steps: Vec::new(),
            },
        ))
    })?;
    let all: Vec<(Option<GoalId>, GoalView)> = rows.collect::<rusqlite::Result<_>>()?;
    let mut goals: Vec<GoalView> = all.iter().filter(|(p, _)| p.is_none()).map(|(_, g)| g.clone()).collect();
    for (parent, step) in all.into_iter().filter(|(p, _)| p.is_some()) {
        if let Some(goal) = goals.iter_mut().find(|g| Some(g.id) == parent) {
            goal.steps.push(step);
        }
    }
    Ok(goals)
}

/// A goal or step due today or overdue, for Home and the tutor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalDue {
    pub case: CaseId,
    pub goal: GoalId,
    pub person_name: String,
    pub title: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub tutor_name: String,
    pub is_step: bool,
}

/// Goals and steps of open cases still to do and due by `by`, the longest overdue first; at most
/// `limit`. Needs [`Action::ReadCases`].
pub fn goals_due(store: &mut Store, actor: &Actor, by: NaiveDate, limit: usize) -> Result<Vec<GoalDue>> {
    let role = access::require(store.conn(), actor, Action::ReadCases)?;
    let due = load_goals_due(store.conn(), by, limit)?;
    audit::record_read(store, actor, role, (Table::CaseFile, None), "case_goal")?;
    Ok(due)
}

fn load_goals_due(conn: &Connection, by: NaiveDate, limit: usize) -> Result<Vec<GoalDue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.case_id, g.id, coalesce(p.surname || ' ' || p.name, ''), g.title, coalesce(g.owner, ''), g.due_on,
                coalesce(o.name, ''), g.parent_id IS NOT NULL
         FROM case_goal g
         JOIN case_file c ON c.id = g.case_id AND c.deleted = 0 AND c.closed_on IS NULL
         LEFT JOIN person p ON p.id = c.person_id
         LEFT JOIN operator o ON o.id = c.tutor_id
         WHERE g.deleted = 0 AND g.status IN ('aperto', 'in_corso') AND g.due_on <= ?1
         ORDER BY g.due_on LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![by.to_string(), limit as i64], |r| {
        Ok(GoalDue {
            case: r.get(0)?,
            goal: r.get(1)?,
            person_name: r.get(2)?,
            title: r.get(3)?,
            owner: r.get(4)?,
            due_on: date(r.get(5)?).unwrap_or_default(),
            tutor_name: r.get(6)?,
            is_step: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many goals and steps of open cases are due by `by` (Home lists the first few).
pub fn goals_due_count(store: &Store, actor: &Actor, by: NaiveDate) -> Result<u32> {
    access::require(store.conn(), actor, Action::ReadCases)?;
    Ok(store.conn().query_row(
        "SELECT count(*) FROM case_goal g JOIN case_file c ON c.id = g.case_id AND c.deleted = 0 AND c.closed_on IS NULL
         WHERE g.deleted = 0 AND g.status IN ('aperto', 'in_corso') AND g.due_on <= ?1",
        [by.to_string()],
        |r| r.get(0),
    )?)
}
