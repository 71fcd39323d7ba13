//! Reading arrears: a plan with its schedule, payments and history; the list of plans; a
//! household's account with its debt over time; the monitoring the project reports (instalments
//! due this week and overdue, the no-fault debt and what was recovered, month by month).

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension};

use super::schedule::{
    self, Allocation, Credit, CreditUse, Instalment, LapseRule, Month, Paid, Split, Standing, Terms,
};
use super::{account_rows, paid_rows, period_code};
use crate::access::{self, Action};
use crate::audit;
use crate::codes::{InstalmentState, NoFaultCause, PlanStatus};
use crate::error::{Error, Result};
use crate::ids::{AssessmentId, HouseholdId, PlanId};
use crate::schema::Table;
use crate::store::{parse_uuid, Actor, Store};

/// A plan as stored, with what its figures are computed from.
#[derive(Debug, Clone)]
pub struct PlanData {
    pub id: PlanId,
    pub household: HouseholdId,
    pub assessment: Option<AssessmentId>,
    pub signed_on: NaiveDate,
    pub signatories: String,
    pub rent_debt: i64,
    pub charges_debt: i64,
    pub frequency_months: u32,
    pub lapse_rule: LapseRule,
    pub monthly_income: Option<i64>,
    pub over_income_confirmed: bool,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub terms: Vec<Terms>,
    pub terms_rows: Vec<TermsRow>,
    pub payments: Vec<super::PaymentRecord>,
    pub months: Vec<Month>,
    pub credits: Vec<Credit>,
}

/// What a plan's rows say on a day.
#[derive(Debug, Clone)]
pub struct Computed {
    pub schedule: Vec<Instalment>,
    /// Payments and the contribution's share for the plan, in the order they are allocated.
    pub paid: Vec<(Paid, Source)>,
    pub allocation: Allocation,
    pub standing: Standing,
}

/// Where money allocated to a plan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The payment at this index of [`PlanData::payments`].
    Payment(usize),
    /// The solidarity contribution.
    Contribution,
}

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

/// Loads a plan and what its figures need.
pub fn load_plan(conn: &Connection, id: PlanId) -> Result<PlanData> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
        i64,
        String,
        Option<i64>,
        bool,
        Option<String>,
        Option<String>,
    );
    let row: Row = conn
        .prepare_cached(
            "SELECT household_id, assessment_id, signed_on, signatories, rent_debt, charges_debt, frequency_months,
                    lapse_rule, monthly_income, over_income_confirmed, closed_on, close_reason
             FROM repayment_plan WHERE id = ?1 AND deleted = 0",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "piano di rientro", key: id.to_string() })?;
    let household = HouseholdId(parse_uuid(&row.0)?);
    let frequency_months = row.6.clamp(1, 12) as u32;
    let mut terms = Vec::new();
    let mut terms_rows = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT t.position, t.effective_on, t.total, t.count, t.instalment, t.anchor_on, t.anchor_index, t.first_index,
                t.reason, coalesce(o.name, '')
         FROM plan_terms t LEFT JOIN operator o ON o.id = t.recorded_by
         WHERE t.plan_id = ?1 AND t.deleted = 0 ORDER BY t.position, t.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, String>(9)?,
        ))
    })?;
    for row in rows {
        let (position, effective_on, total, count, instalment, anchor_on, anchor_index, first_index, reason, by) = row?;
        let split = match (count, instalment) {
            (Some(n), _) => Split::Count(n.clamp(1, i64::from(schedule::MAX_INSTALMENTS)) as u32),
            (None, Some(a)) => Split::Amount(a),
            (None, None) => continue,
        };
        let Some(anchor_on) = date(anchor_on) else { continue };
        let t = Terms {
            total,
            split,
            anchor_on,
            anchor_index: anchor_index.max(1) as u32,
            first_index: first_index.max(1) as u32,
            frequency_months,
        };
        terms_rows.push(TermsRow {
            position: position as u32,
            effective_on: date(effective_on),
            total,
            count: count.map(|n| n as u32),
            instalment,
            first_index: t.first_index,
            reason,
            recorded_by: by,
        });
        terms.push(t);
    }
    let (months, credits) = account_rows(conn, household)?;
    Ok(PlanData {
        id,
        household,
        assessment: row.1.as_deref().map(parse_uuid).transpose()?.map(AssessmentId),
        signed_on: date(row.2).ok_or_else(|| Error::invalid("firma", "il piano non ha la data della firma"))?,
        signatories: row.3.unwrap_or_default(),
        rent_debt: row.4,
        charges_debt: row.5,
        frequency_months,
        lapse_rule: LapseRule::from_code(&row.7).unwrap_or(LapseRule::DEFAULT),
        monthly_income: row.8,
        over_income_confirmed: row.9,
        closed_on: date(row.10),
        close_reason: row.11,
        terms,
        terms_rows,
        payments: paid_rows(conn, id)?,
        months,
        credits,
    })
}

impl PlanData {
    /// The plan's total under its terms in force.
    pub fn total(&self) -> i64 {
        self.terms.last().map(|t| t.total).unwrap_or(self.rent_debt + self.charges_debt)
    }

    /// The plan's figures on `day`.
    pub fn compute(&self, day: NaiveDate) -> Computed {
        let schedule = schedule::schedule(&self.terms).unwrap_or_default();
        // The contribution pays this plan only while it is in force.
        let contributions: Vec<Paid> =
            schedule::account_in(&self.months, &self.credits, Some((self.signed_on, self.closed_on)), NaiveDate::MAX)
                .to_plan;
        let mut paid: Vec<(Paid, Source)> =
            self.payments.iter().enumerate().map(|(i, p)| (p.1, Source::Payment(i))).collect();
        paid.extend(contributions.into_iter().map(|c| (c, Source::Contribution)));
        // Stable: the payments' own order (day, then recording) stays; a contribution comes last in its day.
        paid.sort_by_key(|(p, source)| (p.on, matches!(source, Source::Contribution)));
        let flat: Vec<Paid> = paid.iter().map(|(p, _)| *p).collect();
        let allocation = schedule::allocate(&schedule, &flat, day);
        let current_unpaid =
            |d: NaiveDate| schedule::account(&self.months, &self.credits, Some(self.signed_on), d).current_arrears > 0;
        let standing = schedule::standing(&allocation, self.lapse_rule, self.closed_on, day, current_unpaid);
        Computed { schedule, paid, allocation, standing }
    }
}

/// A version of the plan's terms, for its history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TermsRow {
    /// 0: at signing.
    pub position: u32,
    pub effective_on: Option<NaiveDate>,
    pub total: i64,
    pub count: Option<u32>,
    pub instalment: Option<i64>,
    /// The first instalment these terms scheduled.
    pub first_index: u32,
    pub reason: Option<String>,
    pub recorded_by: String,
}

/// An instalment as the plan shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstalmentRow {
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: i64,
    pub paid: i64,
    pub settled_on: Option<NaiveDate>,
    pub state: InstalmentState,
}

/// Of a payment, how much went to which instalment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PaymentPart {
    pub instalment: u32,
    pub amount: i64,
}

/// Money paid towards the plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PaymentRow {
    /// Blank for the contribution's share.
    pub id: Option<String>,
    pub on: NaiveDate,
    pub amount: i64,
    /// The solidarity contribution's share for the plan, not a payment.
    pub contribution: bool,
    pub note: Option<String>,
    pub recorded_by: String,
    pub parts: Vec<PaymentPart>,
    /// Beyond the whole plan.
    pub surplus: i64,
}

/// A no-fault assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssessmentRow {
    pub id: AssessmentId,
    pub cause: NoFaultCause,
    pub event_on: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub ss_confirmed_on: Option<NaiveDate>,
    pub case_id: Option<String>,
}

/// A plan, whole: what the plan's screen and `quartiere plans show` print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanView {
    pub id: PlanId,
    pub household: HouseholdId,
    pub address: String,
    pub tenant: Option<String>,
    /// The day the figures are for.
    pub day: NaiveDate,
    pub signed_on: NaiveDate,
    pub signatories: String,
    pub rent_debt: i64,
    pub charges_debt: i64,
    pub total: i64,
    pub frequency_months: u32,
    pub lapse_rule: String,
    pub lapse_rule_text: String,
    pub monthly_income: Option<i64>,
    pub over_income_confirmed: bool,
    pub status: PlanStatus,
    pub lapsed_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub paid: i64,
    pub remaining: i64,
    pub surplus: i64,
    pub overdue: u32,
    pub overdue_amount: i64,
    pub instalments: Vec<InstalmentRow>,
    pub payments: Vec<PaymentRow>,
    pub terms: Vec<TermsRow>,
    pub assessment: Option<AssessmentRow>,
}

fn instalment_state(a: &schedule::Allocated, day: NaiveDate) -> InstalmentState {
    match a.settled_on {
        Some(s) if s <= day && s > a.instalment.due_on => InstalmentState::PagataInRitardo,
        Some(s) if s <= day => InstalmentState::Pagata,
        _ if a.instalment.due_on < day => InstalmentState::Scaduta,
        _ if a.paid > 0 => InstalmentState::Parziale,
        _ => InstalmentState::DaPagare,
    }
}

/// The household's address and tenant of record.
pub(crate) fn household_line(conn: &Connection, household: HouseholdId) -> Result<(String, Option<String>)> {
    Ok(conn
        .prepare_cached(
            "SELECT d.street, d.civic, d.scala, d.piano, d.interno,
                    (SELECT p.surname || ' ' || p.name FROM membership m JOIN person p ON p.id = m.person_id
                      WHERE m.household_id = h.id AND m.tenant_of_record = 1 AND m.left_on IS NULL AND m.deleted = 0 LIMIT 1)
             FROM household h LEFT JOIN dwelling d ON d.id = h.dwelling_id WHERE h.id = ?1",
        )?
        .query_row([household], |r| Ok((crate::registry::address_at(r, 0)?.unwrap_or_default(), r.get(5)?)))
        .optional()?
        .unwrap_or_default())
}

fn assessment_row(conn: &Connection, id: AssessmentId) -> Result<Option<AssessmentRow>> {
    let row = conn
        .query_row(
            "SELECT cause, event_on, evidence, ss_confirmed_on, case_id FROM arrears_assessment WHERE id = ?1 AND deleted = 0",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .optional()?;
    Ok(row.and_then(|(cause, event_on, evidence, confirmed, case_id)| {
        Some(AssessmentRow {
            id,
            cause: NoFaultCause::from_code(&cause)?,
            event_on: date(event_on),
            evidence,
            ss_confirmed_on: date(confirmed),
            case_id,
        })
    }))
}

/// A plan's view on `day`, from its loaded rows (no permission check, no audit: see [`plan`]).
pub fn plan_view(conn: &Connection, data: &PlanData, day: NaiveDate) -> Result<PlanView> {
    let computed = data.compute(day);
    let (address, tenant) = household_line(conn, data.household)?;
    let names: std::collections::HashMap<String, String> = conn
        .prepare_cached("SELECT id, name FROM operator")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let instalments = computed
        .allocation
        .instalments
        .iter()
        .map(|a| InstalmentRow {
            number: a.instalment.number,
            due_on: a.instalment.due_on,
            amount: a.instalment.amount,
            paid: a.paid,
            settled_on: a.settled_on,
            state: instalment_state(a, day),
        })
        .collect();
    let mut payments: Vec<PaymentRow> = computed
        .paid
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.on <= day)
        .map(|(index, (p, source))| {
            let parts: Vec<PaymentPart> = computed
                .allocation
                .instalments
                .iter()
                .flat_map(|a| {
                    a.parts
                        .iter()
                        .filter(|(i, _)| *i == index)
                        .map(|(_, amount)| PaymentPart { instalment: a.instalment.number, amount: *amount })
                })
                .collect();
            let allocated: i64 = parts.iter().map(|p| p.amount).sum();
            let (id, note, by) = match source {
                Source::Payment(i) => {
                    let (id, _, note, by) = &data.payments[*i];
                    (
                        Some(id.to_string()),
                        note.clone(),
                        by.as_ref().and_then(|b| names.get(b)).cloned().unwrap_or_default(),
                    )
                }
                Source::Contribution => (None, None, String::new()),
            };
            PaymentRow {
                id,
                on: p.on,
                amount: p.amount,
                contribution: matches!(source, Source::Contribution),
                note,
                recorded_by: by,
                parts,
                surplus: p.amount - allocated,
            }
        })
        .collect();
    payments.reverse();
    let total = data.total();
    let paid = computed.allocation.paid;
    Ok(PlanView {
        id: data.id,
        household: data.household,
        address,
        tenant,
        day,
        signed_on: data.signed_on,
        signatories: data.signatories.clone(),
        rent_debt: data.rent_debt,
        charges_debt: data.charges_debt,
        total,
        frequency_months: data.frequency_months,
        lapse_rule: data.lapse_rule.code(),
        lapse_rule_text: data.lapse_rule.describe(),
        monthly_income: data.monthly_income,
        over_income_confirmed: data.over_income_confirmed,
        status: computed.standing.status,
        lapsed_on: computed.standing.lapsed_on,
        closed_on: data.closed_on,
        close_reason: data.close_reason.clone(),
        paid,
        remaining: (total - paid).max(0),
        surplus: computed.allocation.surplus,
        overdue: computed.standing.overdue,
        overdue_amount: computed.standing.overdue_amount,
        instalments,
        payments,
        terms: data.terms_rows.clone(),
        assessment: match data.assessment {
            Some(a) => assessment_row(conn, a)?,
            None => None,
        },
    })
}

/// A plan on `day`. Needs [`Action::ReadArrears`]; the read is recorded in the audit log.
pub fn plan(store: &mut Store, actor: &Actor, id: PlanId, day: NaiveDate) -> Result<PlanView> {
    let role = access::require(store.conn(), actor, Action::ReadArrears)?;
    let data = load_plan(store.conn(), id)?;
    let view = plan_view(store.conn(), &data, day)?;
    audit::record_read(store, actor, role, (Table::RepaymentPlan, Some(id.0)), "piano di rientro")?;
    Ok(view)
}

/// A plan as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanRow {
    pub id: PlanId,
    pub household: HouseholdId,
    pub address: String,
    pub tenant: Option<String>,
    pub signed_on: NaiveDate,
    pub total: i64,
    pub paid: i64,
    pub remaining: i64,
    pub status: PlanStatus,
    pub instalments: u32,
    pub overdue: u32,
    pub overdue_amount: i64,
    pub next_due_on: Option<NaiveDate>,
    pub next_amount: Option<i64>,
}

pub(crate) fn plan_ids(conn: &Connection, household: Option<HouseholdId>) -> Result<Vec<PlanId>> {
    let sql = "SELECT id FROM repayment_plan WHERE deleted = 0 AND (?1 IS NULL OR household_id = ?1) ORDER BY signed_on DESC, id";
    conn.prepare_cached(sql)?
        .query_map([household.map(|h| h.to_string())], |r| r.get::<_, String>(0))?
        .map(|id| Ok(PlanId(parse_uuid(&id?)?)))
        .collect()
}

fn plan_row(conn: &Connection, data: &PlanData, day: NaiveDate) -> Result<PlanRow> {
    let computed = data.compute(day);
    let (address, tenant) = household_line(conn, data.household)?;
    let next = computed.allocation.instalments.iter().find(|a| a.settled_on.is_none_or(|s| s > day));
    let total = data.total();
    Ok(PlanRow {
        id: data.id,
        household: data.household,
        address,
        tenant,
        signed_on: data.signed_on,
        total,
        paid: computed.allocation.paid,
        remaining: (total - computed.allocation.paid).max(0),
        status: computed.standing.status,
        instalments: computed.schedule.len() as u32,
        overdue: computed.standing.overdue,
        overdue_amount: computed.standing.overdue_amount,
        next_due_on: next.map(|a| a.instalment.due_on),
        next_amount: next.map(|a| a.outstanding()),
    })
}

/// Every plan (or a household's), the latest signed first, with its status on `day`. Needs
/// [`Action::ReadArrears`]; the read is recorded in the audit log.
pub fn plans(store: &mut Store, actor: &Actor, household: Option<HouseholdId>, day: NaiveDate) -> Result<Vec<PlanRow>> {
    let role = access::require(store.conn(), actor, Action::ReadArrears)?;
    let rows = plan_ids(store.conn(), household)?
        .into_iter()
        .map(|id| plan_row(store.conn(), &load_plan(store.conn(), id)?, day))
        .collect::<Result<Vec<_>>>()?;
    let subject = match household {
        Some(h) => (Table::Household, Some(h.0)),
        None => (Table::RepaymentPlan, None),
    };
    audit::record_read(store, actor, role, subject, "piani di rientro")?;
    Ok(rows)
}

/// A month of the account as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthRow {
    /// `2026-03`.
    pub period: String,
    pub rent_billed: i64,
    pub charges_billed: i64,
    pub rent_paid: i64,
    pub charges_paid: i64,
    /// What the month still owes as billed minus paid (before contributions).
    pub unpaid: i64,
}

/// A solidarity contribution and where it went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreditRow {
    pub on: NaiveDate,
    pub amount: i64,
    pub to_charges: i64,
    pub to_rent: i64,
    pub to_plan: i64,
    pub left: i64,
}

/// The household's debt at a month's end: the account's arrears and what the plan still owes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DebtPoint {
    pub on: NaiveDate,
    pub debt: i64,
}

/// A household's account: months, contributions, balance and arrears on `day`, the debt month by
/// month, the assessments and the plans.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountView {
    pub household: HouseholdId,
    pub address: String,
    pub tenant: Option<String>,
    pub day: NaiveDate,
    pub months: Vec<MonthRow>,
    pub credits: Vec<CreditRow>,
    pub billed: i64,
    pub paid: i64,
    pub credited: i64,
    /// Billed minus paid minus credited (negative: in credit).
    pub balance: i64,
    /// The account's arrears not in a plan (after signing: the current months only).
    pub arrears: i64,
    /// What the plan signed by then still owes.
    pub plan_remaining: i64,
    /// Arrears plus what the plan still owes.
    pub debt: i64,
    pub debt_over_time: Vec<DebtPoint>,
    /// Months written at two desks apart (`2026-03`): each counts once, as written last.
    pub doubled: Vec<String>,
    pub assessments: Vec<AssessmentRow>,
    pub plans: Vec<PlanRow>,
}

/// The household's whole debt on `day`: the account's arrears outside a plan plus what the plan
/// signed by then still owes.
pub fn debt_on(
    months: &[Month],
    credits: &[Credit],
    plan: Option<&PlanData>,
    day: NaiveDate,
) -> (schedule::AccountState, i64) {
    let state = schedule::account_in(months, credits, plan.map(|p| (p.signed_on, p.closed_on)), day);
    let remaining = match plan {
        Some(p) if p.signed_on <= day && p.closed_on.is_none_or(|c| c > day) => {
            (p.total() - p.compute(day).allocation.paid).max(0)
        }
        _ => 0,
    };
    (state, remaining)
}

/// Month ends from `first`'s month to `last`'s.
pub fn month_ends(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = first.with_day(1);
    while let Some(month) = m {
        let end = schedule::last_day(month);
        if month > last {
            break;
        }
        out.push(end.min(last));
        m = month.checked_add_months(Months::new(1));
    }
    out
}

/// The household's account on `day`. Needs [`Action::ReadArrears`]; the read is recorded.
pub fn household_account(
    store: &mut Store,
    actor: &Actor,
    household: HouseholdId,
    day: NaiveDate,
) -> Result<AccountView> {
    let role = access::require(store.conn(), actor, Action::ReadArrears)?;
    let view = account_view(store.conn(), household, day)?;
    audit::record_read(store, actor, role, (Table::Household, Some(household.0)), "estratto conto")?;
    Ok(view)
}

pub(crate) fn account_view(conn: &Connection, household: HouseholdId, day: NaiveDate) -> Result<AccountView> {
    super::require_household(conn, household)?;
    let (months, credits) = account_rows(conn, household)?;
    let plans: Vec<PlanData> =
        plan_ids(conn, Some(household))?.into_iter().map(|id| load_plan(conn, id)).collect::<Result<_>>()?;
    // The plan in force on a day: the latest signed by then.
    let plan_on = |d: NaiveDate| plans.iter().filter(|p| p.signed_on <= d).max_by_key(|p| p.signed_on);
    let latest = plans.iter().filter(|p| p.signed_on <= day).max_by_key(|p| p.signed_on);
    let (state, plan_remaining) = debt_on(&months, &credits, latest, day);
    let start = months.first().map(|m| m.month).or(plans.iter().map(|p| p.signed_on).min()).unwrap_or(day);
    let debt_over_time = month_ends(start, day)
        .into_iter()
        .map(|d| {
            let (s, r) = debt_on(&months, &credits, plan_on(d), d);
            DebtPoint { on: d, debt: s.arrears + r }
        })
        .collect();
    let (address, tenant) = household_line(conn, household)?;
    let assessments = conn
        .prepare_cached(
            "SELECT id FROM arrears_assessment WHERE household_id = ?1 AND deleted = 0 ORDER BY event_on DESC, id",
        )?
        .query_map([household], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|id| assessment_row(conn, AssessmentId(parse_uuid(&id)?)))
        .filter_map(|r| r.transpose())
        .collect::<Result<Vec<_>>>()?;
    let credit_rows = credits
        .iter()
        .filter(|c| c.on <= day)
        .zip(state.credits.iter())
        .map(|(c, u): (&Credit, &CreditUse)| CreditRow {
            on: c.on,
            amount: c.amount,
            to_charges: u.to_charges,
            to_rent: u.to_rent,
            to_plan: u.to_plan,
            left: u.left,
        })
        .collect();
    Ok(AccountView {
        household,
        address,
        tenant,
        day,
        months: months
            .iter()
            .map(|m| MonthRow {
                period: period_code(m.month),
                rent_billed: m.rent_billed,
                charges_billed: m.charges_billed,
                rent_paid: m.rent_paid,
                charges_paid: m.charges_paid,
                unpaid: (m.rent_billed - m.rent_paid) + (m.charges_billed - m.charges_paid),
            })
            .collect(),
        credits: credit_rows,
        billed: state.billed,
        paid: state.paid,
        credited: state.credited,
        balance: state.balance,
        arrears: state.arrears,
        plan_remaining,
        debt: state.arrears + plan_remaining,
        debt_over_time,
        doubled: super::doubled_periods(conn, household)?,
        assessments,
        plans: plans.iter().map(|p| plan_row(conn, p, day)).collect::<Result<_>>()?,
    })
}
