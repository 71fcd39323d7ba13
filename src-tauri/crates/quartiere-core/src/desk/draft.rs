//! A desk contact as typed in the window or on the command line, read once into a
//! [`DeskContactInput`] or into field errors.

use chrono::NaiveDateTime;
use rusqlite::Connection;

use chrono::NaiveDate;

use super::{ContactFilter, DeskContactInput, ReferralInput, ReferralTarget};
use crate::codes::{Channel, Topic};
use crate::draft::{code, date, date_from_today, date_time, given, line, text, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::{HouseholdId, PartnerId, PersonId};
use crate::registry;
use crate::schema::Table;
use crate::store::Actor;
use crate::text::fold;

/// Every field as text; a blank means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDraft {
    /// When the contact happened (`gg/mm/aaaa hh:mm` and the other spellings); blank: now.
    pub occurred_at: String,
    /// The person: an id, or its first characters.
    pub person: String,
    /// The household: an id, or its first characters.
    pub household: String,
    /// A channel code; blank: in person.
    pub channel: String,
    /// Topic codes (`lavoro`, `casa`...).
    pub topics: Vec<String>,
    pub note: String,
    /// The follow-up's date, or `+N` days, `oggi`, `domani` (from today, not from the contact's
    /// date); blank: none.
    pub follow_up_on: String,
    /// The Servizio Sociale (`servizio sociale`, `servizio_sociale`, `servizio-sociale`), or a partner:
    /// its id, the first characters of its id, or part of its name. Blank: no referral.
    pub refer_to: String,
    pub referral_reason: String,
}

impl ContactDraft {
    /// The contact this draft describes, recorded by `actor`; every wrong field is reported at once
    /// ([`Error::Invalid`]). `now` is the contact's time when none is given.
    pub fn parse(&self, conn: &Connection, actor: &Actor, now: NaiveDateTime) -> Result<DeskContactInput> {
        let mut errors = Vec::new();
        let occurred_at = date_time("quando", &self.occurred_at, &mut errors).unwrap_or(now);
        let channel =
            code("canale", &self.channel, "un canale", Channel::from_code, &Channel::codes_list(), &mut errors)
                .unwrap_or(Channel::DiPersona);
        let topics: Vec<Topic> = self
            .topics
            .iter()
            .filter_map(|t| code("temi", t, "un tema", Topic::from_code, &Topic::codes_list(), &mut errors))
            .collect();
        let follow_up_on = date_from_today("richiamo", &self.follow_up_on, now.date(), &mut errors);
        let person = record(conn, Table::Person, "persona", &self.person, &mut errors)?.map(PersonId);
        let household = record(conn, Table::Household, "nucleo", &self.household, &mut errors)?.map(HouseholdId);
        let reason = line("motivo_invio", &self.referral_reason, LONG_LINE_MAX, &mut errors).unwrap_or_default();
        let note = text("nota", &self.note, &mut errors);
        let referrals = match given(&self.refer_to) {
            None => Vec::new(),
            Some(target) => referral_target(conn, actor, &target, &mut errors)?
                .map(|target| vec![ReferralInput { target, reason }])
                .unwrap_or_default(),
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(DeskContactInput {
            occurred_at,
            operator: actor.operator,
            person,
            household,
            channel,
            topics,
            note,
            follow_up_on,
            referrals,
        })
    }
}

/// Which contacts to list, as typed: every field text, a blank meaning "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFilterDraft {
    /// From this day (`gg/mm/aaaa`), inclusive.
    pub from: String,
    /// To this day, inclusive.
    pub to: String,
    /// A person: an id, or its first characters.
    pub person: String,
    /// A household: an id, or its first characters.
    pub household: String,
    /// A topic code.
    pub topic: String,
    /// Only contacts whose follow-up is due by today and not yet done.
    pub follow_ups_only: bool,
}

impl ContactFilterDraft {
    /// The filter this draft describes, at most `limit` contacts; an unknown topic or a wrong date
    /// is a field error, never an empty filter that lists everything.
    pub fn parse(&self, conn: &Connection, today: NaiveDate, limit: usize) -> Result<ContactFilter> {
        let mut errors = Vec::new();
        let from = date("dal", &self.from, &mut errors);
        let to = date("al", &self.to, &mut errors);
        let topic = code("tema", &self.topic, "un tema", Topic::from_code, &Topic::codes_list(), &mut errors);
        let person = record(conn, Table::Person, "persona", &self.person, &mut errors)?.map(PersonId);
        let household = record(conn, Table::Household, "nucleo", &self.household, &mut errors)?.map(HouseholdId);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(ContactFilter {
            from,
            to,
            person,
            household,
            topic,
            follow_up_due_by: self.follow_ups_only.then_some(today),
            limit: Some(limit),
            ..Default::default()
        })
    }
}

/// A record named by its id or the id's first characters; `None` when blank, or not found or
/// ambiguous (then a field error says which). A fault of the database is an error, not a field's.
fn record(
    conn: &Connection,
    table: Table,
    field: &str,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<uuid::Uuid>> {
    let Some(key) = given(key) else { return Ok(None) };
    match registry::resolve_id(conn, table, &key) {
        Ok(id) => Ok(Some(id)),
        Err(Error::Ambiguous { .. }) => {
            errors.push(FieldError::new(
                field,
                format!("«{key}» corrisponde a più schede: scrivine qualche carattere in più"),
            ));
            Ok(None)
        }
        Err(Error::NotFound { .. }) => {
            errors.push(FieldError::new(field, format!("nessuna scheda con il codice «{key}»")));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Where a referral goes: the Servizio Sociale in any spelling, or one partner by id or by name.
fn referral_target(
    conn: &Connection,
    actor: &Actor,
    target: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<ReferralTarget>> {
    let folded = fold(target);
    if folded.replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>() == ["servizio", "sociale"] {
        return Ok(Some(ReferralTarget::ServizioSociale));
    }
    if let Ok(id) = registry::resolve_id(conn, Table::Partner, target) {
        return Ok(Some(ReferralTarget::Partner(PartnerId(id))));
    }
    // A role that may not read the partners is told so, as for any read it may not make.
    let partners = registry::list_partners(conn, actor)?;
    let found: Vec<PartnerId> =
        partners.into_iter().filter(|p| fold(&p.fields.name).contains(&folded)).map(|p| p.id).collect();
    match found.as_slice() {
        [one] => Ok(Some(ReferralTarget::Partner(*one))),
        [] => {
            errors.push(FieldError::new("invio", format!("nessun partner si chiama «{target}»")));
            Ok(None)
        }
        _ => {
            errors
                .push(FieldError::new("invio", format!("«{target}» corrisponde a più partner: scrivi il nome intero")));
            Ok(None)
        }
    }
}
