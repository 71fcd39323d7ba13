//! `quartiere cases`: the tutor's list, a case, opening, goals, referrals, closing; and
//! `quartiere notes` on people, households and cases.

use std::process::ExitCode;

use quartiere_core::cases::{self, CaseDraft, CaseFilter, CloseDraft, GoalDraft, ReferralDraft};
use quartiere_core::codes::{GoalStatus, ReferralState};
use quartiere_core::desk::{self, NoteSubject};
use quartiere_core::ids::{CaseId, GoalId, HouseholdId, NoteId, OperatorId, PersonId, ReferralId};
use quartiere_core::registry::resolve_id;
use quartiere_core::schema::Table;
use quartiere_core::text::fold;
use quartiere_core::{format, Error, Store};

use crate::args::{CasesCommand, Cli, NoteSubjectArgs, NotesCommand};
use crate::output::print_json;
use crate::session::{open, today};

/// An operator by id (or its first digits) or by name.
fn operator(store: &Store, key: &str) -> Result<OperatorId, Error> {
    if let Ok(id) = resolve_id(store.conn(), Table::Operator, key) {
        return Ok(OperatorId(id));
    }
    let team = quartiere_core::accounts::team(store)?;
    let found: Vec<_> = team.iter().filter(|(_, name, _)| fold(name).contains(&fold(key))).collect();
    match found.as_slice() {
        [(id, _, _)] => Ok(*id),
        [] => Err(Error::NotFound { what: "operatore", key: key.to_string() }),
        _ => Err(Error::Ambiguous { key: key.to_string() }),
    }
}

fn case_id(store: &Store, key: &str) -> Result<CaseId, Error> {
    resolve_id(store.conn(), Table::CaseFile, key).map(CaseId)
}

/// Runs a `cases` subcommand.
pub fn run(cli: &Cli, command: &CasesCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        CasesCommand::List { tutor, person, all, json } => {
            let filter = CaseFilter {
                operator: tutor.as_deref().map(|t| operator(&store, t)).transpose()?,
                person: person
                    .as_deref()
                    .map(|p| resolve_id(store.conn(), Table::Person, p).map(PersonId))
                    .transpose()?,
                household: None,
                open_only: !all,
            };
            let list = cases::cases(&mut store, &actor, &filter, today())?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for c in &list {
                let state = match c.closed_on {
                    Some(closed) => format!("chiusa il {}", format::date(closed)),
                    None => format!(
                        "{} da fare{}",
                        format::count(c.open_goals, "obiettivo", "obiettivi"),
                        if c.overdue > 0 { format!(", {} scaduti", c.overdue) } else { String::new() }
                    ),
                };
                out!(
                    "{}  {} · {} · tutor {} · dal {} · {state}",
                    c.id,
                    c.person_name,
                    c.axis.label_it(),
                    c.tutor_name,
                    format::date(c.opened_on)
                );
            }
            out!("{}.", format::count(list.len(), "presa in carico", "prese in carico"));
        }
        CasesCommand::Show { case, json } => {
            let id = case_id(&store, case)?;
            let detail = cases::case(&mut store, &actor, id, today())?;
            if *json {
                return print_json(&detail).map(|_| ExitCode::SUCCESS);
            }
            let c = &detail.summary;
            out!(
                "{} · {} · tutor {} · dal {}",
                c.person_name,
                c.axis.label_it(),
                c.tutor_name,
                format::date(c.opened_on)
            );
            for g in &detail.goals {
                for (goal, prefix) in std::iter::once((g, "Obiettivo")).chain(g.steps.iter().map(|s| (s, "  Passo"))) {
                    out!(
                        "{prefix} «{}» ({}, {}): {}{}",
                        goal.title,
                        goal.owner,
                        goal.due_on
                            .map(|d| format!("entro il {}", format::date(d)))
                            .unwrap_or_else(|| "senza scadenza".into()),
                        goal.status.label_it(),
                        if goal.overdue { " — SCADUTO" } else { "" }
                    );
                }
            }
            for r in &detail.referrals {
                out!("Invio a {}: {} ({})", r.to, r.state.label_it(), r.reason);
            }
            for n in &detail.notes {
                out!("Nota: {}", n.body);
            }
            out!("Storia:");
            for e in &detail.history {
                for change in &e.changes {
                    out!("  {} {} — {change}", e.at.get(..16).unwrap_or(&e.at).replace('T', " "), e.operator);
                }
            }
        }
        CasesCommand::Open { person, axis, tutor, servizio_sociale, reason, contact, on, json } => {
            let person = resolve_id(store.conn(), Table::Person, person)?;
            let tutor = operator(&store, tutor)?;
            let contact = contact.as_deref().map(|c| resolve_id(store.conn(), Table::DeskContact, c)).transpose()?;
            let input = CaseDraft {
                person: person.to_string(),
                axis: axis.clone(),
                tutor: tutor.to_string(),
                servizio_sociale: *servizio_sociale,
                reason: reason.clone().unwrap_or_default(),
                contact: contact.map(|c| c.to_string()).unwrap_or_default(),
                opened_on: on.clone().unwrap_or_default(),
            }
            .parse(today())?;
            let id = store.write(&actor, |w| cases::open_case(w, &input))?;
            if *json {
                return print_json(&id).map(|_| ExitCode::SUCCESS);
            }
            out!("{id}");
        }
        CasesCommand::Goal { case, title, owner, due, parent } => {
            let case = case_id(&store, case)?;
            let parent = parent.as_deref().map(|p| resolve_id(store.conn(), Table::CaseGoal, p)).transpose()?;
            let input = GoalDraft {
                title: title.clone(),
                owner: owner.clone(),
                due: due.clone(),
                parent: parent.map(|p| p.to_string()).unwrap_or_default(),
            }
            .parse(today())?;
            let id = store.write(&actor, |w| cases::add_goal(w, case, &input))?;
            out!("{id}");
        }
        CasesCommand::Status { goal, status } => {
            let goal = GoalId(resolve_id(store.conn(), Table::CaseGoal, goal)?);
            let status = GoalStatus::from_code(status.trim()).ok_or_else(|| {
                Error::invalid("stato", format!("«{status}» non è uno stato: usa uno tra {}", GoalStatus::codes_list()))
            })?;
            store.write(&actor, |w| cases::set_goal_status(w, goal, status, today()))?;
            out!("Stato: {}.", status.label_it());
        }
        CasesCommand::Refer { case, to, reason, shares_data } => {
            let case = case_id(&store, case)?;
            let to = if to.trim() == "servizio_sociale" {
                to.trim().to_string()
            } else {
                resolve_id(store.conn(), Table::Partner, to)?.to_string()
            };
            let input = ReferralDraft { to, reason: reason.clone(), shares_data: *shares_data, on: String::new() }
                .parse(today())?;
            let id = store.write(&actor, |w| cases::refer(w, case, &input))?;
            out!("{id}");
        }
        CasesCommand::Referral { referral, state } => {
            let referral = ReferralId(resolve_id(store.conn(), Table::Referral, referral)?);
            let state = ReferralState::from_code(state.trim()).ok_or_else(|| {
                Error::invalid(
                    "stato",
                    format!("«{state}» non è uno stato: usa uno tra {}", ReferralState::codes_list()),
                )
            })?;
            store.write(&actor, |w| cases::set_referral_state(w, referral, state, today()))?;
            out!("Invio: {}.", state.label_it());
        }
        CasesCommand::Plan { case, out } => {
            let case = case_id(&store, case)?;
            let printed = cases::plan_document(&mut store, &actor, case, today())?;
            quartiere_core::files::write_whole(out, &printed.pdf)?;
            out!("{}", printed.id);
        }
        CasesCommand::Close { case, outcome, note, on } => {
            let case = case_id(&store, case)?;
            let input = CloseDraft {
                outcome: outcome.clone(),
                note: note.clone().unwrap_or_default(),
                closed_on: on.clone().unwrap_or_default(),
            }
            .parse(today())?;
            store.write(&actor, |w| cases::close_case(w, case, &input))?;
            out!("Presa in carico chiusa il {}: {}.", format::date(input.closed_on), input.outcome.label_it());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn subject(store: &Store, args: &NoteSubjectArgs) -> Result<NoteSubject, Error> {
    let conn = store.conn();
    Ok(match (&args.person, &args.household, &args.case_file) {
        (Some(p), _, _) => NoteSubject::Person(PersonId(resolve_id(conn, Table::Person, p)?)),
        (_, Some(h), _) => NoteSubject::Household(HouseholdId(resolve_id(conn, Table::Household, h)?)),
        (_, _, Some(c)) => NoteSubject::Case(CaseId(resolve_id(conn, Table::CaseFile, c)?)),
        _ => return Err(Error::invalid("soggetto", "indica --person, --household o --case")),
    })
}

/// Runs a `notes` subcommand.
pub fn notes(cli: &Cli, command: &NotesCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        NotesCommand::List { subject: args, json } => {
            let subject = subject(&store, args)?;
            let list = desk::notes(&mut store, &actor, subject)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for n in &list {
                let edited = if n.history.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (modificata, {})",
                        format::count(n.history.len(), "versione precedente", "versioni precedenti")
                    )
                };
                out!("{}  {} · {}{edited}", n.id, n.written_at.get(..10).unwrap_or(&n.written_at), n.operator);
                out!("    {}", n.body);
            }
            out!("{}.", format::count(list.len(), "nota", "note"));
        }
        NotesCommand::Add { subject: args, text } => {
            let subject = subject(&store, args)?;
            let id = store.write(&actor, |w| desk::add_note(w, subject, text))?;
            out!("{id}");
        }
        NotesCommand::Edit { note, text } => {
            let note = NoteId(resolve_id(store.conn(), Table::Note, note)?);
            let id = store.write(&actor, |w| desk::edit_note(w, note, text))?;
            out!("{id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
