//! `quartiere desk`: recording and listing desk contacts, and enrolling the desk in a sync team.

use std::process::ExitCode;

use chrono::Local;
use quartiere_core::crypto::KdfParams;
use quartiere_core::desk::{self, ContactDraft, ContactFilterDraft};
use quartiere_core::sync;
use quartiere_core::Error;

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
                    let passphrase = passphrase("Parola d'accesso del gruppo")?;
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
        DeskCommand::Done { contact } => {
            let (mut store, actor) = open(cli)?;
            let id = quartiere_core::ids::DeskContactId(quartiere_core::registry::resolve_id(
                store.conn(),
                quartiere_core::schema::Table::DeskContact,
                contact,
            )?);
            store.write(&actor, |w| desk::complete_follow_up(w, id, today()))?;
            out!("Richiamo segnato come fatto oggi.");
            Ok(ExitCode::SUCCESS)
        }
        DeskCommand::List { from, to, person, household, topic, follow_ups, limit, json } => {
            let (mut store, actor) = open(cli)?;
            let draft = ContactFilterDraft {
                from: from.clone().unwrap_or_default(),
                to: to.clone().unwrap_or_default(),
                person: person.clone().unwrap_or_default(),
                household: household.clone().unwrap_or_default(),
                topic: topic.clone().unwrap_or_default(),
                follow_ups_only: *follow_ups,
            };
            let filter = draft.parse(store.conn(), today(), *limit)?;
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

/// `quartiere desk add`: the contact as typed, read by the core as the window's is.
fn add(cli: &Cli, args: &DeskAdd) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let draft = ContactDraft {
        occurred_at: args.at.clone().unwrap_or_default(),
        person: args.person.clone().unwrap_or_default(),
        household: args.household.clone().unwrap_or_default(),
        channel: args.channel.clone(),
        topics: args.topics.clone(),
        note: args.note.clone().unwrap_or_default(),
        follow_up_on: args.follow_up.clone().unwrap_or_default(),
        refer_to: args.refer_to.clone().unwrap_or_default(),
        referral_reason: args.reason.clone(),
    };
    let input = draft.parse(store.conn(), &actor, Local::now().naive_local())?;
    let id = store.write(&actor, |w| desk::add_contact(w, &input))?;
    out!("Contatto registrato: {id}");
    Ok(ExitCode::SUCCESS)
}
