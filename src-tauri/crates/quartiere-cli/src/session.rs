//! Who runs a command and where: the data folder, signing in as the operator, secrets from the
//! environment or the terminal. What is typed for a record (dates, codes, ids) is read by the
//! core's drafts, as the window's forms are.

use std::path::PathBuf;

use chrono::{Local, NaiveDate};
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::ids::IdGen;
use quartiere_core::{Actor, Error, Store};

use crate::args::Cli;

pub fn data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    if let Some(dir) = &cli.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("it", "Quartiere", "Quartiere")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::invalid("data-dir", "non trovo la cartella dati dell'utente: indica --data-dir"))
}

/// Signs in as the operator named by `--operator` (or $QUARTIERE_OPERATOR) with their passphrase
/// ($QUARTIERE_PASSPHRASE, else asked on the terminal): every command runs as someone.
pub fn open(cli: &Cli) -> Result<(Store, Actor), Error> {
    let Some(name) = &cli.operator else {
        return Err(Error::invalid("operator", "indica chi sei con --operator NOME (o $QUARTIERE_OPERATOR)"));
    };
    let pass = secret("QUARTIERE_PASSPHRASE", "Parola d'accesso")?;
    let signed = accounts::sign_in(&data_dir(cli)?, name, &pass, Box::new(SystemClock), IdGen::from_entropy())?;
    if let Some(warning) = &signed.backup_warning {
        eprintln!("Attenzione: {warning}.");
    }
    Ok((signed.store, signed.actor))
}

pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The team passphrase: from $QUARTIERE_TEAM_PASSPHRASE (scripts, tests), else asked on the terminal.
pub fn passphrase(prompt: &str) -> Result<String, Error> {
    secret("QUARTIERE_TEAM_PASSPHRASE", prompt)
}

/// A secret from the environment variable `var` (scripts, tests), else asked on the terminal.
pub fn secret(var: &str, prompt: &str) -> Result<String, Error> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    eprint!("{prompt}: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
