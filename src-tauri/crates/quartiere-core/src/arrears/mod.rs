//! Morosità: a household's account with the ente gestore (what was billed and paid each month),
//! the no-fault assessment, repayment plans with their schedule, payments allocated by the amount
//! actually paid, rescheduling that keeps what was paid, the lapse rule agreed at signing, the
//! regional solidarity contribution, and the monitoring the project reports.
//!
//! Every figure (balance, arrears, what an instalment still owes, a plan's status) is computed
//! here from the rows on each read, never stored: `schedule.rs` holds the arithmetic.

pub mod agreement;
pub mod draft;
pub mod monitor;
pub mod rights;
pub mod schedule;
pub mod statement;
pub mod view;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::{AssessmentId, HouseholdId, PlanId};
use crate::registry::opt;
use crate::schema::Table;
use crate::store::{parse_uuid, Writer};
use draft::{AssessmentInput, MonthInput, PaymentInput, PlanInput, TermsInput};
use schedule::{Credit, LapseRule, Month, Paid, Split, Terms};

pub use monitor::*;
pub use view::*;

/// The desk's setting naming the lapse rule new plans get (`consecutive:3`, `with_charges:2`).
pub const LAPSE_RULE_SETTING: &str = "arrears.lapse_rule";

/// The role's door for every write here, before any other check.
fn door(w: &Writer<'_>) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::RecordArrears).map(drop)
}

fn household_exists(conn: &Connection, household: HouseholdId) -> Result<Option<Option<String>>> {
    Ok(conn
        .query_row("SELECT dwelling_id FROM household WHERE id = ?1 AND deleted = 0", [household], |r| r.get(0))
        .optional()?)
}

fn require_household(conn: &Connection, household: HouseholdId) -> Result<Option<String>> {
    household_exists(conn, household)?.ok_or_else(|| Error::NotFound { what: "nucleo", key: household.to_string() })
}

/// Records why a household fell behind through no fault of its own. The case, if named, must be
/// about a member of this household.
pub fn record_assessment(w: &mut Writer<'_>, input: &AssessmentInput) -> Result<AssessmentId> {
    door(w)?;
    require_household(w.conn(), input.household)?;
    if let Some(case) = input.case {
        let household: Option<Option<String>> = w
            .conn()
            .query_row("SELECT household_id FROM case_file WHERE id = ?1 AND deleted = 0", [case], |r| r.get(0))
            .optional()?;
        match household {
            None => return Err(Error::NotFound { what: "presa in carico", key: case.to_string() }),
            Some(h) if h.as_deref() != Some(input.household.to_string().as_str()) => {
                return Err(Error::invalid("presa_in_carico", "questa presa in carico riguarda un altro nucleo"))
            }
            _ => {}
        }
    }
    let id = AssessmentId(w.new_id());
    w.insert(
        Table::ArrearsAssessment,
        id.0,
        &[
            ("household_id", input.household.to_string().into()),
            ("case_id", opt(input.case.map(|c| c.to_string()))),
            ("cause", input.cause.code().to_string().into()),
            ("event_on", input.event_on.to_string().into()),
            ("evidence", opt(input.evidence.clone())),
            ("ss_confirmed", i64::from(input.ss_confirmed_on.is_some()).into()),
            ("ss_confirmed_on", opt(input.ss_confirmed_on.map(|d| d.to_string()))),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// The Servizio Sociale confirmed an assessment on `on`.
pub fn confirm_assessment(w: &mut Writer<'_>, assessment: AssessmentId, on: NaiveDate) -> Result<()> {
    door(w)?;
    let event: Option<String> = w
        .conn()
        .query_row("SELECT event_on FROM arrears_assessment WHERE id = ?1 AND deleted = 0", [assessment], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "valutazione della morosità", key: assessment.to_string() })?;
    if let Some(event) = event.and_then(|e| e.parse::<NaiveDate>().ok()).filter(|e| on < *e) {
        return Err(Error::invalid(
            "data_conferma",
            format!("la conferma ({}) è prima dell'evento ({})", format::date(on), format::date(event)),
        ));
    }
    w.update(
        Table::ArrearsAssessment,
        assessment.0,
        &[("ss_confirmed", 1_i64.into()), ("ss_confirmed_on", on.to_string().into())],
    )
    .map(drop)
}

/// Writes one month of a household's account (from a statement or typed): the month's row is
/// updated if it exists, so a statement imported again records nothing.
pub fn record_month(w: &mut Writer<'_>, household: HouseholdId, month: &MonthInput, source: &str) -> Result<Uuid> {
    door(w)?;
    let dwelling = require_household(w.conn(), household)?;
    let period = period_code(month.month);
    let existing: Option<String> = w
        .conn()
        .prepare_cached(
            "SELECT id FROM account_period WHERE household_id = ?1 AND period = ?2 AND deleted = 0 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![household, period], |r| r.get(0))
        .optional()?;
    let values = [
        ("rent_billed", month.rent_billed.into()),
        ("charges_billed", month.charges_billed.into()),
        ("rent_paid", month.rent_paid.into()),
        ("charges_paid", month.charges_paid.into()),
    ];
    match existing {
        Some(id) => {
            let id = parse_uuid(&id)?;
            w.update(Table::AccountPeriod, id, &values)?;
            Ok(id)
        }
        None => {
            let id = w.new_id();
            let mut row = vec![
                ("household_id", household.to_string().into()),
                ("dwelling_id", opt(dwelling)),
                ("period", period.into()),
                ("source", source.to_string().into()),
                ("recorded_by", w.actor().operator.to_string().into()),
            ];
            row.extend(values);
            w.insert(Table::AccountPeriod, id, &row)?;
            Ok(id)
        }
    }
}

/// `2026-03` for March 2026.
pub fn period_code(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// The lapse rule new plans get at this desk.
pub fn default_lapse_rule(setting: Option<&str>) -> LapseRule {
    setting.and_then(LapseRule::from_code).unwrap_or(LapseRule::DEFAULT)
}

/// Signs a repayment plan. Refused, writing nothing: an unknown household, a second plan while
/// one is open, an assessment of another household, terms that do not split the debt, and an
/// instalment over 1/8 of the monthly income unless the officer confirms it.
pub fn sign_plan(w: &mut Writer<'_>, input: &PlanInput, default_rule: LapseRule) -> Result<PlanId> {
    door(w)?;
    require_household(w.conn(), input.household)?;
    let open: Option<String> = w
        .conn()
        .query_row(
            "SELECT signed_on FROM repayment_plan WHERE household_id = ?1 AND closed_on IS NULL AND deleted = 0",
            [input.household],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(signed) = open {
        let signed = signed.parse::<NaiveDate>().map(format::date).unwrap_or(signed);
        return Err(Error::invalid(
            "nucleo",
            format!(
                "il nucleo ha già un piano di rientro aperto, firmato il {signed}: chiudilo prima di firmarne un altro"
            ),
        ));
    }
    if let Some(assessment) = input.assessment {
        let household: Option<String> = w
            .conn()
            .query_row("SELECT household_id FROM arrears_assessment WHERE id = ?1 AND deleted = 0", [assessment], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotFound { what: "valutazione della morosità", key: assessment.to_string() })?;
        let household: Option<String> = household;
        if household.as_deref() != Some(input.household.to_string().as_str()) {
            return Err(Error::invalid("valutazione", "questa valutazione riguarda un altro nucleo"));
        }
    }
    let terms = Terms {
        total: input.rent_debt + input.charges_debt,
        split: input.split,
        anchor_on: input.first_due_on,
        anchor_index: 1,
        first_index: 1,
        frequency_months: input.frequency_months,
    };
    let instalments = schedule::schedule(std::slice::from_ref(&terms)).map_err(terms_error)?;
    if let Some(income) = input.monthly_income.filter(|i| *i > 0) {
        let most = instalments.iter().map(|i| i.amount).max().unwrap_or(0);
        // Per month: an instalment every two months weighs half as much on a month's income.
        let monthly = most / i64::from(input.frequency_months.max(1));
        if monthly * 8 > income && !input.confirm_over_income {
            return Err(Error::invalid(
                "conferma_reddito",
                format!(
                    "la rata di {} supera un ottavo del reddito mensile ({} su {}): aumenta il numero di rate, \
                     oppure conferma per firmare comunque",
                    format::money(most),
                    format::money(income / 8),
                    format::money(income)
                ),
            ));
        }
    }
    let rule = input.lapse_rule.unwrap_or(default_rule);
    let id = PlanId(w.new_id());
    let operator = w.actor().operator.to_string();
    w.insert(
        Table::RepaymentPlan,
        id.0,
        &[
            ("household_id", input.household.to_string().into()),
            ("assessment_id", opt(input.assessment.map(|a| a.to_string()))),
            ("signed_on", input.signed_on.to_string().into()),
            ("signatories", input.signatories.clone().into()),
            ("rent_debt", input.rent_debt.into()),
            ("charges_debt", input.charges_debt.into()),
            ("frequency_months", i64::from(input.frequency_months).into()),
            ("lapse_rule", rule.code().into()),
            ("monthly_income", input.monthly_income.into()),
            ("over_income_confirmed", i64::from(input.confirm_over_income).into()),
            ("recorded_by", operator.clone().into()),
        ],
    )?;
    insert_terms(w, id, 0, input.signed_on, &terms, None)?;
    Ok(id)
}

fn insert_terms(
    w: &mut Writer<'_>,
    plan: PlanId,
    position: i64,
    on: NaiveDate,
    terms: &Terms,
    reason: Option<String>,
) -> Result<()> {
    let (count, instalment) = match terms.split {
        Split::Count(n) => (Some(i64::from(n)), None),
        Split::Amount(a) => (None, Some(a)),
    };
    let id = w.new_id();
    w.insert(
        Table::PlanTerms,
        id,
        &[
            ("plan_id", plan.to_string().into()),
            ("position", position.into()),
            ("effective_on", on.to_string().into()),
            ("total", terms.total.into()),
            ("count", count.into()),
            ("instalment", instalment.into()),
            ("anchor_on", terms.anchor_on.to_string().into()),
            ("anchor_index", i64::from(terms.anchor_index).into()),
            ("first_index", i64::from(terms.first_index).into()),
            ("reason", opt(reason)),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )
}

fn terms_error(e: schedule::TermsError) -> Error {
    use schedule::TermsError::*;
    match e {
        TotalBelowKept { kept } => Error::invalid(
            "totale",
            format!("le rate già pagate fanno {}: il nuovo totale non può essere minore", format::money(kept)),
        ),
        Count { kept } => Error::invalid(
            "rate",
            format!("{} già pagate: il piano deve avere più rate di così", format::count(kept, "rata è", "rate sono")),
        ),
        TooMany { count } => {
            Error::invalid("rate", format!("così le rate sarebbero {count}: al massimo {}", schedule::MAX_INSTALMENTS))
        }
        NothingToSplit => Error::invalid("totale", "non resta niente da rateizzare"),
    }
}

/// Changes a plan's total, the start of its unpaid instalments, or their number or amount. The
/// instalments already paid in full stay as they were; the rest are rescheduled (never added to):
/// a new total keeps the due dates, a new start moves them. The old terms stay in history.
pub fn change_terms(w: &mut Writer<'_>, plan: PlanId, input: &TermsInput) -> Result<()> {
    door(w)?;
    let data = view::load_plan(w.conn(), plan)?;
    if data.closed_on.is_some() {
        return Err(Error::invalid("piano", "il piano è chiuso: non si può cambiare"));
    }
    let computed = data.compute(NaiveDate::MAX);
    let settled = computed.allocation.instalments.iter().take_while(|i| i.settled_on.is_some()).count() as u32;
    if settled as usize == computed.allocation.instalments.len() {
        return Err(Error::invalid("piano", "tutte le rate sono pagate: non c'è niente da riprogrammare"));
    }
    let current = data
        .terms
        .last()
        .cloned()
        .ok_or_else(|| Error::NotFound { what: "piano di rientro", key: plan.to_string() })?;
    let first = settled + 1;
    let (anchor_on, anchor_index) = match input.next_due_on {
        Some(next) => {
            if let Some(last_kept) =
                settled.checked_sub(1).and_then(|i| computed.allocation.instalments.get(i as usize))
            {
                if next <= last_kept.instalment.due_on {
                    return Err(Error::invalid(
                        "prossima_rata",
                        format!(
                            "la rata {} (pagata) scadeva il {}: le rate da pagare devono scadere dopo",
                            last_kept.instalment.number,
                            format::date(last_kept.instalment.due_on)
                        ),
                    ));
                }
            }
            (next, first)
        }
        None => (current.anchor_on, current.anchor_index),
    };
    let terms = Terms {
        total: input.total.unwrap_or(current.total),
        split: input.split.unwrap_or(current.split),
        anchor_on,
        anchor_index,
        first_index: first,
        frequency_months: current.frequency_months,
    };
    let mut versions = data.terms.clone();
    versions.push(terms.clone());
    // New terms that give the same instalments change nothing: no version is written for them.
    if schedule::schedule(&versions).map_err(terms_error)? == computed.schedule {
        return Err(Error::invalid("totale", "le nuove condizioni danno le stesse rate di quelle in vigore"));
    }
    insert_terms(w, plan, data.terms.len() as i64, input.on, &terms, Some(input.reason.clone()))
}

/// Records money paid towards a plan, by the amount actually paid. Refused: a payment before the
/// plan was signed, or on a closed plan.
pub fn record_payment(w: &mut Writer<'_>, plan: PlanId, input: &PaymentInput) -> Result<Uuid> {
    door(w)?;
    let (signed_on, closed_on): (Option<String>, Option<String>) = w
        .conn()
        .query_row("SELECT signed_on, closed_on FROM repayment_plan WHERE id = ?1 AND deleted = 0", [plan], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "piano di rientro", key: plan.to_string() })?;
    if let Some(signed) = signed_on.and_then(|s| s.parse::<NaiveDate>().ok()).filter(|s| input.on < *s) {
        return Err(Error::invalid(
            "data",
            format!(
                "il pagamento del {} è prima della firma del piano ({}): registralo sull'estratto conto",
                format::date(input.on),
                format::date(signed)
            ),
        ));
    }
    if let Some(closed) = closed_on.and_then(|s| s.parse::<NaiveDate>().ok()).filter(|c| *c <= input.on) {
        return Err(Error::invalid("data", format!("il piano è chiuso dal {}", format::date(closed))));
    }
    let id = w.new_id();
    w.insert(
        Table::PlanPayment,
        id,
        &[
            ("plan_id", plan.to_string().into()),
            ("paid_on", input.on.to_string().into()),
            ("amount", input.amount.into()),
            ("note", opt(input.note.clone())),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Cancels a payment recorded by mistake (it stays in the change record).
pub fn cancel_payment(w: &mut Writer<'_>, payment: Uuid) -> Result<()> {
    door(w)?;
    let exists: bool = w.conn().query_row(
        "SELECT count(*) > 0 FROM plan_payment WHERE id = ?1 AND deleted = 0",
        [payment.to_string()],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound { what: "pagamento", key: payment.to_string() });
    }
    w.tombstone(Table::PlanPayment, payment)
}

/// Credits the regional solidarity contribution to a household's account on `input.on`. It is
/// tied to the household's plan signed by then, if any (its arrears share pays the plan).
pub fn add_credit(w: &mut Writer<'_>, household: HouseholdId, input: &PaymentInput) -> Result<Uuid> {
    door(w)?;
    require_household(w.conn(), household)?;
    let plan: Option<String> = w
        .conn()
        .query_row(
            "SELECT id FROM repayment_plan WHERE household_id = ?1 AND signed_on <= ?2 AND deleted = 0
               AND (closed_on IS NULL OR closed_on > ?2) ORDER BY signed_on DESC LIMIT 1",
            params![household, input.on.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let id = w.new_id();
    w.insert(
        Table::SolidarityCredit,
        id,
        &[
            ("household_id", household.to_string().into()),
            ("plan_id", opt(plan)),
            ("granted_on", input.on.to_string().into()),
            ("amount", input.amount.into()),
            ("note", opt(input.note.clone())),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Closes a plan on `on` (paid, revoked, replaced), saying why.
pub fn close_plan(w: &mut Writer<'_>, plan: PlanId, on: NaiveDate, reason: &str) -> Result<()> {
    door(w)?;
    let data = view::load_plan(w.conn(), plan)?;
    if data.closed_on.is_some() {
        return Err(Error::invalid("piano", "il piano è già chiuso"));
    }
    if on < data.signed_on {
        return Err(Error::invalid(
            "data",
            format!(
                "il piano non può chiudersi ({}) prima della firma ({})",
                format::date(on),
                format::date(data.signed_on)
            ),
        ));
    }
    let mut errors = Vec::new();
    let reason = crate::draft::required_line("motivo", reason, crate::draft::LONG_LINE_MAX, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if reason.is_empty() {
        return Err(Error::invalid("motivo", "scrivi perché il piano si chiude"));
    }
    w.update(Table::RepaymentPlan, plan.0, &[("closed_on", on.to_string().into()), ("close_reason", reason.into())])
        .map(drop)
}

/// A month of the account, as the schedule's arithmetic reads it.
fn month_of(period: &str, values: [i64; 4]) -> Option<Month> {
    let month = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?;
    Some(Month {
        month,
        rent_billed: values[0],
        charges_billed: values[1],
        rent_paid: values[2],
        charges_paid: values[3],
    })
}

/// A household's months and contributions. Two desks apart may each write the same month (the
/// statement imported at both): the month counts once, as the row written last says (ids are
/// time-ordered); [`doubled_periods`] names such months for the window to show.
pub(crate) fn account_rows(conn: &Connection, household: HouseholdId) -> Result<(Vec<Month>, Vec<Credit>)> {
    let mut months: Vec<Month> = conn
        .prepare_cached(
            "SELECT period, rent_billed, charges_billed, rent_paid, charges_paid FROM account_period
             WHERE household_id = ?1 AND deleted = 0 ORDER BY period, id DESC",
        )?
        .query_map([household], |r| Ok((r.get::<_, String>(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])))?
        .collect::<rusqlite::Result<Vec<(String, [i64; 4])>>>()?
        .into_iter()
        .filter_map(|(p, v)| month_of(&p, v))
        .collect();
    months.dedup_by_key(|m| m.month);
    let credits = conn
        .prepare_cached(
            "SELECT granted_on, amount FROM solidarity_credit WHERE household_id = ?1 AND deleted = 0 ORDER BY granted_on, id",
        )?
        .query_map([household], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(on, amount)| Some(Credit { on: on.parse().ok()?, amount }))
        .collect();
    Ok((months, credits))
}

/// The months of a household's account written more than once (by two desks apart), `2026-03`.
pub fn doubled_periods(conn: &Connection, household: HouseholdId) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT period FROM account_period WHERE household_id = ?1 AND deleted = 0
             GROUP BY period HAVING count(*) > 1 ORDER BY period",
        )?
        .query_map([household], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A recorded payment: its id, day and amount, note, who recorded it.
pub type PaymentRecord = (Uuid, Paid, Option<String>, Option<String>);

/// Payments as the allocation reads them (day, then recording order: ids are time-ordered).
pub(crate) fn paid_rows(conn: &Connection, plan: PlanId) -> Result<Vec<PaymentRecord>> {
    conn.prepare_cached(
        "SELECT id, paid_on, amount, note, recorded_by FROM plan_payment WHERE plan_id = ?1 AND deleted = 0
         ORDER BY paid_on, id",
    )?
    .query_map([plan], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get(3)?, r.get(4)?))
    })?
    .collect::<rusqlite::Result<Vec<_>>>()?
    .into_iter()
    .map(|(id, on, amount, note, by)| {
        Ok((
            parse_uuid(&id)?,
            Paid { on: on.parse().map_err(|_| Error::invalid("data", "data non valida"))?, amount },
            note,
            by,
        ))
    })
    .collect()
}
