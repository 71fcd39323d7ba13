//! The sportello: recording a desk contact and listing contacts.

use chrono::{Local, NaiveDateTime};
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::desk::{self, ContactFilter, DeskContactInput, DeskContactView, ReferralInput, ReferralTarget};
use quartiere_core::ids::{HouseholdId, PartnerId, PersonId};
use quartiere_core::{format, FieldError};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::{code, given, invalid, optional_date, parse_id, today, with_session, write, UiResult};
use crate::AppState;

#[derive(Debug, Deserialize, TS)]
pub struct ContactForm {
    /// `aaaa-mm-ggThh:mm`; empty for now.
    #[serde(default)]
    pub occurred_at: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub channel: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub follow_up_on: String,
    /// A partner id, or `servizio_sociale`.
    pub refer_to: Option<String>,
    #[serde(default)]
    pub referral_reason: String,
}

#[tauri::command]
pub async fn add_contact(
    state: State<'_, AppState>,
    form: ContactForm,
) -> UiResult<quartiere_core::ids::DeskContactId> {
    let mut errors = Vec::new();
    let occurred_at = match given(&form.occurred_at) {
        None => Local::now().naive_local(),
        Some(t) => NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M").unwrap_or_else(|_| {
            errors.push(FieldError::new("quando", "data e ora non valide"));
            Local::now().naive_local()
        }),
    };
    let channel = code("canale", &form.channel, Channel::from_code, &mut errors).unwrap_or(Channel::Altro);
    let topics: Vec<Topic> =
        form.topics.iter().filter_map(|t| code("temi", t, Topic::from_code, &mut errors)).collect();
    let follow_up_on = given(&form.follow_up_on).and_then(|t| {
        let date = format::parse_date(&t);
        if date.is_none() {
            errors.push(FieldError::new("richiamo", "la data del richiamo non è valida"));
        }
        date
    });
    let person = form.person.as_deref().and_then(given).map(|p| parse_id("persona", &p).map(PersonId)).transpose()?;
    let household =
        form.household.as_deref().and_then(given).map(|h| parse_id("nucleo", &h).map(HouseholdId)).transpose()?;
    let referrals = match form.refer_to.as_deref().and_then(given) {
        None => Vec::new(),
        Some(t) if t == "servizio_sociale" => {
            vec![ReferralInput { target: ReferralTarget::ServizioSociale, reason: form.referral_reason.clone() }]
        }
        Some(t) => vec![ReferralInput {
            target: ReferralTarget::Partner(PartnerId(parse_id("invio", &t)?)),
            reason: form.referral_reason.clone(),
        }],
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    write(&state, |w| {
        let input = DeskContactInput {
            occurred_at,
            operator: w.actor().operator,
            person,
            household,
            channel,
            topics,
            note: given(&form.note),
            follow_up_on,
            referrals,
        };
        desk::add_contact(w, &input)
    })
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct ContactFilterForm {
    pub from: String,
    pub to: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub topic: String,
    pub follow_ups_only: bool,
}

#[tauri::command]
pub async fn contacts(state: State<'_, AppState>, filter: ContactFilterForm) -> UiResult<Vec<DeskContactView>> {
    let mut errors = Vec::new();
    let (from, to) = (optional_date("dal", &filter.from, &mut errors), optional_date("al", &filter.to, &mut errors));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let filter = ContactFilter {
        from,
        to,
        person: filter.person.as_deref().map(|p| parse_id("persona", p).map(PersonId)).transpose()?,
        household: filter.household.as_deref().map(|h| parse_id("nucleo", h).map(HouseholdId)).transpose()?,
        topic: Topic::from_code(&filter.topic),
        follow_up_due_by: filter.follow_ups_only.then(today),
        limit: Some(200),
        ..Default::default()
    };
    with_session(&state, |s| desk::list_contacts(&mut s.store, &s.actor, &filter))
}
