//! `quartiere sync`: one sync, the status, conflicts, unlocking and rotating the team key.

use std::process::ExitCode;

use chrono::Local;
use quartiere_core::crypto::KdfParams;
use quartiere_core::format::count;
use quartiere_core::sync::{self, ConflictChoice};
use quartiere_core::Error;

use crate::args::{Cli, SyncArgs, SyncCommand};
use crate::output::print_json;
use crate::session::{open, passphrase};

pub fn run(cli: &Cli, args: &SyncArgs) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match &args.command {
        Some(SyncCommand::Status { json }) => {
            let status = sync::status(&store, &actor)?;
            if *json || args.json {
                return print_json(&status).map(|_| ExitCode::SUCCESS);
            }
            if !status.enrolled {
                out!("Postazione non registrata: usa `quartiere desk enrol --folder CARTELLA --name NOME`.");
                return Ok(ExitCode::SUCCESS);
            }
            out!("Cartella: {}", status.folder.clone().unwrap_or_default());
            out!("Ultima sincronizzazione: {}", status.last_sync_at.as_deref().map(show_time).unwrap_or("mai".into()));
            out!("Modifiche da pubblicare: {}", status.unpublished_changes);
            for d in &status.desks {
                out!(
                    "  {}{}{}{}: pacchetto n. {}{}",
                    d.name,
                    if d.this_desk { " (questa)" } else { "" },
                    if d.removed { " (rimossa)" } else { "" },
                    if d.replaced { " (sostituita da una nuova registrazione)" } else { "" },
                    d.last_seq,
                    d.last_bundle_at.as_deref().map(|t| format!(" del {}", show_time(t))).unwrap_or_default()
                );
            }
            print_problems(&status.refused, &status.warnings, status.open_conflicts, status.blocked.as_deref());
            if status.new_key_waiting {
                out!("C'è una nuova chiave del gruppo: usa `quartiere sync unlock` con la nuova parola d'accesso del gruppo.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::Conflicts { json }) => {
            let list = sync::conflicts(&store, &actor)?;
            if *json || args.json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            if list.is_empty() {
                out!("Nessun conflitto da rivedere.");
            }
            for c in &list {
                out!(
                    "#{} {} «{}», campo {}: ora «{}» ({}); l'altra postazione aveva «{}» ({}, {})",
                    c.id,
                    c.record_kind,
                    c.record_label,
                    c.field,
                    c.current_value,
                    c.current_desk,
                    c.other_value,
                    c.other_desk,
                    c.other_operator
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::Resolve { id, keep }) => {
            let choice = match keep.as_str() {
                "attuale" | "current" => ConflictChoice::Current,
                "altro" | "other" => ConflictChoice::Other,
                _ => return Err(Error::invalid("keep", "scrivi «attuale» oppure «altro»")),
            };
            sync::resolve_conflict(&mut store, &actor, *id, choice)?;
            out!("Conflitto #{id} risolto: la scelta arriverà alle altre postazioni alla prossima sincronizzazione.");
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::Unlock) => {
            let passphrase = passphrase("Nuova parola d'accesso del gruppo")?;
            let learned = sync::unlock(&mut store, &actor, &passphrase)?;
            out!("Chiavi nuove aperte: {learned}.");
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::Rotate { remove }) => {
            let status = sync::status(&store, &actor)?;
            let mut desks = Vec::new();
            for prefix in remove {
                let matches: Vec<_> =
                    status.desks.iter().filter(|d| d.desk_id.to_string().starts_with(prefix.as_str())).collect();
                match matches.as_slice() {
                    [one] => desks.push(one.desk_id),
                    [] => return Err(Error::NotFound { what: "postazione", key: prefix.clone() }),
                    _ => return Err(Error::Ambiguous { key: prefix.clone() }),
                }
            }
            let passphrase = passphrase("Nuova parola d'accesso del gruppo")?;
            let code = sync::rotate_key(&mut store, &actor, &passphrase, &desks, KdfParams::DEFAULT)?;
            out!("Nuova chiave del gruppo creata. Le altre postazioni la aprono con la nuova parola d'accesso del gruppo.");
            out!("Nuovo codice di recupero: stampalo e conservalo in un luogo sicuro.");
            out!("{code}");
            Ok(ExitCode::SUCCESS)
        }
        None => {
            if let Some(folder) = &args.folder {
                let status = sync::status(&store, &actor)?;
                match &status.folder {
                    None => {
                        return Err(Error::invalid(
                            "cartella",
                            "postazione non registrata: usa prima `quartiere desk enrol --folder CARTELLA --name NOME`",
                        ))
                    }
                    Some(known) if std::path::Path::new(known) != folder.as_path() => {
                        return Err(Error::invalid(
                            "cartella",
                            format!("questa postazione è registrata con la cartella {known}, non {}", folder.display()),
                        ))
                    }
                    Some(_) => {}
                }
            }
            let report = sync::sync_with(&mut store, &actor, args.snapshot, &mut |_| {})?;
            if args.json {
                print_json(&report)?;
            } else {
                out!(
                    "Ricevuti: {} ({}); pubblicato: {}.",
                    count(report.bundles_applied, "pacchetto", "pacchetti"),
                    count(report.changes_applied, "modifica", "modifiche"),
                    match report.published_seq {
                        Some(seq) => {
                            format!(
                                "pacchetto n. {seq} con {}",
                                count(report.published_changes, "modifica", "modifiche")
                            )
                        }
                        None => "niente di nuovo".into(),
                    }
                );
                if let Some(s) = &report.snapshot_loaded {
                    out!("Postazione avviata dall'istantanea {s}.");
                }
                for s in &report.gaps_filled {
                    out!("Pacchetti già tolti dalla cartella recuperati dall'istantanea {s}.");
                }
                print_problems(&report.refused, &report.warnings, report.new_conflicts, None);
            }
            Ok(if report.refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

fn show_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Local).format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn print_problems(refused: &[sync::RefusedFile], warnings: &[String], conflicts: u32, blocked: Option<&str>) {
    if let Some(reason) = blocked {
        out!("ATTENZIONE: {reason}");
    }
    for r in refused {
        out!("File rifiutato {}: {}", r.path, r.reason);
    }
    for w in warnings {
        out!("Avviso: {w}");
    }
    if conflicts > 0 {
        out!("Conflitti da rivedere: {conflicts} (`quartiere sync conflicts`).");
    }
}
