//! The demo's arrears, as the lab has them six months in: a year of the ente gestore's statement
//! for the neighbourhood's 133 households (most pay; a few fall behind for a month), six
//! households behind through no fault (assessed, some confirmed by the Servizio Sociale), three
//! of them with a signed repayment plan (the seed's figure at six months): one paid on time with
//! the regional contribution credited, one paid partly and late but back in step, one late now.

use chrono::{Datelike, Days, Months};

use super::{chance, DemoConfig};
use crate::arrears::draft::{AssessmentInput, MonthInput, PaymentInput, PlanInput};
use crate::arrears::schedule::{last_day, LapseRule, Split};
use crate::arrears::{self};
use crate::codes::NoFaultCause;
use crate::error::Result;
use crate::ids::{CaseId, HouseholdId, IdGen};
use crate::store::{parse_uuid, Writer};

/// The households of the lab's neighbourhood that get a statement (a larger demo is for benchmarks).
const NEIGHBOURHOOD: usize = 133;
const MONTHS: u32 = 12;
const CAUSES: [NoFaultCause; 6] = [
    NoFaultCause::Licenziamento,
    NoFaultCause::CassaIntegrazione,
    NoFaultCause::ContrattoNonRinnovato,
    NoFaultCause::Malattia,
    NoFaultCause::RiduzioneOrario,
    NoFaultCause::Separazione,
];

/// What the demo wrote: months of statement, assessments, plans.
pub(super) struct Written {
    pub months: usize,
    pub plans: usize,
}

pub(super) fn demo_arrears(w: &mut Writer<'_>, rng: &mut IdGen, config: &DemoConfig) -> Result<Written> {
    let today = config.today;
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month.checked_sub_months(Months::new(MONTHS)).unwrap_or(this_month);
    let households: Vec<HouseholdId> = w
        .conn()
        .prepare("SELECT id FROM household WHERE deleted = 0 AND dissolved_on IS NULL ORDER BY rowid LIMIT ?1")?
        .query_map([NEIGHBOURHOOD as i64], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|h| Ok(HouseholdId(parse_uuid(&h)?)))
        .collect::<Result<_>>()?;
    // Households behind through no fault: those whose case is on the arrears axis, then others.
    let mut behind: Vec<(HouseholdId, Option<CaseId>)> = w
        .conn()
        .prepare(
            "SELECT household_id, id FROM case_file WHERE axis = 'morosita' AND household_id IS NOT NULL AND deleted = 0
             ORDER BY opened_on, id LIMIT 6",
        )?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(h, c)| Ok((HouseholdId(parse_uuid(&h)?), Some(CaseId(parse_uuid(&c)?)))))
        .collect::<Result<_>>()?;
    for h in households.iter().skip(7).step_by(17) {
        if behind.len() >= 6 {
            break;
        }
        if !behind.iter().any(|(b, _)| b == h) {
            behind.push((*h, None));
        }
    }
    behind.retain(|(h, _)| households.contains(h));
    // The month each behind household stopped paying, and the day three of them sign a plan.
    let stopped = |k: usize| 2 + (k as u32 % 3);
    let signing = |k: usize| {
        first
            .checked_add_months(Months::new(7 + k as u32))
            .unwrap_or(first)
            .checked_add_days(Days::new(9))
            .unwrap_or(first)
    };
    let mut written = Written { months: 0, plans: 0 };
    for household in &households {
        let rent = 9_000 + rng.below(20) as i64 * 1_000;
        let charges = 4_000 + rng.below(8) as i64 * 500;
        let k = behind.iter().position(|(h, _)| h == household);
        let short = chance(rng, 10).then(|| rng.below(MONTHS as u64) as u32);
        for m in 0..MONTHS {
            let month = first.checked_add_months(Months::new(m)).unwrap_or(first);
            let unpaid = match k {
                // Behind from their month on until the plan's month (the plan's households pay the
                // current months again after signing); the others are still behind.
                Some(k) if k < 3 => m >= stopped(k) && last_day(month) <= signing(k),
                Some(k) => m >= stopped(k),
                None => false,
            };
            let (rent_paid, charges_paid) = if unpaid {
                (0, 0)
            } else if short == Some(m) {
                (rent / 2, 0)
            } else {
                (rent, charges)
            };
            arrears::record_month(
                w,
                *household,
                &MonthInput { month, rent_billed: rent, charges_billed: charges, rent_paid, charges_paid },
                "estratto",
            )?;
            written.months += 1;
        }
    }
    for (k, (household, case)) in behind.iter().enumerate() {
        let event_on = first.checked_add_months(Months::new(stopped(k) - 1)).unwrap_or(first) + Days::new(12);
        let assessment = arrears::record_assessment(
            w,
            &AssessmentInput {
                household: *household,
                cause: CAUSES[k % CAUSES.len()],
                event_on,
                evidence: Some(
                    ["Lettera di licenziamento", "Comunicazione INPS", "Contratto scaduto", "Certificato medico"]
                        [k % 4]
                        .into(),
                ),
                ss_confirmed_on: (k % 2 == 0).then(|| event_on + Days::new(40)),
                case: *case,
            },
        )?;
        if k >= 3 {
            continue;
        }
        let signed_on = signing(k);
        if signed_on > today {
            continue;
        }
        // The debt at signing is what the statement says is unpaid by then.
        let (months, credits) = arrears::account_rows(w.conn(), *household)?;
        let state = arrears::schedule::account(&months, &credits, None, signed_on);
        let (rent_debt, charges_debt) = months
            .iter()
            .filter(|m| m.due_on() <= signed_on)
            .fold((0, 0), |(r, c), m| (r + m.rent_billed - m.rent_paid, c + m.charges_billed - m.charges_paid));
        debug_assert_eq!(rent_debt + charges_debt, state.arrears);
        let first_due_on = last_day(signed_on.checked_add_months(Months::new(1)).unwrap_or(signed_on));
        let plan = arrears::sign_plan(
            w,
            &PlanInput {
                household: *household,
                assessment: Some(assessment),
                signed_on,
                signatories: "l'intestatario, ALER Milano (ente gestore), Laboratorio sociale Mezzetta".into(),
                rent_debt,
                charges_debt,
                first_due_on,
                split: Split::Count(24),
                frequency_months: 1,
                lapse_rule: None,
                monthly_income: Some(95_000 + k as i64 * 10_000),
                confirm_over_income: false,
            },
            LapseRule::DEFAULT,
        )?;
        written.plans += 1;
        let instalment = (rent_debt + charges_debt) / 24;
        for n in 0..24_u32 {
            let due = last_day(first_due_on.checked_add_months(Months::new(n)).unwrap_or(first_due_on));
            if due >= today {
                break;
            }
            let is_last_due = last_day(due.checked_add_months(Months::new(1)).unwrap_or(due)) >= today;
            let (on, amount) = match k {
                0 => (due - Days::new(2), instalment + 1),
                // Half paid once, then the rest with the next instalment, late.
                1 if n == 0 => (due - Days::new(1), instalment / 2),
                1 if n == 1 => (due + Days::new(6), 2 * (instalment + 1) - instalment / 2),
                1 => (due - Days::new(3), instalment + 1),
                // Late now: the last instalment due is not paid.
                _ if is_last_due => continue,
                _ => (due, instalment + 1),
            };
            if on > today {
                continue;
            }
            arrears::record_payment(w, plan, &PaymentInput { on, amount, note: Some("bollettino".into()) })?;
        }
        if k == 0 {
            // The regional solidarity contribution, tied to the plan.
            let on = (signed_on + Days::new(35)).min(today);
            arrears::add_credit(
                w,
                *household,
                &PaymentInput { on, amount: 60_000, note: Some("Contributo regionale di solidarietà 2026".into()) },
            )?;
        }
    }
    Ok(written)
}
