//! `quartiere operators`: the desk's operators and their roles (coordinator only).

use std::process::ExitCode;

use quartiere_core::access::Role;
use quartiere_core::accounts;
use quartiere_core::crypto::KdfParams;
use quartiere_core::Error;

use crate::args::{Cli, OperatorsCommand};
use crate::session::{open, secret};

/// Runs an `operators` subcommand.
pub fn run(cli: &Cli, command: &OperatorsCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        OperatorsCommand::List => {
            for o in accounts::operators(&store, &actor)? {
                let here = if o.signs_in_here { "" } else { " (non accede da questa postazione)" };
                out!("{}  {}{here}", o.name, o.role.label());
            }
        }
        OperatorsCommand::Add { name, role } => {
            let role = Role::from_code(role).ok_or_else(|| {
                Error::invalid("role", "ruolo sconosciuto: sportello, tutor, afol, morosita, coordinatore, comune")
            })?;
            let pass = secret("QUARTIERE_NEW_PASSPHRASE", &format!("Parola d'accesso per {name}"))?;
            accounts::add_operator(&mut store, &actor, name, role, &pass, KdfParams::DEFAULT)?;
            out!("Operatore aggiunto: {name} ({})", role.label());
        }
    }
    Ok(ExitCode::SUCCESS)
}
