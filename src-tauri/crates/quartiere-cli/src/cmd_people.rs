//! `quartiere people`: search, a person's record, access and erasure requests, retention.

use std::process::ExitCode;

use quartiere_core::ids::PersonId;
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::search::{self, Scope};
use quartiere_core::{format, Error};

use crate::args::{Cli, PeopleCommand};
use crate::output::print_json;
use crate::session::{open, today};

/// Runs a `people` subcommand.
pub fn run(cli: &Cli, command: &PeopleCommand) -> Result<ExitCode, Error> {
    match command {
        PeopleCommand::Search { text, limit, json } => {
            let (store, actor) = open(cli)?;
            let hits = search::search(store.conn(), &actor, &text.join(" "), Scope::PEOPLE, *limit)?;
            if *json {
                print_json(&hits)?;
            } else if hits.is_empty() {
                out!("Nessuna persona trovata.");
            } else {
                for hit in hits {
                    out!("{}  {}\n    {}", hit.id, hit.label, hit.detail);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Move { id, to, relationship, on } => {
            let (mut store, actor) = open(cli)?;
            let person = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let draft = registry::MembershipDraft {
                household: to.clone(),
                relationship: relationship.clone(),
                resident_since: on.clone().unwrap_or_default(),
                tenant_of_record: false,
            };
            let (household, member) = draft.parse(store.conn())?;
            let on = member.resident_since.unwrap_or_else(today);
            store.write(&actor, |w| registry::move_person(w, person, household, on, &member))?;
            out!("Trasferimento registrato il {}.", format::date(on));
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Leave { id, on } => {
            let (mut store, actor) = open(cli)?;
            let person = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let mut errors = Vec::new();
            let on = quartiere_core::draft::date("on", on.as_deref().unwrap_or(""), &mut errors);
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            let on = on.unwrap_or_else(today);
            store.write(&actor, |w| registry::leave_household(w, person, on))?;
            out!("Uscita dal nucleo registrata il {}.", format::date(on));
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Duplicates { json } => {
            let (mut store, actor) = open(cli)?;
            let pairs = registry::duplicates::likely_duplicates(&mut store, &actor)?;
            if *json {
                return print_json(&pairs).map(|_| ExitCode::SUCCESS);
            }
            if pairs.is_empty() {
                out!("Nessun possibile doppione.");
            }
            for pair in &pairs {
                let signs: Vec<&str> = pair.signs.iter().map(|s| s.label()).collect();
                out!("Possibile doppione ({}):", signs.join("; "));
                for side in [&pair.a, &pair.b] {
                    let p = &side.person;
                    let born = crate::output::born_on(p.sex, p.birth_date);
                    let code = p.codice_fiscale.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
                    let lives = side.lives_at.as_deref().map(|a| format!(", abita in {a}")).unwrap_or_default();
                    out!(
                        "  {}  {}{born}{code}{lives}, {}",
                        p.id,
                        p.full_name(),
                        format::count(side.contacts, "contatto", "contatti")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Merge { keep, other, reason } => {
            let (mut store, actor) = open(cli)?;
            let keep = PersonId(registry::resolve_id(store.conn(), Table::Person, keep)?);
            let other = PersonId(registry::resolve_id(store.conn(), Table::Person, other)?);
            let decision = store.write(&actor, |w| registry::duplicates::merge(w, keep, other, reason))?;
            out!("Schede unite (decisione {decision}). Per annullare: quartiere people unmerge {decision}");
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Unmerge { decision } => {
            let (mut store, actor) = open(cli)?;
            let decision = registry::resolve_id(store.conn(), Table::IdentityDecision, decision)?;
            store.write(&actor, |w| registry::duplicates::undo_merge(w, decision))?;
            out!("Unione annullata: le due schede sono di nuovo separate.");
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Merges { json } => {
            let (store, actor) = open(cli)?;
            let merges = registry::duplicates::merges(store.conn(), &actor)?;
            if *json {
                return print_json(&merges).map(|_| ExitCode::SUCCESS);
            }
            if merges.is_empty() {
                out!("Nessuna unione di schede.");
            }
            for m in &merges {
                let undone = m.undone_at.as_deref().map(|_| " [annullata]").unwrap_or_default();
                out!(
                    "{}  {} (tenuta) + {}, {} da {}: {}{undone}",
                    m.id,
                    m.kept_name,
                    m.other_name,
                    chrono::DateTime::parse_from_rfc3339(&m.decided_at)
                        .map(|d| d.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M").to_string())
                        .unwrap_or_else(|_| m.decided_at.clone()),
                    m.decided_by,
                    m.reason
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Distinct { a, b } => {
            let (mut store, actor) = open(cli)?;
            let a = PersonId(registry::resolve_id(store.conn(), Table::Person, a)?);
            let b = PersonId(registry::resolve_id(store.conn(), Table::Person, b)?);
            store.write(&actor, |w| registry::duplicates::mark_distinct(w, a, b))?;
            out!("Registrato: sono persone diverse.");
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Consent { id, kind, version, on } => {
            use quartiere_core::privacy::{self, ConsentKind};
            let Some(kind) = ConsentKind::from_code(kind) else {
                return Err(Error::invalid(
                    "kind",
                    format!("«{kind}» non è un consenso: usa notice, special_categories o images"),
                ));
            };
            let mut errors = Vec::new();
            let on =
                quartiere_core::draft::date("giorno", on.as_deref().unwrap_or(""), &mut errors).unwrap_or_else(today);
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            let (mut store, actor) = open(cli)?;
            let id = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            store.write(&actor, |w| privacy::record_consent(w, id, kind, version, on))?;
            out!("Registrato: {}, versione {version}, il {}.", kind.label(), format::date(on));
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Export { id, file } => {
            let (mut store, actor) = open(cli)?;
            let id = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let files = quartiere_core::privacy::export_person(&mut store, &actor, id, file, today())?;
            out!("Dati esportati in {} e {}.", files.pdf, files.json);
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Erase { id, reason, pseudonymise } => {
            use quartiere_core::privacy::{ErasureMode, ErasureOutcome};
            let (mut store, actor) = open(cli)?;
            let id = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let mode = if *pseudonymise { ErasureMode::Pseudonymise } else { ErasureMode::Erase };
            match quartiere_core::privacy::erase_person(&mut store, &actor, id, mode, reason, today())? {
                ErasureOutcome::Erased => out!("Dati cancellati."),
                ErasureOutcome::Pseudonymised => out!("Dati pseudonimizzati."),
                ErasureOutcome::Held { reason, .. } => {
                    out!("Richiesta registrata, dati conservati: {reason}.");
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Retention { json } => {
            let (store, actor) = open(cli)?;
            let flags = quartiere_core::privacy::retention(&store, &actor, today())?;
            if *json {
                return print_json(&flags).map(|_| ExitCode::SUCCESS);
            }
            for f in &flags {
                out!("{}  {}", f.person_label.as_deref().unwrap_or(""), f.why);
            }
            out!("{} dati da rivedere.", flags.len());
            Ok(ExitCode::SUCCESS)
        }
        PeopleCommand::Show { id, json } => {
            let (mut store, actor) = open(cli)?;
            let id = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let person = registry::get_person(&mut store, &actor, id)?;
            if *json {
                return print_json(&person).map(|_| ExitCode::SUCCESS);
            }
            out!("{}", person.full_name());
            let born = if person.sex == Some('F') { "Nata" } else { "Nato" };
            if let Some(b) = person.birth_date {
                out!("  {born} il {} a {}", format::date(b), person.birth_place.as_deref().unwrap_or("?"));
            }
            for (label, value) in [
                ("Codice fiscale", &person.codice_fiscale),
                ("Cittadinanza", &person.citizenship),
                ("Telefono", &person.phone),
                ("E-mail", &person.email),
            ] {
                if let Some(v) = value {
                    out!("  {label}: {v}");
                }
            }
            if let Some(m) = registry::current_membership(store.conn(), id)? {
                out!("  Nucleo: {}", m.household);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
