//! `quartiere audit`: checking the audit log's chains and exporting it for the DPO.

use std::process::ExitCode;

use quartiere_core::format::count;
use quartiere_core::Error;

use crate::args::{AuditCommand, Cli};
use crate::output::print_json;
use crate::session::open;

/// Runs an `audit` subcommand.
pub fn run(cli: &Cli, command: &AuditCommand) -> Result<ExitCode, Error> {
    match command {
        AuditCommand::Check { json } => {
            let (store, actor) = open(cli)?;
            let report = quartiere_core::audit::verify(&store, &actor)?;
            if *json {
                print_json(&report)?;
            } else if report.intact() {
                out!(
                    "Registro integro: {} di {}.",
                    count(report.events, "evento", "eventi"),
                    count(report.desks, "postazione", "postazioni")
                );
            } else {
                out!("Il registro è stato alterato:");
                for p in &report.problems {
                    out!("  {} evento n. {}: {}", p.desk, p.seq, p.what);
                }
            }
            Ok(if report.intact() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        AuditCommand::Export { file } => {
            let (mut store, actor) = open(cli)?;
            let report = quartiere_core::audit::export_for_dpo(&mut store, &actor, file)?;
            out!(
                "Registro esportato in {} e {}: {} eventi, {}.",
                file.display(),
                file.with_extension("csv").display(),
                report.events,
                if report.intact() { "catena integra" } else { "ATTENZIONE: catena alterata" }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
