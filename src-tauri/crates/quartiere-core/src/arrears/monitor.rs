//! What the arrears officer watches and the project reports: the instalments due this week and
//! overdue (Home lists them), plans signed and followed, the no-fault debt and the money recovered
//! at each month's end.

use chrono::{Days, NaiveDate};
use rusqlite::Connection;

use super::account_rows;
use super::view::{debt_on, household_line, load_plan, month_ends, plan_ids, PlanData};
use crate::access::{self, Action};
use crate::audit;
use crate::codes::PlanStatus;
use crate::error::Result;
use crate::ids::{HouseholdId, PlanId};
use crate::schema::Table;
use crate::store::{parse_uuid, Actor, Store};

/// An instalment to watch: due this week, or past due and unpaid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueInstalment {
    pub plan: PlanId,
    pub household: HouseholdId,
    pub address: String,
    pub tenant: Option<String>,
    pub number: u32,
    pub due_on: NaiveDate,
    /// What it still owes.
    pub outstanding: i64,
    pub status: PlanStatus,
}

/// The project's figure at a month's end.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProjectPoint {
    pub on: NaiveDate,
    /// The debt of households assessed as no-fault.
    pub no_fault_debt: i64,
    /// Paid towards plans (payments and contributions) since the first plan, up to that day.
    pub recovered: i64,
}

/// What the arrears officer watches, and the project reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Monitoring {
    pub day: NaiveDate,
    pub due_this_week: Vec<DueInstalment>,
    pub overdue: Vec<DueInstalment>,
    /// Plans signed (the seed's indicator), and of them those followed now (not closed, not lapsed).
    pub plans_signed: u32,
    pub plans_monitored: u32,
    pub by_status: Vec<(PlanStatus, u32)>,
    pub over_time: Vec<ProjectPoint>,
}

/// Monitoring on `day`: instalments due in the next 7 days and past due, plan counts, and the
/// no-fault debt and recovered money at each month's end (from the first month on record).
/// Needs [`Action::ReadArrears`].
pub fn monitoring(store: &mut Store, actor: &Actor, day: NaiveDate) -> Result<Monitoring> {
    let role = access::require(store.conn(), actor, Action::ReadArrears)?;
    let m = monitoring_view(store.conn(), day)?;
    audit::record_read(store, actor, role, (Table::RepaymentPlan, None), "monitoraggio morosità")?;
    Ok(m)
}

/// Instalments past due and unpaid, and due in the next 7 days, on `day`: what Home lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueInstalments {
    pub day: NaiveDate,
    pub due_this_week: Vec<DueInstalment>,
    pub overdue: Vec<DueInstalment>,
}

/// The instalments due this week and overdue, without the monitoring's month-by-month figures.
/// Needs [`Action::ReadArrears`].
pub fn due_instalments(store: &mut Store, actor: &Actor, day: NaiveDate) -> Result<DueInstalments> {
    let role = access::require(store.conn(), actor, Action::ReadArrears)?;
    let plans = all_plans(store.conn())?;
    let (due, _) = due_lists(store.conn(), &plans, day)?;
    audit::record_read(store, actor, role, (Table::RepaymentPlan, None), "rate in scadenza")?;
    Ok(due)
}

pub(crate) fn all_plans(conn: &Connection) -> Result<Vec<PlanData>> {
    plan_ids(conn, None)?.into_iter().map(|id| load_plan(conn, id)).collect()
}

/// The instalments to watch on `day`, and how many plans stand in each status.
fn due_lists(
    conn: &Connection,
    plans: &[PlanData],
    day: NaiveDate,
) -> Result<(DueInstalments, Vec<(PlanStatus, u32)>)> {
    let week_end = day.checked_add_days(Days::new(7)).unwrap_or(day);
    let mut due_this_week = Vec::new();
    let mut overdue = Vec::new();
    let mut by_status: Vec<(PlanStatus, u32)> = PlanStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for p in plans {
        let computed = p.compute(day);
        if let Some(slot) = by_status.iter_mut().find(|(s, _)| *s == computed.standing.status) {
            slot.1 += 1;
        }
        if matches!(computed.standing.status, PlanStatus::Chiuso) {
            continue;
        }
        let (address, tenant) = household_line(conn, p.household)?;
        for a in &computed.allocation.instalments {
            let row = || DueInstalment {
                plan: p.id,
                household: p.household,
                address: address.clone(),
                tenant: tenant.clone(),
                number: a.instalment.number,
                due_on: a.instalment.due_on,
                outstanding: a.outstanding(),
                status: computed.standing.status,
            };
            if a.overdue_on(day) {
                overdue.push(row());
            } else if a.settled_on.is_none() && a.instalment.due_on >= day && a.instalment.due_on <= week_end {
                due_this_week.push(row());
            }
        }
    }
    overdue.sort_by_key(|d| (d.due_on, d.address.clone()));
    due_this_week.sort_by_key(|d| (d.due_on, d.address.clone()));
    Ok((DueInstalments { day, due_this_week, overdue }, by_status))
}

pub(crate) fn monitoring_view(conn: &Connection, day: NaiveDate) -> Result<Monitoring> {
    let plans = all_plans(conn)?;
    let (DueInstalments { due_this_week, overdue, .. }, by_status) = due_lists(conn, &plans, day)?;
    let plans_signed = plans.iter().filter(|p| p.signed_on <= day).count() as u32;
    let plans_monitored =
        by_status.iter().filter(|(s, _)| matches!(s, PlanStatus::Attivo | PlanStatus::InRitardo)).map(|(_, n)| n).sum();
    let first = first_month(conn)?.or_else(|| plans.iter().map(|p| p.signed_on).min()).unwrap_or(day);
    let ends = month_ends(first, day);
    let debts = no_fault_debt_on(conn, &plans, &ends)?;
    let over_time = ends
        .into_iter()
        .zip(debts)
        .map(|(d, no_fault_debt)| {
            let recovered = plans.iter().map(|p| p.compute(d).allocation.paid).sum();
            ProjectPoint { on: d, no_fault_debt, recovered }
        })
        .collect();
    Ok(Monitoring { day, due_this_week, overdue, plans_signed, plans_monitored, by_status, over_time })
}

/// Households assessed as no-fault arrears.
fn assessed_households(conn: &Connection) -> Result<Vec<HouseholdId>> {
    conn.prepare_cached(
        "SELECT DISTINCT household_id FROM arrears_assessment WHERE deleted = 0 AND household_id IS NOT NULL ORDER BY 1",
    )?
    .query_map([], |r| r.get::<_, String>(0))?
    .collect::<rusqlite::Result<Vec<_>>>()?
    .into_iter()
    .map(|h| Ok(HouseholdId(parse_uuid(&h)?)))
    .collect()
}

/// The first month on record in an assessed household's account.
fn first_month(conn: &Connection) -> Result<Option<NaiveDate>> {
    let mut first: Option<NaiveDate> = None;
    for h in assessed_households(conn)? {
        let (months, _) = account_rows(conn, h)?;
        if let Some(m) = months.first() {
            first = Some(first.map_or(m.month, |f| f.min(m.month)));
        }
    }
    Ok(first)
}

/// The no-fault debt (arrears of the households assessed as no-fault, rent and charges still
/// owed, what their plans still owe) on each of `days`.
pub(crate) fn no_fault_debt_on(conn: &Connection, plans: &[PlanData], days: &[NaiveDate]) -> Result<Vec<i64>> {
    let mut accounts = Vec::new();
    for h in assessed_households(conn)? {
        let (months, credits) = account_rows(conn, h)?;
        let mine: Vec<&PlanData> = plans.iter().filter(|p| p.household == h).collect();
        accounts.push((months, credits, mine));
    }
    Ok(days
        .iter()
        .map(|&d| {
            accounts
                .iter()
                .map(|(months, credits, mine)| {
                    let plan = mine.iter().copied().filter(|p| p.signed_on <= d).max_by_key(|p| p.signed_on);
                    let (s, r) = debt_on(months, credits, plan, d);
                    s.arrears + r
                })
                .sum()
        })
        .collect())
}
