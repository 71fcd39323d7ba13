//! A case, a goal, a referral and a closing as typed in the window or on the command line, read
//! once into typed inputs or into field errors, every wrong field at once. The drafts are the
//! window's wire types too: the form sends them as they are.

use chrono::NaiveDate;

use super::{CaseInput, CloseInput, GoalInput, ReferralInput};
use crate::codes::{Axis, CaseOutcome};
use crate::desk::ReferralTarget;
use crate::draft::{code, date, date_from_today, given, id, line, text, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::{DeskContactId, GoalId, OperatorId, PartnerId, PersonId};

/// A new case, every field as text; a blank means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CaseDraft {
    /// The person's id.
    pub person: String,
    /// One of the project's axes (`disagio`, `formazione_lavoro`, `morosita`, `convivenza`).
    pub axis: String,
    /// The tutor's operator id.
    pub tutor: String,
    /// Shared with the Comune's Servizio Sociale.
    pub servizio_sociale: bool,
    /// Why the case is opened, in a line or a few.
    pub reason: String,
    /// The desk contact it comes from, or blank.
    pub contact: String,
    /// `gg/mm/aaaa`; blank: today.
    pub opened_on: String,
}

/// A goal of the plan, or a step of a goal.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct GoalDraft {
    pub title: String,
    /// Who takes care of it: an operator, the person, a partner, by name.
    pub owner: String,
    /// `gg/mm/aaaa`, `+30`, `domani`.
    pub due: String,
    /// The goal this is a step of, or blank for a goal.
    pub parent: String,
}

/// A referral from a case.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReferralDraft {
    /// A partner's id, or `servizio_sociale`.
    pub to: String,
    pub reason: String,
    /// The referral passes the person's data to the other organisation.
    pub shares_data: bool,
    /// `gg/mm/aaaa`; blank: today.
    pub on: String,
}

/// Closing a case.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CloseDraft {
    /// A [`CaseOutcome`] code.
    pub outcome: String,
    pub note: String,
    /// `gg/mm/aaaa`; blank: today.
    pub closed_on: String,
}

fn day_or_today(field: &str, text: &str, today: NaiveDate, errors: &mut Vec<FieldError>) -> NaiveDate {
    date(field, text, errors).unwrap_or(today)
}

impl CaseDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<CaseInput> {
        let mut errors = Vec::new();
        let person = id("persona", &self.person, "una persona", PersonId, &mut errors);
        if given(&self.person).is_none() {
            errors.push(FieldError::new("persona", "scegli la persona presa in carico"));
        }
        let axis = code("asse", &self.axis, "un asse del progetto", Axis::from_code, &Axis::codes_list(), &mut errors);
        if given(&self.axis).is_none() {
            errors.push(FieldError::new("asse", "scegli l'asse del progetto"));
        }
        let tutor = id("tutor", &self.tutor, "un operatore", OperatorId, &mut errors);
        if given(&self.tutor).is_none() {
            errors.push(FieldError::new("tutor", "scegli il tutor di quartiere che segue la presa in carico"));
        }
        let reason = text("motivo", &self.reason, &mut errors);
        let contact = id("contatto", &self.contact, "un contatto dello sportello", DeskContactId, &mut errors);
        let opened_on = day_or_today("apertura", &self.opened_on, today, &mut errors);
        match (person, axis, tutor, errors.is_empty()) {
            (Some(person), Some(axis), Some(tutor), true) => Ok(CaseInput {
                person,
                axis,
                tutor,
                servizio_sociale: self.servizio_sociale,
                reason,
                contact,
                opened_on,
            }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl GoalDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<GoalInput> {
        let mut errors = Vec::new();
        let title = line("obiettivo", &self.title, LONG_LINE_MAX, &mut errors);
        if given(&self.title).is_none() {
            errors.push(FieldError::new("obiettivo", "scrivi l'obiettivo o il passo"));
        }
        let owner = line("responsabile", &self.owner, LINE_MAX, &mut errors);
        if given(&self.owner).is_none() {
            errors.push(FieldError::new(
                "responsabile",
                "ogni obiettivo ha un responsabile: scrivi chi se ne occupa (un operatore, la persona, un partner)",
            ));
        }
        let due_on = date_from_today("scadenza", &self.due, today, &mut errors);
        let parent = id("obiettivo_padre", &self.parent, "un obiettivo", GoalId, &mut errors);
        match (title, owner, errors.is_empty()) {
            (Some(title), Some(owner), true) => Ok(GoalInput { title, owner, due_on, parent }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl ReferralDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<ReferralInput> {
        let mut errors = Vec::new();
        let target = match given(&self.to) {
            None => {
                errors.push(FieldError::new("destinatario", "scegli a chi è inviata la persona"));
                None
            }
            Some(to) if to == "servizio_sociale" => Some(ReferralTarget::ServizioSociale),
            Some(_) => id("destinatario", &self.to, "un partner", PartnerId, &mut errors).map(ReferralTarget::Partner),
        };
        let reason = text("motivo", &self.reason, &mut errors);
        if reason.is_none() && errors.iter().all(|e| e.field != "motivo") {
            errors.push(FieldError::new("motivo", "scrivi perché la persona è inviata"));
        }
        let on = day_or_today("data", &self.on, today, &mut errors);
        match (target, reason, errors.is_empty()) {
            (Some(target), Some(reason), true) => {
                Ok(ReferralInput { target, reason, shares_data: self.shares_data, on })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl CloseDraft {
    pub fn parse(&self, today: NaiveDate) -> Result<CloseInput> {
        let mut errors = Vec::new();
        let outcome =
            code("esito", &self.outcome, "un esito", CaseOutcome::from_code, &CaseOutcome::codes_list(), &mut errors);
        if given(&self.outcome).is_none() {
            errors.push(FieldError::new("esito", "scegli l'esito della presa in carico"));
        }
        let note = text("nota", &self.note, &mut errors);
        let closed_on = day_or_today("chiusura", &self.closed_on, today, &mut errors);
        match (outcome, errors.is_empty()) {
            (Some(outcome), true) => Ok(CloseInput { outcome, note, closed_on }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}
