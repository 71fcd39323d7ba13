//! `quartiere backup`: the desk's encrypted backups (coordinator only).

use std::process::ExitCode;

use quartiere_core::clock::SystemClock;
use quartiere_core::ids::IdGen;
use quartiere_core::Error;

use crate::args::{BackupCommand, Cli};
use crate::output::print_json;
use crate::session::{data_dir, open, secret};

/// Runs a `backup` subcommand.
pub fn run(cli: &Cli, command: &BackupCommand) -> Result<ExitCode, Error> {
    match command {
        BackupCommand::List { json } => {
            let (store, actor) = open(cli)?;
            let list = quartiere_core::backup::list(&store, &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for b in &list {
                out!("{}  {}  {} byte  {}", b.made_at, b.reason.label(), b.bytes, b.path);
            }
            out!("{}.", quartiere_core::format::count(list.len(), "copia", "copie"));
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Now => {
            let (mut store, actor) = open(cli)?;
            let made =
                quartiere_core::backup::backup_now(&mut store, &actor, quartiere_core::backup::BackupReason::Manual)?;
            out!("Copia di sicurezza fatta in {}.", made.path);
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Restore { dir } => {
            let Some(name) = &cli.operator else {
                return Err(Error::invalid("operator", "indica chi sei con --operator NOME (o $QUARTIERE_OPERATOR)"));
            };
            let pass = secret("QUARTIERE_PASSPHRASE", "Parola d'accesso (valida alla data della copia)")?;
            let data = data_dir(cli)?;
            std::fs::create_dir_all(&data)?;
            let signed =
                quartiere_core::backup::restore(&data, dir, name, &pass, Box::new(SystemClock), IdGen::from_entropy())?;
            drop(signed);
            out!(
                "Copia {} ripristinata in {}. Se la postazione era collegata alle altre, collegala di nuovo con \
                 «quartiere desk enrol».",
                dir.display(),
                data.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
