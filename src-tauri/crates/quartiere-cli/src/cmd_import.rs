//! `quartiere import`: the Comune's lists.

use std::process::ExitCode;

use quartiere_core::import::{self, ImportOptions};
use quartiere_core::Error;

use crate::args::{Cli, ImportArgs};
use crate::output::{print_import_report, print_json};
use crate::session::{open, today};

/// `quartiere import`: checks a list, and imports it unless `--dry-run`.
pub fn run(cli: &Cli, args: &ImportArgs) -> Result<ExitCode, Error> {
    let ImportArgs { file, dry_run, json } = args;
    let (mut store, actor) = open(cli)?;
    let report = import::import_file(&mut store, &actor, file, ImportOptions { dry_run: *dry_run, today: today() })?;
    if *json {
        print_json(&report)?;
    } else {
        print_import_report(&report, *dry_run);
    }
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
