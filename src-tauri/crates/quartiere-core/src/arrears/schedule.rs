//! The arithmetic of a repayment plan, with no database: the schedule from the plan's terms (and
//! their later versions), payments allocated to instalments by the amount actually paid, the lapse
//! rule, and the plan's status on a day. Money is integer cents throughout.

use chrono::{Datelike, Months, NaiveDate};

use crate::codes::PlanStatus;

/// The most instalments a plan may have (Milan's practice: up to 120).
pub const MAX_INSTALMENTS: u32 = 120;

/// One version of a plan's terms. The first (at signing) has `first_index` and `anchor_index` 1
/// and `anchor_on` the first due date; a later one reschedules from instalment `first_index` on,
/// keeping the instalments before it as they were. Instalment `i` falls due `i - anchor_index`
/// periods after `anchor_on` (a new start moves the anchor; a new total keeps it, so that a month's
/// end stays a month's end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The plan's whole debt under these terms, instalments already paid included.
    pub total: i64,
    /// How the debt is split: a number of instalments (the plan's whole count), or an amount per
    /// instalment (the last one takes the rest).
    pub split: Split,
    /// The instalment `anchor_index` falls due on `anchor_on`; the next ones a period apart.
    pub anchor_on: NaiveDate,
    pub anchor_index: u32,
    /// The first instalment these terms (re)schedule.
    pub first_index: u32,
    pub frequency_months: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The plan has this many instalments in all.
    Count(u32),
    /// Each instalment is this many cents; the last one what is left.
    Amount(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    /// 1-based.
    pub number: u32,
    pub due_on: NaiveDate,
    pub amount: i64,
}

/// `anchor` plus `steps` times `months` months, on the anchor's day of the month or, in a shorter
/// month, its last day (31 January + 1 month = 28 or 29 February; + 2 months = 31 March): each
/// date is counted from the anchor, never from the date before, so a short month does not drift.
pub fn due_date(anchor: NaiveDate, steps: u32, months: u32) -> NaiveDate {
    // chrono's `checked_add_months` clamps to the month's last day, as the rule says.
    anchor.checked_add_months(Months::new(steps * months)).unwrap_or(NaiveDate::MAX)
}

/// `total` split into `count` instalments that sum to it exactly: equal parts, the first
/// `total % count` of them one cent more.
pub fn equal_parts(total: i64, count: u32) -> Vec<i64> {
    if count == 0 {
        return Vec::new();
    }
    let n = i64::from(count);
    let (base, extra) = (total.div_euclid(n), total.rem_euclid(n));
    (0..n).map(|i| base + i64::from(i < extra)).collect()
}

/// `total` in instalments of `amount`, the last one the rest (never zero).
pub fn fixed_parts(total: i64, amount: i64) -> Vec<i64> {
    if amount <= 0 || total <= 0 {
        return Vec::new();
    }
    let full = total / amount;
    let rest = total % amount;
    let mut parts = vec![amount; full as usize];
    if rest > 0 {
        parts.push(rest);
    }
    parts
}

/// Why a version of the terms cannot apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermsError {
    /// The instalments kept from before already add up to more than the new total.
    TotalBelowKept {
        kept: i64,
    },
    /// A count that leaves no instalment to reschedule, or more than [`MAX_INSTALMENTS`].
    Count {
        kept: u32,
    },
    TooMany {
        count: usize,
    },
    NothingToSplit,
}

/// The schedule of a plan from its versions of terms, oldest first.
pub fn schedule(versions: &[Terms]) -> Result<Vec<Instalment>, TermsError> {
    let mut instalments: Vec<Instalment> = Vec::new();
    for terms in versions {
        let first = terms.first_index.max(1);
        instalments.truncate(first as usize - 1);
        let kept_amount: i64 = instalments.iter().map(|i| i.amount).sum();
        let kept = instalments.len() as u32;
        let rest = terms.total - kept_amount;
        if rest < 0 {
            return Err(TermsError::TotalBelowKept { kept: kept_amount });
        }
        if rest == 0 {
            return Err(TermsError::NothingToSplit);
        }
        let parts = match terms.split {
            Split::Count(count) if count <= kept => return Err(TermsError::Count { kept }),
            Split::Count(count) => equal_parts(rest, count - kept),
            Split::Amount(amount) => fixed_parts(rest, amount),
        };
        if parts.is_empty() {
            return Err(TermsError::NothingToSplit);
        }
        if kept as usize + parts.len() > MAX_INSTALMENTS as usize {
            return Err(TermsError::TooMany { count: kept as usize + parts.len() });
        }
        let anchor = terms.anchor_index.clamp(1, first);
        for (step, amount) in parts.into_iter().enumerate() {
            let number = first + step as u32;
            instalments.push(Instalment {
                number,
                due_on: due_date(terms.anchor_on, number - anchor, terms.frequency_months.max(1)),
                amount,
            });
        }
    }
    Ok(instalments)
}

/// Money paid towards the plan on a day: a payment, or the part of a solidarity contribution that
/// went to the plan's debt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    pub on: NaiveDate,
    pub amount: i64,
}

/// An instalment with what was paid of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocated {
    pub instalment: Instalment,
    pub paid: i64,
    /// The day it was paid in full.
    pub settled_on: Option<NaiveDate>,
    /// The payments (index into the sorted payments) that paid it, with how much each.
    pub parts: Vec<(usize, i64)>,
}

impl Allocated {
    pub fn outstanding(&self) -> i64 {
        self.instalment.amount - self.paid
    }

    /// Past its due date on `day` and not paid in full by then.
    pub fn overdue_on(&self, day: NaiveDate) -> bool {
        self.instalment.due_on < day && self.settled_on.is_none_or(|s| s > day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub instalments: Vec<Allocated>,
    /// Paid beyond the whole plan.
    pub surplus: i64,
    pub paid: i64,
}

/// Allocates payments made up to `as_of`, by the amount actually paid, to the instalments in
/// order: a partial payment leaves an instalment partly paid, an over-payment goes on to the next
/// ones, a late one pays the oldest instalment still open. `paid` must be in the order the money
/// came (day, then the order it was recorded); allocation follows it.
pub fn allocate(schedule: &[Instalment], paid: &[Paid], as_of: NaiveDate) -> Allocation {
    let mut instalments: Vec<Allocated> =
        schedule.iter().map(|i| Allocated { instalment: *i, paid: 0, settled_on: None, parts: Vec::new() }).collect();
    let mut at = 0;
    let mut surplus = 0;
    let mut total = 0;
    for (index, payment) in paid.iter().enumerate().filter(|(_, p)| p.on <= as_of && p.amount > 0) {
        total += payment.amount;
        let mut left = payment.amount;
        while left > 0 && at < instalments.len() {
            let current = &mut instalments[at];
            let take = left.min(current.outstanding());
            current.paid += take;
            current.parts.push((index, take));
            left -= take;
            if current.outstanding() == 0 {
                current.settled_on = Some(payment.on);
                at += 1;
            }
        }
        surplus += left;
    }
    Allocation { instalments, surplus, paid: total }
}

/// When a plan lapses (decade), as agreed when it was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapseRule {
    /// This many instalments in a row past due and unpaid.
    ConsecutiveMissed(u32),
    /// This many instalments past due and unpaid, and the current rent or charges (a month
    /// billed after signing) unpaid too.
    MissedWithCharges(u32),
}

impl LapseRule {
    pub const DEFAULT: LapseRule = LapseRule::ConsecutiveMissed(3);

    /// Stored as `consecutive:3` or `with_charges:2`.
    pub fn code(self) -> String {
        match self {
            LapseRule::ConsecutiveMissed(n) => format!("consecutive:{n}"),
            LapseRule::MissedWithCharges(n) => format!("with_charges:{n}"),
        }
    }

    pub fn from_code(code: &str) -> Option<LapseRule> {
        let (kind, n) = code.trim().split_once(':')?;
        let n: u32 = n.trim().parse().ok().filter(|n| (1..=12).contains(n))?;
        match kind.trim() {
            "consecutive" => Some(LapseRule::ConsecutiveMissed(n)),
            "with_charges" => Some(LapseRule::MissedWithCharges(n)),
            _ => None,
        }
    }

    /// The clause as the agreement and the window say it.
    pub fn describe(self) -> String {
        match self {
            LapseRule::ConsecutiveMissed(n) => {
                format!("il piano decade se {} consecutive restano non pagate dopo la scadenza", rate(n))
            }
            LapseRule::MissedWithCharges(n) => format!(
                "il piano decade se {} restano non pagate dopo la scadenza e non sono pagati il canone o le spese \
                 correnti",
                rate(n)
            ),
        }
    }
}

fn rate(n: u32) -> String {
    if n == 1 {
        "una rata".into()
    } else {
        format!("{n} rate")
    }
}

/// Where a plan stands on a day, and since when it lapsed if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub status: PlanStatus,
    pub lapsed_on: Option<NaiveDate>,
    pub overdue: u32,
    pub overdue_amount: i64,
}

/// The plan's status on `day`: closed when paid in full (or closed by the officer), lapsed from
/// the first day its lapse rule held (and lapsed it stays), late with any instalment past due and
/// unpaid, active otherwise. `current_unpaid_on(d)` says whether rent or charges billed after
/// signing were unpaid on day `d` (only the rule with charges asks).
pub fn standing(
    allocation: &Allocation,
    rule: LapseRule,
    closed_on: Option<NaiveDate>,
    day: NaiveDate,
    current_unpaid_on: impl Fn(NaiveDate) -> bool,
) -> Standing {
    let overdue_on =
        |d: NaiveDate| allocation.instalments.iter().filter(|i| i.overdue_on(d)).collect::<Vec<&Allocated>>();
    let now = overdue_on(day);
    let overdue = now.len() as u32;
    let overdue_amount = now.iter().map(|i| i.outstanding()).sum();
    let settled = allocation.instalments.last().is_some_and(|i| i.settled_on.is_some_and(|s| s <= day));
    if closed_on.is_some_and(|c| c <= day) || settled {
        return Standing { status: PlanStatus::Chiuso, lapsed_on: None, overdue, overdue_amount };
    }
    // The rule can first hold on the day after an instalment falls due: only those days are tried.
    let lapsed_on =
        allocation.instalments.iter().filter_map(|i| i.instalment.due_on.succ_opt()).filter(|d| *d <= day).find(|d| {
            let missed = overdue_on(*d).len() as u32;
            match rule {
                LapseRule::ConsecutiveMissed(n) => missed >= n,
                LapseRule::MissedWithCharges(n) => missed >= n && current_unpaid_on(*d),
            }
        });
    let status = match (lapsed_on, overdue) {
        (Some(_), _) => PlanStatus::Decaduto,
        (None, 0) => PlanStatus::Attivo,
        (None, _) => PlanStatus::InRitardo,
    };
    Standing { status, lapsed_on, overdue, overdue_amount }
}

/// A month of the household's account: what was billed and paid, in cents. It falls due on its
/// last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    /// The first day of the month.
    pub month: NaiveDate,
    pub rent_billed: i64,
    pub charges_billed: i64,
    pub rent_paid: i64,
    pub charges_paid: i64,
}

impl Month {
    pub fn due_on(&self) -> NaiveDate {
        last_day(self.month)
    }
}

/// The last day of `day`'s month.
pub fn last_day(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// A solidarity contribution credited to the account on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    pub on: NaiveDate,
    pub amount: i64,
}

/// Where each contribution went: service charges first (oldest month first), then arrears (the
/// plan's instalments when the household has a plan signed by then, else unpaid rent, oldest
/// first); what is left stays a credit on the account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreditUse {
    pub to_charges: i64,
    pub to_rent: i64,
    pub to_plan: i64,
    pub left: i64,
}

/// The account on a day, computed from its months, its contributions, and the plan's signing day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountState {
    pub billed: i64,
    pub paid: i64,
    pub credited: i64,
    /// Billed minus paid minus credited (negative: in credit).
    pub balance: i64,
    /// What months fallen due by the day still owe, after contributions.
    pub arrears: i64,
    /// Of `arrears`, what comes from months after the plan was signed (the current charges).
    pub current_arrears: i64,
    /// How each contribution was used, in the order given.
    pub credits: Vec<CreditUse>,
    /// Contribution money gone to the plan, with its day: the plan counts it as paid.
    pub to_plan: Vec<Paid>,
}

/// The account on `day`. Months due by the day count; contributions are applied in date order,
/// each to what was owed on its own day. Months fallen due by the plan's signing are its debt:
/// from then on, arrears are the current months only, and a contribution's arrears share goes to
/// the plan.
pub fn account(
    months: &[Month],
    credits: &[Credit],
    plan_signed_on: Option<NaiveDate>,
    day: NaiveDate,
) -> AccountState {
    account_in(months, credits, plan_signed_on.map(|s| (s, None)), day)
}

/// [`account`] with the plan's closing day: a contribution after it goes to charges and rent, not
/// to the closed plan (the months before the signing stay the plan's).
pub fn account_in(
    months: &[Month],
    credits: &[Credit],
    plan: Option<(NaiveDate, Option<NaiveDate>)>,
    day: NaiveDate,
) -> AccountState {
    let plan_signed_on = plan.map(|(s, _)| s);
    let in_force = |d: NaiveDate| plan.is_some_and(|(s, closed)| s <= d && closed.is_none_or(|c| d < c));
    let mut state = AccountState::default();
    let mut months: Vec<Month> = months.to_vec();
    months.sort_by_key(|m| m.month);
    // What each month still owes, rent and charges apart.
    let mut owed: Vec<(NaiveDate, i64, i64)> = months
        .iter()
        .map(|m| (m.due_on(), (m.rent_billed - m.rent_paid).max(0), (m.charges_billed - m.charges_paid).max(0)))
        .collect();
    let in_plan = |due: NaiveDate| plan_signed_on.is_some_and(|s| due <= s);
    let mut credits: Vec<Credit> = credits.iter().copied().filter(|c| c.on <= day && c.amount > 0).collect();
    credits.sort_by_key(|c| c.on);
    for credit in &credits {
        let mut left = credit.amount;
        let mut used = CreditUse::default();
        let plan_signed = in_force(credit.on);
        for (due, _, charges) in owed.iter_mut().filter(|(due, _, _)| *due <= last_day(credit.on)) {
            if plan_signed_on.is_some_and(|s| s <= credit.on) && in_plan(*due) {
                continue;
            }
            let take = left.min(*charges);
            *charges -= take;
            used.to_charges += take;
            left -= take;
        }
        if plan_signed {
            used.to_plan = left;
            if left > 0 {
                state.to_plan.push(Paid { on: credit.on, amount: left });
            }
            left = 0;
        } else {
            let signed_before = plan_signed_on.is_some_and(|s| s <= credit.on);
            for (due, rent, _) in owed.iter_mut().filter(|(due, _, _)| *due <= last_day(credit.on)) {
                if signed_before && in_plan(*due) {
                    continue;
                }
                let take = left.min(*rent);
                *rent -= take;
                used.to_rent += take;
                left -= take;
            }
        }
        used.left = left;
        state.credits.push(used);
    }
    for m in months.iter().filter(|m| m.due_on() <= day) {
        state.billed += m.rent_billed + m.charges_billed;
        state.paid += m.rent_paid + m.charges_paid;
    }
    state.credited = credits.iter().map(|c| c.amount).sum();
    state.balance = state.billed - state.paid - state.credited;
    for (due, rent, charges) in owed.iter().filter(|(due, _, _)| *due <= day) {
        if plan_signed_on.is_some_and(|s| s <= day) && in_plan(*due) {
            continue;
        }
        state.arrears += rent + charges;
        if plan_signed_on.is_some() && !in_plan(*due) {
            state.current_arrears += rent + charges;
        }
    }
    state
}
