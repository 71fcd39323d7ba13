//! Prese in carico: a case for a person (and their household) on one of the project's axes,
//! followed by a neighbourhood tutor with other operators; its plan of goals and steps, each with
//! an owner and a due date; its referrals to partners and to the Servizio Sociale, with their
//! state; its notes; and its closing, with the outcome.
//!
//! Rules kept here, for the window and the command line alike: a goal has an owner; a referral
//! that passes the person's data to another organisation needs the person's recorded consent to
//! it; a closed case takes no more goals or referrals, and only its tutor or a coordinator closes
//! it. Everything written is history: [`history`] reads the change record back as who changed
//! what and when.

mod draft;
mod history;
mod plan;
pub(crate) mod rights;
mod view;

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

pub use draft::{CaseDraft, CloseDraft, GoalDraft, ReferralDraft};
pub use history::{history, HistoryEntry};
pub use plan::plan_document;
pub use view::{
    case, cases, goals_due, goals_due_count, CaseDetail, CaseFilter, CaseMember, CaseReferral, CaseSummary, GoalDue,
    GoalView,
};

use crate::access::{self, Action, Role};
use crate::codes::{Axis, CaseOutcome, GoalStatus, ReferralState};
use crate::desk::ReferralTarget;
use crate::error::{Error, Result};
use crate::format;
use crate::ids::{CaseId, DeskContactId, GoalId, OperatorId, PersonId, ReferralId};
use crate::privacy::ConsentKind;
use crate::registry::{self, opt};
use crate::schema::Table;
use crate::store::Writer;

/// A new case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInput {
    pub person: PersonId,
    pub axis: Axis,
    pub tutor: OperatorId,
    pub servizio_sociale: bool,
    pub reason: Option<String>,
    /// The desk contact the case comes from.
    pub contact: Option<DeskContactId>,
    pub opened_on: NaiveDate,
}

/// A goal, or a step of the goal `parent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalInput {
    pub title: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub parent: Option<GoalId>,
}

/// A referral from a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralInput {
    pub target: ReferralTarget,
    pub reason: String,
    pub shares_data: bool,
    pub on: NaiveDate,
}

/// How and when a case closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInput {
    pub outcome: CaseOutcome,
    pub note: Option<String>,
    pub closed_on: NaiveDate,
}

fn operator_name(conn: &Connection, operator: OperatorId) -> Result<Option<(String, Option<Role>)>> {
    Ok(conn
        .query_row("SELECT name, role FROM operator WHERE id = ?1 AND deleted = 0", [operator], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?
        .map(|(name, role)| (name, role.as_deref().and_then(Role::from_code))))
}

/// The role's door for every write here, before any other check, so that a refusal for the role
/// is always the role's sentence.
fn door(w: &Writer<'_>) -> Result<()> {
    access::require(w.conn(), &w.actor(), Action::RecordCases).map(drop)
}

/// Opens a case. Refused, writing nothing: an unknown person, a tutor who is not a tutor (or a
/// coordinator), a desk contact about someone else, a second open case on the same axis.
pub fn open_case(w: &mut Writer<'_>, input: &CaseInput) -> Result<CaseId> {
    door(w)?;
    let person = registry::load_person(w.conn(), input.person)?;
    let Some((tutor, role)) = operator_name(w.conn(), input.tutor)? else {
        return Err(Error::invalid(
            "tutor",
            "questo operatore non c'è o è stato disattivato: scegli il tutor dall'elenco",
        ));
    };
    if !matches!(role, Some(Role::Tutor | Role::Coordinator)) {
        return Err(Error::invalid(
            "tutor",
            format!("{tutor} non è un tutor di quartiere: la presa in carico la segue un tutor o il coordinatore"),
        ));
    }
    if let Some(contact) = input.contact {
        let about: Option<Option<String>> = w
            .conn()
            .query_row("SELECT person_id FROM desk_contact WHERE id = ?1 AND deleted = 0", [contact], |r| r.get(0))
            .optional()?;
        match about {
            None => return Err(Error::NotFound { what: "contatto allo sportello", key: contact.to_string() }),
            Some(Some(p)) if p != input.person.to_string() => {
                return Err(Error::invalid("contatto", "questo contatto dello sportello riguarda un'altra persona"))
            }
            _ => {}
        }
    }
    let open: Option<(String, String)> = w
        .conn()
        .query_row(
            "SELECT c.opened_on, coalesce(o.name, '') FROM case_file c LEFT JOIN operator o ON o.id = c.tutor_id
             WHERE c.person_id = ?1 AND c.axis = ?2 AND c.closed_on IS NULL AND c.deleted = 0",
            params![input.person, input.axis.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((opened, tutor)) = open {
        let opened = opened.parse().map(format::date).unwrap_or(opened);
        return Err(Error::invalid(
            "asse",
            format!(
                "{} ha già una presa in carico aperta su «{}» (dal {opened}, tutor {tutor}): aggiungi lì obiettivi e note",
                person.full_name(),
                input.axis.label_it()
            ),
        ));
    }
    let household = registry::current_membership(w.conn(), input.person)?.map(|m| m.household.to_string());
    let id = CaseId(w.new_id());
    w.insert(
        Table::CaseFile,
        id.0,
        &[
            ("person_id", input.person.to_string().into()),
            ("household_id", opt(household)),
            ("axis", input.axis.code().to_string().into()),
            ("opened_on", input.opened_on.to_string().into()),
            ("contact_id", opt(input.contact.map(|c| c.to_string()))),
            ("tutor_id", input.tutor.to_string().into()),
            ("servizio_sociale", Value::Integer(input.servizio_sociale.into())),
            ("reason", opt(input.reason.clone())),
            ("opened_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// The case's person, opening day and whether it is closed; a closed case is refused for `doing`.
fn open_case_row(conn: &Connection, case: CaseId, doing: &str) -> Result<(PersonId, NaiveDate)> {
    let row: Option<(PersonId, String, Option<String>)> = conn
        .query_row("SELECT person_id, opened_on, closed_on FROM case_file WHERE id = ?1 AND deleted = 0", [case], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((person, opened, closed)) = row else {
        return Err(Error::NotFound { what: "presa in carico", key: case.to_string() });
    };
    if let Some(closed) = closed {
        let closed = closed.parse().map(format::date).unwrap_or(closed);
        return Err(Error::invalid(
            "presa_in_carico",
            format!("la presa in carico è chiusa dal {closed}: non si può {doing}"),
        ));
    }
    Ok((person, opened.parse().unwrap_or(NaiveDate::MIN)))
}

/// Puts an operator on the case with their role in it (educator, mediator...).
pub fn add_member(w: &mut Writer<'_>, case: CaseId, operator: OperatorId, role: &str) -> Result<()> {
    door(w)?;
    open_case_row(w.conn(), case, "cambiare chi la segue")?;
    let Some((name, _)) = operator_name(w.conn(), operator)? else {
        return Err(Error::invalid("operatore", "questo operatore non c'è o è stato disattivato"));
    };
    let role = role.trim();
    if role.is_empty() {
        return Err(Error::invalid("ruolo", format!("scrivi che cosa fa {name} in questa presa in carico")));
    }
    let already: bool = w.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM case_operator WHERE case_id = ?1 AND operator_id = ?2 AND deleted = 0)
             OR EXISTS (SELECT 1 FROM case_file WHERE id = ?1 AND tutor_id = ?2)",
        params![case, operator],
        |r| r.get(0),
    )?;
    if already {
        return Err(Error::invalid("operatore", format!("{name} segue già questa presa in carico")));
    }
    let id = w.new_id();
    w.insert(
        Table::CaseOperator,
        id,
        &[
            ("case_id", case.to_string().into()),
            ("operator_id", operator.to_string().into()),
            ("role", role.to_string().into()),
        ],
    )
}

/// Takes an operator off the case's team (the history keeps that they were on it).
pub fn remove_member(w: &mut Writer<'_>, case: CaseId, operator: OperatorId) -> Result<()> {
    door(w)?;
    open_case_row(w.conn(), case, "cambiare chi la segue")?;
    let row: Option<String> = w
        .conn()
        .query_row(
            "SELECT id FROM case_operator WHERE case_id = ?1 AND operator_id = ?2 AND deleted = 0",
            params![case, operator],
            |r| r.get(0),
        )
        .optional()?;
    let Some(row) = row else {
        return Err(Error::invalid("operatore", "questo operatore non è nell'équipe della presa in carico"));
    };
    w.tombstone(Table::CaseOperator, crate::store::parse_uuid(&row)?)
}

/// Adds a goal to the plan, or a step to a goal. Refused: a closed case, a parent that is not a
/// goal of this case, a step of a step.
pub fn add_goal(w: &mut Writer<'_>, case: CaseId, input: &GoalInput) -> Result<GoalId> {
    door(w)?;
    open_case_row(w.conn(), case, "aggiungere obiettivi")?;
    if input.owner.trim().is_empty() {
        return Err(Error::invalid("responsabile", "ogni obiettivo ha un responsabile: scrivi chi se ne occupa"));
    }
    if let Some(parent) = input.parent {
        let row: Option<(String, Option<String>)> = w
            .conn()
            .query_row("SELECT case_id, parent_id FROM case_goal WHERE id = ?1 AND deleted = 0", [parent], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match row {
            Some((c, None)) if c == case.to_string() => {}
            Some((c, Some(_))) if c == case.to_string() => {
                return Err(Error::invalid(
                    "obiettivo_padre",
                    "un passo si aggiunge a un obiettivo, non a un altro passo",
                ))
            }
            _ => {
                return Err(Error::invalid(
                    "obiettivo_padre",
                    "questo obiettivo non è del piano di questa presa in carico",
                ))
            }
        }
    }
    let position: i64 =
        w.conn().query_row("SELECT coalesce(max(position), 0) + 1 FROM case_goal WHERE case_id = ?1", [case], |r| {
            r.get(0)
        })?;
    let id = GoalId(w.new_id());
    w.insert(
        Table::CaseGoal,
        id.0,
        &[
            ("case_id", case.to_string().into()),
            ("parent_id", opt(input.parent.map(|p| p.to_string()))),
            ("title", input.title.clone().into()),
            ("owner", input.owner.trim().to_string().into()),
            ("due_on", opt(input.due_on.map(|d| d.to_string()))),
            ("status", GoalStatus::Aperto.code().to_string().into()),
            ("position", Value::Integer(position)),
            ("written_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

fn goal_case(conn: &Connection, goal: GoalId) -> Result<CaseId> {
    conn.query_row("SELECT case_id FROM case_goal WHERE id = ?1 AND deleted = 0", [goal], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "obiettivo", key: goal.to_string() })
}

/// Changes a goal's title, owner or due date (the old values stay in the case's history).
pub fn edit_goal(w: &mut Writer<'_>, goal: GoalId, input: &GoalInput) -> Result<()> {
    door(w)?;
    let case = goal_case(w.conn(), goal)?;
    open_case_row(w.conn(), case, "cambiare il piano")?;
    if input.owner.trim().is_empty() {
        return Err(Error::invalid("responsabile", "ogni obiettivo ha un responsabile: scrivi chi se ne occupa"));
    }
    w.update(
        Table::CaseGoal,
        goal.0,
        &[
            ("title", input.title.clone().into()),
            ("owner", input.owner.trim().to_string().into()),
            ("due_on", opt(input.due_on.map(|d| d.to_string()))),
        ],
    )
    .map(drop)
}

/// Sets where a goal stands on `on`: a goal done (or dropped) keeps the day; reopening clears it.
pub fn set_goal_status(w: &mut Writer<'_>, goal: GoalId, status: GoalStatus, on: NaiveDate) -> Result<()> {
    door(w)?;
    let case = goal_case(w.conn(), goal)?;
    open_case_row(w.conn(), case, "cambiare il piano")?;
    let done_on = (!status.is_open()).then(|| on.to_string());
    w.update(Table::CaseGoal, goal.0, &[("status", status.code().to_string().into()), ("done_on", opt(done_on))])
        .map(drop)
}

/// The person's consent to share their data with other organisations, given and not withdrawn
/// on `on`, if recorded.
fn sharing_consent(conn: &Connection, person: PersonId, on: NaiveDate) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM consent WHERE person_id = ?1 AND kind = ?2 AND deleted = 0
               AND given_on <= ?3 AND (withdrawn_on IS NULL OR withdrawn_on > ?3)
             ORDER BY given_on DESC LIMIT 1",
            params![person, ConsentKind::DataSharing.code(), on.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Refers the case's person to a partner or to the Servizio Sociale. A referral that shares the
/// person's data needs their consent to it, recorded on or before the day: without it the referral
/// is refused, saying where to record it.
pub fn refer(w: &mut Writer<'_>, case: CaseId, input: &ReferralInput) -> Result<ReferralId> {
    door(w)?;
    let (person, opened) = open_case_row(w.conn(), case, "fare invii")?;
    if input.on < opened {
        return Err(Error::invalid(
            "data",
            format!(
                "l'invio ({}) non può precedere l'apertura della presa in carico ({})",
                format::date(input.on),
                format::date(opened)
            ),
        ));
    }
    let (partner, servizio_sociale, to) = match &input.target {
        ReferralTarget::Partner(p) => {
            let name: Option<String> = w
                .conn()
                .query_row("SELECT name FROM partner WHERE id = ?1 AND deleted = 0", [p], |r| r.get(0))
                .optional()?;
            let Some(name) = name else { return Err(Error::NotFound { what: "partner", key: p.to_string() }) };
            (Some(p.to_string()), 0, name)
        }
        ReferralTarget::ServizioSociale => (None, 1, "il Servizio Sociale".to_string()),
    };
    let consent = if input.shares_data {
        let consent = sharing_consent(w.conn(), person, input.on)?;
        if consent.is_none() {
            let who = registry::load_person(w.conn(), person)?;
            return Err(Error::invalid(
                "consenso",
                format!(
                    "per inviare i dati di {} a {to} serve il suo consenso alla comunicazione dei dati ad altri enti: \
                     registralo nella sua scheda (Privacy), poi ripeti l'invio",
                    who.full_name()
                ),
            ));
        }
        consent
    } else {
        None
    };
    let id = ReferralId(w.new_id());
    w.insert(
        Table::Referral,
        id.0,
        &[
            ("case_id", case.to_string().into()),
            ("partner_id", opt(partner)),
            ("servizio_sociale", Value::Integer(servizio_sociale)),
            ("reason", input.reason.clone().into()),
            ("referred_on", input.on.to_string().into()),
            ("state", ReferralState::Inviato.code().to_string().into()),
            ("state_on", input.on.to_string().into()),
            ("shares_data", Value::Integer(input.shares_data.into())),
            ("consent_id", opt(consent)),
            ("recorded_by", w.actor().operator.to_string().into()),
        ],
    )?;
    Ok(id)
}

/// Records the answer to a referral: a sent referral is accepted or refused, an accepted one is
/// done; any other step is refused.
pub fn set_referral_state(w: &mut Writer<'_>, referral: ReferralId, state: ReferralState, on: NaiveDate) -> Result<()> {
    door(w)?;
    let row: Option<(Option<CaseId>, Option<String>, String)> = w
        .conn()
        .query_row("SELECT case_id, state, referred_on FROM referral WHERE id = ?1 AND deleted = 0", [referral], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?.unwrap_or_default()))
        })
        .optional()?;
    let Some((Some(case), current, sent)) = row else {
        return Err(Error::NotFound { what: "invio di una presa in carico", key: referral.to_string() });
    };
    open_case_row(w.conn(), case, "aggiornare gli invii")?;
    let current = current.as_deref().and_then(ReferralState::from_code).unwrap_or(ReferralState::Inviato);
    use ReferralState::*;
    let allowed = matches!((current, state), (Inviato, Accettato | Rifiutato) | (Accettato, Concluso));
    if !allowed {
        return Err(Error::invalid(
            "stato",
            format!("un invio «{}» non può diventare «{}»", current.label_it(), state.label_it()),
        ));
    }
    if let Ok(sent) = sent.parse::<NaiveDate>() {
        if on < sent {
            return Err(Error::invalid(
                "data",
                format!("la risposta non può precedere l'invio ({})", format::date(sent)),
            ));
        }
    }
    w.update(
        Table::Referral,
        referral.0,
        &[("state", state.code().to_string().into()), ("state_on", on.to_string().into())],
    )
    .map(drop)
}

/// Closes a case with its outcome. Only the case's tutor or a coordinator closes it; the day is
/// not before the opening.
pub fn close_case(w: &mut Writer<'_>, case: CaseId, input: &CloseInput) -> Result<()> {
    door(w)?;
    let (_, opened) = open_case_row(w.conn(), case, "chiuderla di nuovo")?;
    let tutor: OperatorId = w.conn().query_row("SELECT tutor_id FROM case_file WHERE id = ?1", [case], |r| r.get(0))?;
    let me = w.actor().operator;
    if me != tutor && access::role_of(w.conn(), me)? != Some(Role::Coordinator) {
        let name = operator_name(w.conn(), tutor)?.map(|(n, _)| n).unwrap_or_default();
        return Err(Error::Forbidden {
            message: format!("la presa in carico la chiude chi la segue ({name}) o il coordinatore"),
        });
    }
    if input.closed_on < opened {
        return Err(Error::invalid(
            "chiusura",
            format!(
                "la chiusura ({}) non può precedere l'apertura ({})",
                format::date(input.closed_on),
                format::date(opened)
            ),
        ));
    }
    w.update(
        Table::CaseFile,
        case.0,
        &[
            ("closed_on", input.closed_on.to_string().into()),
            ("outcome", input.outcome.code().to_string().into()),
            ("outcome_note", opt(input.note.clone())),
        ],
    )
    .map(drop)
}

/// Changes who follows the case (the tutor) and whether it is shared with the Servizio Sociale.
pub fn set_tutor(w: &mut Writer<'_>, case: CaseId, tutor: OperatorId, servizio_sociale: bool) -> Result<()> {
    door(w)?;
    open_case_row(w.conn(), case, "cambiare chi la segue")?;
    let Some((name, role)) = operator_name(w.conn(), tutor)? else {
        return Err(Error::invalid("tutor", "questo operatore non c'è o è stato disattivato"));
    };
    if !matches!(role, Some(Role::Tutor | Role::Coordinator)) {
        return Err(Error::invalid("tutor", format!("{name} non è un tutor di quartiere")));
    }
    w.update(
        Table::CaseFile,
        case.0,
        &[("tutor_id", tutor.to_string().into()), ("servizio_sociale", Value::Integer(servizio_sociale.into()))],
    )
    .map(drop)
}
