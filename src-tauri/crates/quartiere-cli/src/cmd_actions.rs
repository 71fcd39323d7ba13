//! `quartiere actions`: the project plan (actions with owner, dates, status, budget and spent).

use std::process::ExitCode;

use quartiere_core::ids::{ActivityId, CaseId, PartnerId, PlanActionId};
use quartiere_core::project::{self, ActionDraft, ActionView, LinkTarget};
use quartiere_core::registry::resolve_id;
use quartiere_core::schema::Table;
use quartiere_core::{format, Error, Store};

use crate::args::Cli;
use crate::args_project::{ActionFields, ActionsCommand, LinkArgs};
use crate::output::print_json;
use crate::session::{open, today};

fn action_id(store: &Store, key: &str) -> Result<PlanActionId, Error> {
    resolve_id(store.conn(), Table::PlanAction, key).map(PlanActionId)
}

fn target(store: &Store, activity: &Option<String>, case: &Option<String>) -> Result<LinkTarget, Error> {
    match (activity, case) {
        (Some(a), _) => Ok(LinkTarget::Activity(ActivityId(resolve_id(store.conn(), Table::Activity, a)?))),
        (None, Some(c)) => Ok(LinkTarget::Case(CaseId(resolve_id(store.conn(), Table::CaseFile, c)?))),
        (None, None) => Err(Error::invalid("attivita", "indica --activity ID oppure --case ID")),
    }
}

/// The draft with the given fields over `base`; a partner given as the start of its id is resolved.
fn overlay(store: &Store, base: ActionDraft, f: &ActionFields) -> Result<ActionDraft, Error> {
    let pick = |given: &Option<String>, old: String| given.clone().unwrap_or(old);
    let partner_id = match &f.partner {
        Some(p) if p.trim().is_empty() => String::new(),
        Some(p) => PartnerId(resolve_id(store.conn(), Table::Partner, p)?).to_string(),
        None => base.partner_id,
    };
    Ok(ActionDraft {
        axis: pick(&f.axis, base.axis),
        title: pick(&f.title, base.title),
        partner_id,
        owner_name: pick(&f.owner, base.owner_name),
        starts_on: pick(&f.start, base.starts_on),
        due_on: pick(&f.due, base.due_on),
        // A new status clears the old closing day unless one is given.
        done_on: match (&f.done, &f.status) {
            (Some(d), _) => d.clone(),
            (None, Some(_)) => String::new(),
            (None, None) => base.done_on,
        },
        status: pick(&f.status, base.status),
        budget: pick(&f.budget, base.budget),
        spent: pick(&f.spent, base.spent),
    })
}

fn line(a: &ActionView) -> String {
    let owner = match (&a.partner_name, &a.fields.owner_name) {
        (Some(p), Some(o)) => format!("{o} ({p})"),
        (Some(p), None) => p.clone(),
        (None, Some(o)) => o.clone(),
        (None, None) => String::new(),
    };
    let due = a.fields.due_on.map(|d| format!(" · entro il {}", format::date(d))).unwrap_or_default();
    let late = a
        .days_late
        .map(|d| format!(" · IN RITARDO di {}", format::count(d as usize, "giorno", "giorni")))
        .unwrap_or_default();
    let over = if a.over_budget { " · oltre il budget" } else { "" };
    format!(
        "{}  {} · {} · {owner} · {}{due}{late} · speso {} di {}{over}",
        a.id,
        a.fields.axis.label_it(),
        a.fields.title,
        a.fields.status.label_it(),
        format::money(a.fields.spent),
        format::money(a.fields.budget)
    )
}

/// Runs an `actions` subcommand.
pub fn run(cli: &Cli, command: &ActionsCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        ActionsCommand::List { late, json } => {
            let plan = project::plan(&store, &actor, today())?;
            let actions: Vec<&ActionView> = plan.actions.iter().filter(|a| !*late || a.days_late.is_some()).collect();
            if *json {
                return if *late { print_json(&actions) } else { print_json(&plan) }.map(|_| ExitCode::SUCCESS);
            }
            for a in &actions {
                out!("{}", line(a));
            }
            out!(
                "{}; {} in ritardo. Budget {}, speso {}.",
                format::count(actions.len(), "azione", "azioni"),
                plan.late,
                format::money(plan.budget),
                format::money(plan.spent)
            );
        }
        ActionsCommand::Show { id, json } => {
            let id = action_id(&store, id)?;
            let a = project::action(&store, &actor, id, today())?;
            if *json {
                return print_json(&a).map(|_| ExitCode::SUCCESS);
            }
            out!("{}", line(&a));
            for t in &a.activities {
                out!("  attività: {} · {} · {}", format::date(t.date), t.kind.label_it(), t.title);
            }
            for c in &a.cases {
                out!("  presa in carico: {} · {} · dal {}", c.id, c.axis.label_it(), format::date(c.opened_on));
            }
        }
        ActionsCommand::Add { fields, json } => {
            let input = overlay(&store, ActionDraft::default(), fields)?.parse(today())?;
            let id = store.write(&actor, |w| project::add_action(w, &input))?;
            if *json {
                return print_json(&serde_json::json!({ "id": id })).map(|_| ExitCode::SUCCESS);
            }
            out!("{id}");
        }
        ActionsCommand::Edit { id, fields } => {
            let id = action_id(&store, id)?;
            let old = project::action(&store, &actor, id, today())?;
            let input = overlay(&store, ActionDraft::from(&old.fields), fields)?.parse(today())?;
            store.write(&actor, |w| project::edit_action(w, id, &input))?;
            out!("Azione aggiornata: {}.", input.title);
        }
        ActionsCommand::Link(LinkArgs { id, activity, case }) => {
            let id = action_id(&store, id)?;
            let target = target(&store, activity, case)?;
            store.write(&actor, |w| project::link(w, id, target))?;
            out!("Collegata.");
        }
        ActionsCommand::Unlink(LinkArgs { id, activity, case }) => {
            let id = action_id(&store, id)?;
            let target = target(&store, activity, case)?;
            store.write(&actor, |w| project::unlink(w, id, target))?;
            out!("Scollegata.");
        }
        ActionsCommand::Remove { id } => {
            let id = action_id(&store, id)?;
            store.write(&actor, |w| project::remove_action(w, id))?;
            out!("Azione tolta dal piano.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
