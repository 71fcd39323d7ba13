//! `quartiere`: the command line over Quartiere's core. Each command parses its arguments, calls
//! the core and prints the result; errors are one Italian sentence on stderr and a non-zero exit.
//!
//! `args` holds the arguments, `session` who runs a command and where, `output` what is printed;
//! each `cmd_*` module is one group of subcommands, as the shell's `commands/` and the core's
//! modules are split.

#[macro_use]
mod output;
mod args;
mod args_project;
mod cmd_actions;
mod cmd_activities;
mod cmd_arrears;
mod cmd_audit;
mod cmd_backup;
mod cmd_cases;
mod cmd_desk;
mod cmd_households;
mod cmd_import;
mod cmd_operators;
mod cmd_people;
mod cmd_project;
mod cmd_setup;
mod cmd_sync;
mod cmd_training;
mod session;

use std::process::ExitCode;

use clap::Parser;
use quartiere_core::Error;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("errore: {e}");
            ExitCode::from(2)
        }
    }
}

/// Sends each command to its group's module.
fn run(cli: &Cli) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::CheckCf { code } => Ok(cmd_setup::check_cf(code)),
        Command::Init(args) => cmd_setup::init(cli, args),
        Command::Demo(args) => cmd_setup::demo(cli, args),
        Command::Changes(args) => cmd_setup::changes(cli, args),
        Command::Import(args) => cmd_import::run(cli, args),
        Command::People(command) => cmd_people::run(cli, command),
        Command::Households(command) => cmd_households::run(cli, command),
        Command::Desk(command) => cmd_desk::run(cli, command),
        Command::Sync(args) => cmd_sync::run(cli, args),
        Command::Operators(command) => cmd_operators::run(cli, command),
        Command::Backup(command) => cmd_backup::run(cli, command),
        Command::Audit(command) => cmd_audit::run(cli, command),
        Command::Activities(command) => cmd_activities::run(cli, command),
        Command::Sheet { activity, out } => cmd_activities::sheet(cli, activity, out),
        Command::Attendance(args) => cmd_activities::attendance(cli, args),
        Command::Training(command) => cmd_training::run(cli, command),
        Command::Cases(command) => cmd_cases::run(cli, command),
        Command::Plans(command) => cmd_arrears::plans(cli, command),
        Command::Statement(command) => cmd_arrears::statement(cli, command),
        Command::Arrears(command) => cmd_arrears::arrears(cli, command),
        Command::Notes(command) => cmd_cases::notes(cli, command),
        Command::Stats(args) => cmd_project::stats(cli, args),
        Command::Targets(command) => cmd_project::targets(cli, command),
        Command::Export(command) => cmd_project::export(cli, command),
        Command::Actions(command) => cmd_actions::run(cli, command),
    }
}
