//! `quartiere desk`: recording and listing desk contacts, and enrolling the desk in a sync team.

use std::process::ExitCode;

use chrono::{Local, NaiveDateTime};
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::crypto::KdfParams;
use quartiere_core::desk::{self, ContactFilter, DeskContactInput, ReferralInput, ReferralTarget};
use quartiere_core::ids::{HouseholdId, PartnerId, PersonId};
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::sync::{self};
use quartiere_core::{text, Actor, Error, Store};

use crate::args::{Cli, DeskAdd, DeskCommand};
use crate::output::{print_contact, print_json};
use crate::session::{open, passphrase, today};

/// Runs a `desk` subcommand.
pub fn run(cli: &Cli, command: &DeskCommand) -> Result<ExitCode, Error> {
    match command {
        DeskCommand::Add(args) => add(cli, args),
        DeskCommand::Enrol { folder, name, recovery_code } => {
            let (mut store, actor) = open(cli)?;
            let outcome = match recovery_code {
                Some(code) => sync::enrol_with_recovery_code(&mut store, &actor, folder, code, name)?,
                None => {
                    let passphrase = passphrase("Passphrase del gruppo")?;
                    sync::enrol(&mut store, &actor, folder, &passphrase, name, KdfParams::DEFAULT)?
                }
            };
            if outcome.created_team {
                out!("Gruppo creato nella cartella {}.", folder.display());
            }
            out!("Postazione «{name}» registrata (id {}).", outcome.desk_id);
            if let Some(code) = outcome.recovery_code {
                out!("Codice di recupero della chiave del gruppo: stampalo e conservalo in un luogo sicuro.");
                out!("{code}");
            }
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::List { from, to, follow_ups, limit, json } => {
            let (mut store, actor) = open(cli)?;
            let filter = ContactFilter {
                from: *from,
                to: *to,
                follow_up_due_by: follow_ups.then(today),
                limit: Some(*limit),
                ..Default::default()
            };
            let contacts = desk::list_contacts(&mut store, &actor, &filter)?;
            if *json {
                return print_json(&contacts).map(|_| ExitCode::SUCCESS);
            }
            if contacts.is_empty() {
                out!("Nessun contatto.");
            }
            for c in &contacts {
                print_contact(c);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(cli: &Cli, args: &DeskAdd) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let conn = store.conn();
    let person =
        args.person.as_deref().map(|p| registry::resolve_id(conn, Table::Person, p).map(PersonId)).transpose()?;
    let household = args
        .household
        .as_deref()
        .map(|h| registry::resolve_id(conn, Table::Household, h).map(HouseholdId))
        .transpose()?;
    let channel = Channel::from_code(&args.channel).ok_or_else(|| {
        Error::invalid("canale", format!("«{}» non è un canale: usa uno tra {}", args.channel, Channel::codes_list()))
    })?;
    let topics = args
        .topics
        .iter()
        .map(|t| {
            Topic::from_code(&text::fold(t).replace(' ', "_")).ok_or_else(|| {
                Error::invalid("tema", format!("«{t}» non è un tema: usa uno tra {}", Topic::codes_list()))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let occurred_at = match &args.at {
        None => Local::now().naive_local(),
        Some(text) => parse_datetime(text)?,
    };
    let mut referrals = Vec::new();
    if let Some(target) = &args.refer_to {
        let target = if text::fold(target).replace(' ', "-") == "servizio-sociale" {
            ReferralTarget::ServizioSociale
        } else {
            ReferralTarget::Partner(find_partner(&store, &actor, target)?)
        };
        referrals.push(ReferralInput { target, reason: args.reason.clone() });
    }
    let input = DeskContactInput {
        occurred_at,
        operator: actor.operator,
        person,
        household,
        channel,
        topics,
        note: args.note.clone(),
        follow_up_on: args.follow_up,
        referrals,
    };
    let id = store.write(&actor, |w| desk::add_contact(w, &input))?;
    out!("Contatto registrato: {id}");
    Ok(ExitCode::SUCCESS)
}

fn parse_datetime(text: &str) -> Result<NaiveDateTime, Error> {
    for fmt in ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text.trim(), fmt) {
            return Ok(t);
        }
    }
    Err(Error::invalid("quando", format!("«{text}» non è una data e ora: usa gg/mm/aaaa hh:mm")))
}

fn find_partner(store: &Store, actor: &Actor, name: &str) -> Result<PartnerId, Error> {
    let wanted = text::fold(name);
    let matches: Vec<_> = registry::list_partners(store.conn(), actor)?
        .into_iter()
        .filter(|p| text::fold(&p.fields.name).contains(&wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id),
        [] => Err(Error::NotFound { what: "partner", key: name.into() }),
        _ => Err(Error::Ambiguous { key: name.into() }),
    }
}
