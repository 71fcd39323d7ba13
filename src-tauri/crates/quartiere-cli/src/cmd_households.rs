//! `quartiere households`: the current households and one household's record.

use std::process::ExitCode;

use quartiere_core::desk::{self, ContactFilter};
use quartiere_core::ids::HouseholdId;
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::Error;

use crate::args::{Cli, HouseholdsCommand};
use crate::output::{print_household, print_json};
use crate::session::open;

/// Runs a `households` subcommand.
pub fn run(cli: &Cli, command: &HouseholdsCommand) -> Result<ExitCode, Error> {
    match command {
        HouseholdsCommand::List { json } => {
            let (store, actor) = open(cli)?;
            let list = registry::list_households(store.conn(), &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for h in &list {
                let tenant = h.tenant_of_record.as_deref().unwrap_or("(intestatario non indicato)");
                let members = quartiere_core::format::count(h.members, "componente", "componenti");
                out!("{}  {} · {} · {members}", h.id, h.address, tenant);
            }
            out!("{}.", quartiere_core::format::count(list.len(), "nucleo", "nuclei"));
            Ok(ExitCode::SUCCESS)
        }
        HouseholdsCommand::Show { id, json } => {
            let (mut store, actor) = open(cli)?;
            let id = HouseholdId(registry::resolve_id(store.conn(), Table::Household, id)?);
            let detail = registry::household_detail(&mut store, &actor, id)?;
            let contacts =
                desk::list_contacts(&mut store, &actor, &ContactFilter { household: Some(id), ..Default::default() })?;
            if *json {
                let value = serde_json::json!({ "household": detail, "contacts": contacts });
                return print_json(&value).map(|_| ExitCode::SUCCESS);
            }
            print_household(&detail, &contacts);
            Ok(ExitCode::SUCCESS)
        }
    }
}
