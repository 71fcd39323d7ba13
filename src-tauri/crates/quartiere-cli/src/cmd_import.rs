//! `quartiere import`: the Comune's lists.

use std::io::IsTerminal;
use std::process::ExitCode;

use quartiere_core::error::FieldError;
use quartiere_core::ids::PersonId;
use quartiere_core::import::{self, Decision, ImportOptions, ImportPhase, ImportProgress};
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::Error;

use crate::args::{Cli, ImportArgs};
use crate::output::{print_import_report, print_json};
use crate::session::{open, today};

/// `quartiere import`: checks a list, and imports it unless `--dry-run`. A row in doubt is asked
/// about in the report and answered with `--same RIGA=ID` or `--new RIGA` on the next run.
pub fn run(cli: &Cli, args: &ImportArgs) -> Result<ExitCode, Error> {
    let ImportArgs { file, dry_run, same, new, json } = args;
    let (mut store, actor) = open(cli)?;
    let mut decisions: Vec<Decision> = new.iter().map(|&row| Decision { row, person: None }).collect();
    for answer in same {
        let Some((row, id)) = answer.split_once('=') else {
            return Err(Error::Invalid(vec![FieldError::new(
                "same",
                format!("«{answer}» non è una risposta: scrivi RIGA=ID, ad esempio 12=01934a"),
            )]));
        };
        let row: usize = row
            .trim()
            .parse()
            .map_err(|_| Error::Invalid(vec![FieldError::new("same", format!("«{row}» non è un numero di riga"))]))?;
        let person = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
        decisions.push(Decision { row, person: Some(person) });
    }
    let options = ImportOptions { dry_run: *dry_run, decisions, ..ImportOptions::new(today()) };
    let sheet = import::read_sheet(file)?;
    let show_progress = !*json && std::io::stderr().is_terminal();
    let report = import::import_sheet_with_progress(&mut store, &actor, sheet, options, &mut |step| {
        if show_progress {
            print_progress(step);
        }
    })?;
    if show_progress {
        eprint!("\r\x1b[K");
    }
    if *json {
        print_json(&report)?;
    } else {
        print_import_report(&report, *dry_run);
    }
    Ok(if report.errors.is_empty() && report.people_to_decide == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One line on the terminal, rewritten in place: the phase and how far it has gone.
fn print_progress(step: ImportProgress) {
    let phase = match step.phase {
        ImportPhase::Checking => "Controllo delle righe",
        ImportPhase::Writing => "Scrittura degli alloggi",
    };
    let percent = (step.done * 100).checked_div(step.total).unwrap_or(100);
    eprint!("\r\x1b[K{phase}: {} di {} ({percent}%)", step.done, step.total);
}
