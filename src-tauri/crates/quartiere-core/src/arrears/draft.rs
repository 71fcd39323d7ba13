//! The arrears forms as typed in the window or on the command line, read once into typed inputs
//! or into field errors, every wrong field at once. The drafts are the window's wire types too.

use chrono::NaiveDate;

use super::schedule::{LapseRule, Split, MAX_INSTALMENTS};
use crate::codes::NoFaultCause;
use crate::draft::{code, date, given, id, line, money, text, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::{AssessmentId, CaseId, HouseholdId};

fn required<T>(value: Option<T>, field: &str, text: &str, missing: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    if given(text).is_none() {
        errors.push(FieldError::new(field, missing));
    }
    value
}

fn whole_number(
    field: &str,
    text: &str,
    range: std::ops::RangeInclusive<u32>,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let t = given(text)?;
    match t.parse::<u32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, format!("«{t}» non è {what} da {} a {}", range.start(), range.end())));
            None
        }
    }
}

/// The no-fault assessment of a household's arrears.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AssessmentDraft {
    pub household: String,
    /// A [`NoFaultCause`] code.
    pub cause: String,
    /// `gg/mm/aaaa`: when the income was lost or cut.
    pub event_on: String,
    /// What shows it (a dismissal letter, a medical certificate...).
    pub evidence: String,
    /// The Servizio Sociale confirmed it.
    pub ss_confirmed: bool,
    /// `gg/mm/aaaa`.
    pub ss_confirmed_on: String,
    /// The household's case (presa in carico), or blank.
    pub case: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentInput {
    pub household: HouseholdId,
    pub cause: NoFaultCause,
    pub event_on: NaiveDate,
    pub evidence: Option<String>,
    pub ss_confirmed_on: Option<NaiveDate>,
    pub case: Option<CaseId>,
}

impl AssessmentDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<AssessmentInput> {
        let mut errors = Vec::new();
        let household = id("nucleo", &self.household, "un nucleo", HouseholdId, &mut errors);
        let household = required(household, "nucleo", &self.household, "scegli il nucleo", &mut errors);
        let cause = code(
            "causa",
            &self.cause,
            "una causa di morosità incolpevole",
            NoFaultCause::from_code,
            &NoFaultCause::codes_list(),
            &mut errors,
        );
        let cause =
            required(cause, "causa", &self.cause, "scegli la causa della perdita o riduzione del reddito", &mut errors);
        let event_on = date("data_evento", &self.event_on, &mut errors);
        let event_on = required(
            event_on,
            "data_evento",
            &self.event_on,
            "scrivi quando il reddito è stato perso o ridotto (gg/mm/aaaa)",
            &mut errors,
        );
        if event_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("data_evento", "la data dell'evento è nel futuro"));
        }
        let evidence = text("documentazione", &self.evidence, &mut errors);
        let confirmed_on = date("data_conferma", &self.ss_confirmed_on, &mut errors);
        let ss_confirmed_on = match (self.ss_confirmed, confirmed_on) {
            (true, None) if given(&self.ss_confirmed_on).is_none() => Some(today),
            (true, d) => d,
            (false, Some(_)) => {
                errors.push(FieldError::new("data_conferma", "c'è una data di conferma ma la conferma non è segnata"));
                None
            }
            (false, None) => None,
        };
        let case = id("presa_in_carico", &self.case, "una presa in carico", CaseId, &mut errors);
        match (household, cause, event_on, errors.is_empty()) {
            (Some(household), Some(cause), Some(event_on), true) => {
                Ok(AssessmentInput { household, cause, event_on, evidence, ss_confirmed_on, case })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A repayment plan as agreed, to be signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PlanDraft {
    pub household: String,
    /// The no-fault assessment it rests on, or blank.
    pub assessment: String,
    /// `gg/mm/aaaa`.
    pub signed_on: String,
    /// Who signs: the tenant, the ente gestore's officer, the lab.
    pub signatories: String,
    /// Debt at signing: rent (canone) and service charges (spese), `1.234,50`.
    pub rent_debt: String,
    pub charges_debt: String,
    /// `gg/mm/aaaa`: when the first instalment falls due.
    pub first_due_on: String,
    /// How many instalments, or (blank count) how much each.
    pub count: String,
    pub instalment: String,
    /// Months between instalments: 1, 2, 3, 6.
    pub frequency_months: String,
    /// `consecutive:3` or `with_charges:2`; blank: the desk's setting.
    pub lapse_rule: String,
    /// The household's monthly income, for the rule that an instalment be at most 1/8 of it.
    pub monthly_income: String,
    /// The officer confirms an instalment over 1/8 of the income.
    pub confirm_over_income: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub household: HouseholdId,
    pub assessment: Option<AssessmentId>,
    pub signed_on: NaiveDate,
    pub signatories: String,
    pub rent_debt: i64,
    pub charges_debt: i64,
    pub first_due_on: NaiveDate,
    pub split: Split,
    pub frequency_months: u32,
    pub lapse_rule: Option<LapseRule>,
    pub monthly_income: Option<i64>,
    pub confirm_over_income: bool,
}

fn split(count_text: &str, instalment_text: &str, errors: &mut Vec<FieldError>) -> Option<Split> {
    let count = whole_number("rate", count_text, 1..=MAX_INSTALMENTS, "un numero di rate", errors);
    let amount = money("importo_rata", instalment_text, errors);
    match (count, amount) {
        (Some(_), Some(_)) => {
            errors
                .push(FieldError::new("rate", "scrivi il numero di rate oppure l'importo della rata, non tutti e due"));
            None
        }
        (Some(n), None) => Some(Split::Count(n)),
        (None, Some(0)) => {
            errors.push(FieldError::new("importo_rata", "la rata non può essere di zero euro"));
            None
        }
        (None, Some(a)) => Some(Split::Amount(a)),
        (None, None) => {
            if given(count_text).is_none() && given(instalment_text).is_none() {
                errors.push(FieldError::new("rate", "scrivi il numero di rate o l'importo di ogni rata"));
            }
            None
        }
    }
}

impl PlanDraft {
    pub fn parse(&self) -> Result<PlanInput> {
        let mut errors = Vec::new();
        let household = id("nucleo", &self.household, "un nucleo", HouseholdId, &mut errors);
        let household = required(household, "nucleo", &self.household, "scegli il nucleo", &mut errors);
        let assessment = id("valutazione", &self.assessment, "una valutazione", AssessmentId, &mut errors);
        let signed_on = date("firma", &self.signed_on, &mut errors);
        let signed_on =
            required(signed_on, "firma", &self.signed_on, "scrivi il giorno della firma (gg/mm/aaaa)", &mut errors);
        let signatories = line("firmatari", &self.signatories, LONG_LINE_MAX, &mut errors);
        let signatories =
            required(signatories, "firmatari", &self.signatories, "scrivi chi firma il piano", &mut errors);
        let rent_debt = money("debito_canone", &self.rent_debt, &mut errors).unwrap_or(0);
        let charges_debt = money("debito_spese", &self.charges_debt, &mut errors).unwrap_or(0);
        if rent_debt + charges_debt == 0 && errors.iter().all(|e| !e.field.starts_with("debito")) {
            errors.push(FieldError::new("debito_canone", "scrivi il debito alla firma (canone e spese)"));
        }
        let first_due_on = date("prima_rata", &self.first_due_on, &mut errors);
        let first_due_on = required(
            first_due_on,
            "prima_rata",
            &self.first_due_on,
            "scrivi quando scade la prima rata (gg/mm/aaaa)",
            &mut errors,
        );
        if let (Some(s), Some(f)) = (signed_on, first_due_on) {
            if f < s {
                errors.push(FieldError::new("prima_rata", "la prima rata scade prima della firma del piano"));
            }
        }
        let split = split(&self.count, &self.instalment, &mut errors);
        let frequency_months = if given(&self.frequency_months).is_none() {
            Some(1)
        } else {
            match whole_number("frequenza", &self.frequency_months, 1..=12, "un numero di mesi", &mut errors) {
                Some(n) if [1, 2, 3, 4, 6, 12].contains(&n) => Some(n),
                Some(n) => {
                    errors
                        .push(FieldError::new("frequenza", format!("una rata ogni {n} mesi: usa 1, 2, 3, 4, 6 o 12")));
                    None
                }
                None => None,
            }
        };
        let lapse_rule = given(&self.lapse_rule).and_then(|r| {
            let rule = LapseRule::from_code(&r);
            if rule.is_none() {
                errors.push(FieldError::new(
                    "decadenza",
                    format!("«{r}» non è una regola di decadenza: consecutive:N oppure with_charges:N"),
                ));
            }
            rule
        });
        let monthly_income = money("reddito_mensile", &self.monthly_income, &mut errors);
        match (household, signed_on, signatories, first_due_on, split, frequency_months, errors.is_empty()) {
            (
                Some(household),
                Some(signed_on),
                Some(signatories),
                Some(first_due_on),
                Some(split),
                Some(frequency_months),
                true,
            ) => Ok(PlanInput {
                household,
                assessment,
                signed_on,
                signatories,
                rent_debt,
                charges_debt,
                first_due_on,
                split,
                frequency_months,
                lapse_rule,
                monthly_income,
                confirm_over_income: self.confirm_over_income,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// New terms for a plan: a new total, a new start for the instalments not yet paid, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TermsDraft {
    /// The plan's new whole debt (blank: unchanged), `1.234,50`.
    pub total: String,
    /// `gg/mm/aaaa`: when the first instalment not yet paid falls due (blank: as before).
    pub next_due_on: String,
    /// The plan's new number of instalments in all, or a new amount per instalment (blank: as before).
    pub count: String,
    pub instalment: String,
    /// Why the plan changes.
    pub reason: String,
    /// `gg/mm/aaaa`: when the change was agreed; blank: today.
    pub on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsInput {
    pub total: Option<i64>,
    pub next_due_on: Option<NaiveDate>,
    pub split: Option<Split>,
    pub reason: String,
    pub on: NaiveDate,
}

impl TermsDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<TermsInput> {
        let mut errors = Vec::new();
        let total = money("totale", &self.total, &mut errors);
        let next_due_on = date("prossima_rata", &self.next_due_on, &mut errors);
        let split = if given(&self.count).is_none() && given(&self.instalment).is_none() {
            None
        } else {
            split(&self.count, &self.instalment, &mut errors)
        };
        let reason = text("motivo", &self.reason, &mut errors);
        let reason = required(reason, "motivo", &self.reason, "scrivi perché il piano cambia", &mut errors);
        let on = date("data", &self.on, &mut errors).unwrap_or(today);
        if total.is_none() && next_due_on.is_none() && split.is_none() && errors.is_empty() {
            errors.push(FieldError::new(
                "totale",
                "non c'è niente da cambiare: scrivi il nuovo totale, la nuova scadenza o le rate",
            ));
        }
        match (reason, errors.is_empty()) {
            (Some(reason), true) => Ok(TermsInput { total, next_due_on, split, reason, on }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// Money paid towards a plan, or a solidarity contribution credited to a household.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PaymentDraft {
    /// `gg/mm/aaaa`: the day the money was paid (or credited).
    pub on: String,
    /// The amount actually paid, `1.234,50`.
    pub amount: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    pub on: NaiveDate,
    pub amount: i64,
    pub note: Option<String>,
}

impl PaymentDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<PaymentInput> {
        let mut errors = Vec::new();
        let on = date("data", &self.on, &mut errors);
        let on = required(on, "data", &self.on, "scrivi il giorno del pagamento (gg/mm/aaaa)", &mut errors);
        if on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("data", "il giorno del pagamento è nel futuro"));
        }
        let amount = money("importo", &self.amount, &mut errors);
        let amount = required(amount, "importo", &self.amount, "scrivi l'importo pagato", &mut errors);
        if amount == Some(0) {
            errors.push(FieldError::new("importo", "l'importo è zero"));
        }
        let note = line("nota", &self.note, LONG_LINE_MAX, &mut errors);
        match (on, amount, errors.is_empty()) {
            (Some(on), Some(amount), true) => Ok(PaymentInput { on, amount, note }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// One month of a household's account typed by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct MonthDraft {
    /// `mm/aaaa`.
    pub period: String,
    pub rent_billed: String,
    pub charges_billed: String,
    pub rent_paid: String,
    pub charges_paid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthInput {
    /// The first day of the month.
    pub month: NaiveDate,
    pub rent_billed: i64,
    pub charges_billed: i64,
    pub rent_paid: i64,
    pub charges_paid: i64,
}

/// A month as statements write it: `03/2026`, `3/2026`, `2026-03`, `marzo 2026`, or a date in it.
pub fn parse_period(text: &str) -> Option<NaiveDate> {
    let t = text.trim().to_lowercase();
    let ym = |y: &str, m: &str| -> Option<NaiveDate> {
        let (y, m) = (y.trim().parse::<i32>().ok()?, m.trim().parse::<u32>().ok()?);
        if !(1000..=9999).contains(&y) {
            return None;
        }
        NaiveDate::from_ymd_opt(y, m, 1)
    };
    if let Some((a, b)) = t.split_once(['/', '-', '.']) {
        if a.len() == 4 && !b.contains(['/', '-', '.']) {
            return ym(a, b);
        }
        if b.len() == 4 && !b.contains(['/', '-', '.']) {
            return ym(b, a);
        }
    }
    if let Some((name, year)) = t.split_once(' ') {
        if let Some(m) = crate::format::MONTH_NAMES.iter().position(|n| *n == name.trim()) {
            return ym(year, &(m + 1).to_string());
        }
    }
    crate::format::parse_date(&t)
        .and_then(|d| NaiveDate::from_ymd_opt(chrono::Datelike::year(&d), chrono::Datelike::month(&d), 1))
}

impl MonthDraft {
    pub fn parse(&self) -> Result<MonthInput> {
        let mut errors = Vec::new();
        let month = given(&self.period).and_then(|p| {
            let m = parse_period(&p);
            if m.is_none() {
                errors.push(FieldError::new("periodo", format!("«{p}» non è un mese: scrivi mm/aaaa")));
            }
            m
        });
        let month = required(month, "periodo", &self.period, "scrivi il mese (mm/aaaa)", &mut errors);
        let rent_billed = money("canone", &self.rent_billed, &mut errors).unwrap_or(0);
        let charges_billed = money("spese", &self.charges_billed, &mut errors).unwrap_or(0);
        let rent_paid = money("canone_pagato", &self.rent_paid, &mut errors).unwrap_or(0);
        let charges_paid = money("spese_pagate", &self.charges_paid, &mut errors).unwrap_or(0);
        match (month, errors.is_empty()) {
            (Some(month), true) => Ok(MonthInput { month, rent_billed, charges_billed, rent_paid, charges_paid }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}
