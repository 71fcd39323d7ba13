//! Setting a desk up and looking at it: `init`, `demo`, `check-cf`, `changes`.

use std::process::ExitCode;

use chrono::Local;
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::crypto::KdfParams;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::format::{self, count};
use quartiere_core::ids::IdGen;
use quartiere_core::registry;
use quartiere_core::{cf, Error};

use crate::args::{ChangesArgs, Cli, DemoArgs, InitArgs};
use crate::output::print_json;
use crate::session::{data_dir, open, secret, today};

/// `quartiere init`: creates the encrypted database and its first operator, the coordinator.
pub fn init(cli: &Cli, args: &InitArgs) -> Result<ExitCode, Error> {
    let InitArgs { desk, operator_name } = args;
    let name = operator_name
        .as_ref()
        .or(cli.operator.as_ref())
        .ok_or_else(|| Error::invalid("as", "indica il primo operatore (il coordinatore) con --as NOME"))?;
    let desk = desk.clone().unwrap_or_else(|| "Postazione".into());
    let pass = secret("QUARTIERE_PASSPHRASE", "Parola d'accesso del coordinatore (almeno 10 caratteri)")?;
    let signed = accounts::create_desk(
        &data_dir(cli)?,
        &desk,
        name,
        &pass,
        KdfParams::DEFAULT,
        Box::new(SystemClock),
        IdGen::from_entropy(),
    )?;
    let (store, actor) = (signed.store, signed.actor);
    out!(
        "Archivio pronto in {}\nPostazione: {}\nOperatore: {}",
        store.path().display(),
        registry::desk_name(store.conn(), actor.desk)?,
        registry::operator_name(store.conn(), actor.operator)?
    );
    Ok(ExitCode::SUCCESS)
}

/// `quartiere demo`: writes a fictional neighbourhood.
pub fn demo(cli: &Cli, args: &DemoArgs) -> Result<ExitCode, Error> {
    let DemoArgs { households, people, seed } = args;
    let (mut store, actor) = open(cli)?;
    let summary = demo::generate(
        &mut store,
        &actor,
        &DemoConfig { households: *households, people: *people, seed: *seed, today: today() },
    )?;
    out!(
        "Quartiere dimostrativo creato: {}, {}, {} allo sportello, {} partner, {} con le presenze, {} con la lista d'attesa, {}, {} firmati, {} del piano di progetto.",
        count(summary.households, "nucleo", "nuclei"),
        count(summary.people, "persona", "persone"),
        count(summary.contacts, "contatto", "contatti"),
        summary.partners,
        count(summary.activities, "attività", "attività"),
        count(summary.courses, "corso o percorso", "corsi e percorsi"),
        count(summary.cases, "presa in carico", "prese in carico"),
        count(summary.plans, "piano di rientro", "piani di rientro"),
        count(summary.actions, "azione", "azioni")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn check_cf(code: &str) -> ExitCode {
    match cf::validate(code) {
        Ok(valid) => {
            let d = valid.decoded();
            let sex = if d.sex == 'F' { "donna, nata" } else { "uomo, nato" };
            let omocode = if d.omocode { " (codice in omocodia)" } else { "" };
            let facts = valid.facts(today());
            // The year as the code gives it, with the century the app would choose.
            let born = facts.as_ref().map_or_else(
                || format!("{:02}/{:02}/..{:02}", d.day, d.month, d.year2),
                |f| format::date(f.birth_date),
            );
            let place = match facts.and_then(|f| f.birth_place) {
                Some(place) => format!(" a {}", place.line()),
                None => format!(", luogo con codice {} (non nella tabella dei comuni)", valid.place_code()),
            };
            out!("{} è formalmente valido{omocode}: {sex} il {born}{place}.", valid.as_str());
            ExitCode::SUCCESS
        }
        Err(e) => {
            out!("{} non è valido: {e}.", code.trim().to_uppercase());
            ExitCode::from(1)
        }
    }
}

/// `quartiere changes`: the latest changes in the change record, never their values.
pub fn changes(cli: &Cli, args: &ChangesArgs) -> Result<ExitCode, Error> {
    let ChangesArgs { limit, json } = args;
    // Who changed what is the coordinator's to see.
    let (store, actor) = open(cli)?;
    quartiere_core::access::require(store.conn(), &actor, quartiere_core::access::Action::Administer)?;
    let last: i64 = store.conn().query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))?;
    let changes = store.changes_since((last - *limit as i64).max(0), *limit)?;
    if *json {
        let rows: Vec<_> = changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "seq": c.seq, "table": c.table.name(), "row_id": c.row_id, "column": c.column,
                    "hlc": c.hlc.0, "desk": c.desk, "operator": c.operator,
                })
            })
            .collect();
        return print_json(&rows).map(|_| ExitCode::SUCCESS);
    }
    // Values are not printed: the change record holds personal data.
    for c in &changes {
        let when = chrono::DateTime::from_timestamp_millis(c.hlc.physical_ms() as i64)
            .map(|t| t.with_timezone(&Local).format("%d/%m/%Y %H:%M:%S").to_string())
            .unwrap_or_default();
        out!(
            "{:>6}  {when}  {}  {}.{}  {}  da {}",
            c.seq,
            registry::operator_name(store.conn(), c.operator)?,
            c.table.name(),
            c.column,
            c.row_id,
            registry::desk_name(store.conn(), c.desk)?
        );
    }
    Ok(ExitCode::SUCCESS)
}
