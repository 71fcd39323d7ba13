//! Who runs a command and where: the data folder, signing in as the operator, secrets from the
//! environment or the terminal, dates typed on the command line.

use std::path::PathBuf;

use chrono::{Local, NaiveDate};
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::ids::IdGen;
use quartiere_core::{format, Actor, Error, Store};

use crate::args::Cli;

pub fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    format::parse_date(text).ok_or_else(|| format!("«{text}» non è una data: usa gg/mm/aaaa"))
}

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
