//! `quartiere`: the command line over Quartiere's core. Each command parses its arguments, calls
//! the core and prints the result; errors are one Italian sentence on stderr and a non-zero exit.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, NaiveDate, NaiveDateTime};
use clap::{Args, Parser, Subcommand};
use quartiere_core::access::Role;
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::codes::{Channel, Topic};
use quartiere_core::crypto::KdfParams;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::desk::{self, ContactFilter, DeskContactInput, ReferralInput, ReferralTarget};
use quartiere_core::ids::{HouseholdId, IdGen, PartnerId, PersonId};
use quartiere_core::import::{self, ImportOptions, ImportReport};
use quartiere_core::registry;
use quartiere_core::schema::Table;
use quartiere_core::search::{self, Scope};
use quartiere_core::sync::{self, ConflictChoice};
use quartiere_core::{cf, format, text, Actor, Error, Store};

/// Prints a line to stdout; a closed pipe (`quartiere ... | head`) ends the program quietly
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

#[derive(Parser)]
#[command(name = "quartiere", version, about = "Quartiere: il laboratorio sociale di quartiere, da riga di comando")]
struct Cli {
    /// Cartella dei dati (predefinita: la cartella dati dell'utente, o $QUARTIERE_DATA_DIR).
    #[arg(long, global = true, env = "QUARTIERE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Operatore che esegue le scritture (predefinito: quello impostato con `init`).
    #[arg(long, global = true, env = "QUARTIERE_OPERATOR")]
    operator: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crea l'archivio (se manca) e imposta il nome della postazione e dell'operatore.
    Init {
        #[arg(long)]
        desk: Option<String>,
        #[arg(long = "as")]
        operator_name: Option<String>,
    },
    /// Genera un quartiere dimostrativo (dati di fantasia).
    Demo {
        #[arg(long, default_value_t = 133)]
        households: usize,
        /// Genera nuclei fino ad arrivare ad almeno questo numero di persone.
        #[arg(long)]
        people: Option<usize>,
        #[arg(long, default_value_t = 2019)]
        seed: u64,
    },
    /// Importa l'elenco dei nuclei inviato dal Comune o dall'ente gestore (CSV, XLSX, XLS, ODS).
    Import {
        file: PathBuf,
        /// Controlla e mostra cosa cambierebbe, senza scrivere nulla.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Controlla un codice fiscale (uscita 0 se valido, 1 se non valido).
    CheckCf { code: String },
    /// Persone: ricerca e scheda.
    #[command(subcommand)]
    People(PeopleCommand),
    /// Nuclei familiari: elenco e scheda.
    #[command(subcommand)]
    Households(HouseholdsCommand),
    /// Sportello di ascolto: registra ed elenca i contatti.
    #[command(subcommand)]
    Desk(DeskCommand),
    /// Sincronizza con le altre postazioni attraverso la cartella condivisa.
    Sync(SyncArgs),
    /// Operatori della postazione e loro ruoli (solo il coordinatore).
    #[command(subcommand)]
    Operators(OperatorsCommand),
    /// Copie di sicurezza cifrate: elenco, copia adesso, ripristino (solo il coordinatore).
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Registro degli accessi: verifica della catena ed esportazione per il DPO (solo il coordinatore).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Le ultime modifiche registrate (chi, quando, da quale postazione).
    Changes {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Elenca le copie della postazione, dalla più recente.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Fa una copia adesso.
    Now,
    /// Rimette in uso la copia nella cartella DIR (l'archivio attuale viene messo da parte). Funziona
    /// anche su una cartella dati vuota: la postazione rinasce dalla copia.
    Restore { dir: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verifica la catena di ogni postazione (uscita 1 se il registro è stato alterato).
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Esporta tutto il registro in FILE (JSON con le impronte) e accanto in CSV.
    Export { file: PathBuf },
}

#[derive(Subcommand)]
enum OperatorsCommand {
    /// Elenca gli operatori e il loro ruolo.
    List,
    /// Aggiunge un operatore; la sua parola d'accesso si legge da $QUARTIERE_NEW_PASSPHRASE o si chiede.
    Add {
        name: String,
        /// sportello, tutor, afol, morosita, coordinatore, comune.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// Cerca per cognome, nome, codice fiscale o indirizzo (senza badare ad accenti e apostrofi).
    Search {
        text: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Mostra la scheda di una persona.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Richiesta di accesso: scrive tutti i dati della persona in FILE.pdf e FILE.json (coordinatore).
    Export { id: String, file: PathBuf },
    /// Richiesta di cancellazione (coordinatore): cancella i dati della persona ovunque, salvo vincolo FSE.
    Erase {
        id: String,
        /// Come è arrivata la richiesta.
        #[arg(long)]
        reason: String,
        /// Tiene sesso, cittadinanza e dati FSE per le statistiche.
        #[arg(long)]
        pseudonymise: bool,
    },
    /// Dati conservati oltre i tempi previsti, da rivedere (coordinatore).
    Retention {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum HouseholdsCommand {
    /// Elenca i nuclei attuali, per indirizzo.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Mostra un nucleo: alloggio, componenti attuali e passati, contatti.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DeskCommand {
    /// Registra un contatto allo sportello.
    Add(DeskAdd),
    /// Registra questa postazione nel gruppo di sincronizzazione (crea il gruppo se la cartella è vuota).
    /// La passphrase si legge da $QUARTIERE_TEAM_PASSPHRASE o si chiede al terminale.
    Enrol {
        #[arg(long)]
        folder: PathBuf,
        /// Nome della postazione, per esempio «Sportello Mezzetta».
        #[arg(long)]
        name: String,
        /// Usa il codice di recupero su carta invece della passphrase.
        #[arg(long)]
        recovery_code: Option<String>,
    },
    /// Elenca i contatti.
    List {
        #[arg(long, value_parser = parse_date_arg)]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date_arg)]
        to: Option<NaiveDate>,
        /// Solo i richiami da fare entro oggi.
        #[arg(long)]
        follow_ups: bool,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct SyncArgs {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    /// La cartella condivisa (deve essere quella con cui la postazione è registrata).
    #[arg(long)]
    folder: Option<PathBuf>,
    /// Scrive anche un'istantanea completa, per le postazioni nuove.
    #[arg(long)]
    snapshot: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Stato: postazioni, ultimi pacchetti, file rifiutati, conflitti.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// I conflitti da rivedere (stesso campo cambiato da due postazioni insieme).
    Conflicts {
        #[arg(long)]
        json: bool,
    },
    /// Risolve un conflitto tenendo il valore attuale o quello dell'altra postazione.
    Resolve {
        id: i64,
        /// `attuale` o `altro`.
        #[arg(long)]
        keep: String,
    },
    /// Apre una nuova chiave del gruppo (dopo una rotazione) con la nuova passphrase.
    Unlock,
    /// Crea una nuova chiave del gruppo, togliendo le postazioni indicate (id o prime cifre).
    Rotate {
        #[arg(long = "remove")]
        remove: Vec<String>,
    },
}

#[derive(Args)]
struct DeskAdd {
    /// La persona (id, o le sue prime cifre).
    #[arg(long)]
    person: Option<String>,
    /// Il nucleo (id, o le sue prime cifre).
    #[arg(long)]
    household: Option<String>,
    /// Canale: di_persona, telefono, visita_domiciliare, email, messaggio, altro.
    #[arg(long, default_value = "di_persona")]
    channel: String,
    /// Tema (ripetibile): casa, morosita, lavoro, formazione, salute, famiglia, documenti, ...
    #[arg(long = "topic", required = true)]
    topics: Vec<String>,
    #[arg(long)]
    note: Option<String>,
    /// Data del richiamo (gg/mm/aaaa).
    #[arg(long, value_parser = parse_date_arg)]
    follow_up: Option<NaiveDate>,
    /// Quando (gg/mm/aaaa hh:mm); predefinito: adesso.
    #[arg(long)]
    at: Option<String>,
    /// Invio a un partner (nome o parte del nome) o a «servizio-sociale».
    #[arg(long)]
    refer_to: Option<String>,
    /// Motivo dell'invio.
    #[arg(long, default_value = "")]
    reason: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("errore: {e}");
            ExitCode::from(2)
        }
    }
}

fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    format::parse_date(text).ok_or_else(|| format!("«{text}» non è una data: usa gg/mm/aaaa"))
}

fn data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    if let Some(dir) = &cli.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("it", "Quartiere", "Quartiere")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::invalid("data-dir", "non trovo la cartella dati dell'utente: indica --data-dir"))
}

/// Signs in as the operator named by `--operator` (or $QUARTIERE_OPERATOR) with their passphrase
/// ($QUARTIERE_PASSPHRASE, else asked on the terminal): every command runs as someone.
fn open(cli: &Cli) -> Result<(Store, Actor), Error> {
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

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Import(e.to_string()))?;
    out!("{text}");
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::CheckCf { code } => Ok(check_cf(code)),
        Command::Init { desk, operator_name } => {
            let name = operator_name
                .as_ref()
                .or(cli.operator.as_ref())
                .ok_or_else(|| Error::invalid("as", "indica il primo operatore (il coordinatore) con --as NOME"))?;
            let desk = desk.clone().unwrap_or_else(|| "Postazione".into());
            let pass = secret("QUARTIERE_PASSPHRASE", "Parola d'accesso del coordinatore (almeno 10 caratteri)")?;
            let signed = accounts::create_desk(
                &data_dir(&cli)?,
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
        Command::Demo { households, people, seed } => {
            let (mut store, actor) = open(&cli)?;
            let summary = demo::generate(
                &mut store,
                &actor,
                &DemoConfig { households: *households, people: *people, seed: *seed, today: today() },
            )?;
            out!(
                "Quartiere dimostrativo creato: {} nuclei, {} persone, {} contatti allo sportello, {} partner.",
                summary.households,
                summary.people,
                summary.contacts,
                summary.partners
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, dry_run, json } => {
            let (mut store, actor) = open(&cli)?;
            let report =
                import::import_file(&mut store, &actor, file, ImportOptions { dry_run: *dry_run, today: today() })?;
            if *json {
                print_json(&report)?;
            } else {
                print_import_report(&report, *dry_run);
            }
            Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::People(PeopleCommand::Search { text, limit, json }) => {
            let (store, actor) = open(&cli)?;
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
        Command::People(PeopleCommand::Export { id, file }) => {
            let (mut store, actor) = open(&cli)?;
            let id = PersonId(registry::resolve_id(store.conn(), Table::Person, id)?);
            let files = quartiere_core::privacy::export_person(&mut store, &actor, id, file, today())?;
            out!("Dati esportati in {} e {}.", files.pdf, files.json);
            Ok(ExitCode::SUCCESS)
        }
        Command::People(PeopleCommand::Erase { id, reason, pseudonymise }) => {
            use quartiere_core::privacy::{ErasureMode, ErasureOutcome};
            let (mut store, actor) = open(&cli)?;
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
        Command::People(PeopleCommand::Retention { json }) => {
            let (store, actor) = open(&cli)?;
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
        Command::People(PeopleCommand::Show { id, json }) => {
            let (mut store, actor) = open(&cli)?;
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
        Command::Households(HouseholdsCommand::List { json }) => {
            let (store, actor) = open(&cli)?;
            let list = registry::list_households(store.conn(), &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for h in &list {
                let tenant = h.tenant_of_record.as_deref().unwrap_or("(intestatario non indicato)");
                out!("{}  {} · {} · {} componenti", h.id, h.address, tenant, h.members);
            }
            out!("{} nuclei.", list.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Households(HouseholdsCommand::Show { id, json }) => {
            let (mut store, actor) = open(&cli)?;
            let id = HouseholdId(registry::resolve_id(store.conn(), Table::Household, id)?);
            let detail = registry::household_detail(&mut store, &actor, id)?;
            let contacts =
                desk::list_contacts(&mut store, &actor, &ContactFilter { household: Some(id), ..Default::default() })?;
            if *json {
                let value = serde_json::json!({ "household": detail, "contacts": contacts });
                return print_json(&value).map(|_| ExitCode::SUCCESS);
            }
            print_household(&detail, &contacts);
            Ok(ExitCode::SUCCESS)
        }
        Command::Desk(DeskCommand::Add(args)) => desk_add(&cli, args),
        Command::Desk(DeskCommand::Enrol { folder, name, recovery_code }) => {
            let (mut store, actor) = open(&cli)?;
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
        Command::Sync(args) => sync_command(&cli, args),
        Command::Desk(DeskCommand::List { from, to, follow_ups, limit, json }) => {
            let (mut store, actor) = open(&cli)?;
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
        Command::Operators(command) => {
            let (mut store, actor) = open(&cli)?;
            match command {
                OperatorsCommand::List => {
                    for o in accounts::operators(&store, &actor)? {
                        let here = if o.signs_in_here { "" } else { " (non accede da questa postazione)" };
                        out!("{}  {}{here}", o.name, o.role.label());
                    }
                }
                OperatorsCommand::Add { name, role } => {
                    let role = Role::from_code(role).ok_or_else(|| {
                        Error::invalid(
                            "role",
                            "ruolo sconosciuto: sportello, tutor, afol, morosita, coordinatore, comune",
                        )
                    })?;
                    let pass = secret("QUARTIERE_NEW_PASSPHRASE", &format!("Parola d'accesso per {name}"))?;
                    accounts::add_operator(&mut store, &actor, name, role, &pass, KdfParams::DEFAULT)?;
                    out!("Operatore aggiunto: {name} ({})", role.label());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(BackupCommand::List { json }) => {
            let (store, actor) = open(&cli)?;
            let list = quartiere_core::backup::list(&store, &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for b in &list {
                out!("{}  {}  {} byte  {}", b.made_at, b.reason.label(), b.bytes, b.path);
            }
            out!("{} copie.", list.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(BackupCommand::Now) => {
            let (mut store, actor) = open(&cli)?;
            let made =
                quartiere_core::backup::backup_now(&mut store, &actor, quartiere_core::backup::BackupReason::Manual)?;
            out!("Copia di sicurezza fatta in {}.", made.path);
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(BackupCommand::Restore { dir }) => {
            let Some(name) = &cli.operator else {
                return Err(Error::invalid("operator", "indica chi sei con --operator NOME (o $QUARTIERE_OPERATOR)"));
            };
            let pass = secret("QUARTIERE_PASSPHRASE", "Parola d'accesso (valida alla data della copia)")?;
            let data = data_dir(&cli)?;
            std::fs::create_dir_all(&data)?;
            let signed =
                quartiere_core::backup::restore(&data, dir, name, &pass, Box::new(SystemClock), IdGen::from_entropy())?;
            drop(signed);
            out!(
                "Copia {} ripristinata in {}. Se la postazione era collegata alle altre, collegala di nuovo con \
                 «quartiere desk enrol».",
                dir.display(),
                data.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Check { json }) => {
            let (store, actor) = open(&cli)?;
            let report = quartiere_core::audit::verify(&store, &actor)?;
            if *json {
                print_json(&report)?;
            } else if report.intact() {
                out!("Registro integro: {} eventi di {} postazioni.", report.events, report.desks);
            } else {
                out!("Il registro è stato alterato:");
                for p in &report.problems {
                    out!("  {} evento n. {}: {}", p.desk, p.seq, p.what);
                }
            }
            Ok(if report.intact() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Audit(AuditCommand::Export { file }) => {
            let (mut store, actor) = open(&cli)?;
            let report = quartiere_core::audit::export_for_dpo(&mut store, &actor, file)?;
            out!(
                "Registro esportato in {} e {}: {} eventi, {}.",
                file.display(),
                file.with_extension("csv").display(),
                report.events,
                if report.intact() { "catena integra" } else { "ATTENZIONE: catena alterata" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Changes { limit, json } => {
            // Who changed what is the coordinator's to see.
            let (store, actor) = open(&cli)?;
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
    }
}

fn check_cf(code: &str) -> ExitCode {
    match cf::validate(code) {
        Ok(valid) => {
            let d = valid.decoded();
            let sex = if d.sex == 'F' { "donna, nata" } else { "uomo, nato" };
            let omocode = if d.omocode { " (codice in omocodia)" } else { "" };
            out!(
                "{} è formalmente valido{omocode}: {sex} il {:02}/{:02}/..{:02}.",
                valid.as_str(),
                d.day,
                d.month,
                d.year2
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            out!("{} non è valido: {e}.", code.trim().to_uppercase());
            ExitCode::from(1)
        }
    }
}

fn print_import_report(report: &ImportReport, dry_run: bool) {
    if !report.errors.is_empty() {
        out!(
            "Il file contiene {} errori: non è stato importato nulla. Correggi le righe indicate e riprova.",
            report.errors.len()
        );
        for e in &report.errors {
            out!("  {e}");
        }
    } else {
        let verb = if dry_run { "Verrebbero importati" } else { "Importati" };
        out!(
            "{verb} {} righe: {} alloggi nuovi, {} aggiornati; {} nuclei nuovi; {} persone nuove, {} aggiornate, {} invariate; {} ingressi in un nucleo, {} cambi di nucleo, {} relazioni aggiornate.",
            report.rows,
            report.dwellings_new,
            report.dwellings_updated,
            report.households_new,
            report.people_new,
            report.people_updated,
            report.people_unchanged,
            report.members_added,
            report.members_moved,
            report.members_updated,
        );
        if report.changes() == 0 {
            out!("Nessuna modifica: l'archivio era già aggiornato.");
        }
        if dry_run {
            out!("Prova senza scrittura: l'archivio non è stato modificato.");
        }
    }
    for w in &report.warnings {
        out!("  Attenzione: {w}");
    }
}

fn print_household(detail: &registry::HouseholdDetail, contacts: &[desk::DeskContactView]) {
    let d = &detail.dwelling.fields;
    out!("Nucleo {}", detail.id);
    out!("  Alloggio: {}{}", d.address_line(), d.code.as_ref().map(|c| format!(" (codice {c})")).unwrap_or_default());
    out!("  Componenti:");
    for m in detail.current_members() {
        out!("    {}", member_line(m));
    }
    let past: Vec<_> = detail.members.iter().filter(|m| m.membership.left_on.is_some()).collect();
    if !past.is_empty() {
        out!("  Componenti usciti:");
        for m in past {
            out!("    {}", member_line(m));
        }
    }
    out!("  Contatti allo sportello: {}", contacts.len());
    for c in contacts.iter().take(10) {
        print_contact(c);
    }
}

fn member_line(m: &registry::Member) -> String {
    let rel = m.membership.relationship.map(|r| r.label_it()).unwrap_or("relazione non indicata");
    let mut line = format!("{} ({rel})", m.person.full_name());
    if let Some(since) = m.membership.resident_since {
        line.push_str(&format!(", dal {}", format::date(since)));
    }
    if let Some(left) = m.membership.left_on {
        line.push_str(&format!(", uscito/a il {}", format::date(left)));
    }
    line
}

fn print_contact(c: &desk::DeskContactView) {
    let who = c.person_name.clone().or_else(|| c.household_address.clone()).unwrap_or_default();
    let topics: Vec<&str> = c.topics.iter().map(|t| t.label_it()).collect();
    out!(
        "{}  {}  {}  [{}]  {}",
        c.occurred_at.format("%d/%m/%Y %H:%M"),
        who,
        c.channel.map(|ch| ch.label_it()).unwrap_or(""),
        topics.join(", "),
        c.operator
    );
    if let Some(note) = &c.note {
        out!("    {note}");
    }
    if let Some(due) = c.follow_up_on {
        let state = match c.follow_up_done_on {
            Some(done) => format!("fatto il {}", format::date(done)),
            None => "da fare".into(),
        };
        out!("    Richiamo: {} ({state})", format::date(due));
    }
    for r in &c.referrals {
        out!("    Inviato a {}: {}", r.to, r.reason);
    }
}

/// The team passphrase: from $QUARTIERE_TEAM_PASSPHRASE (scripts, tests), else asked on the terminal.
fn passphrase(prompt: &str) -> Result<String, Error> {
    secret("QUARTIERE_TEAM_PASSPHRASE", prompt)
}

/// A secret from the environment variable `var` (scripts, tests), else asked on the terminal.
fn secret(var: &str, prompt: &str) -> Result<String, Error> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    eprint!("{prompt}: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn sync_command(cli: &Cli, args: &SyncArgs) -> Result<ExitCode, Error> {
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
                out!("C'è una nuova chiave del gruppo: usa `quartiere sync unlock` con la nuova passphrase.");
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
            let passphrase = passphrase("Nuova passphrase del gruppo")?;
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
            let passphrase = passphrase("Nuova passphrase del gruppo")?;
            let code = sync::rotate_key(&mut store, &actor, &passphrase, &desks, KdfParams::DEFAULT)?;
            out!("Nuova chiave del gruppo creata. Le altre postazioni la aprono con la nuova passphrase.");
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
                    "Applicati {} pacchetti ({} modifiche); pubblicato: {}.",
                    report.bundles_applied,
                    report.changes_applied,
                    match report.published_seq {
                        Some(seq) => format!("pacchetto n. {seq} con {} modifiche", report.published_changes),
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

fn desk_add(cli: &Cli, args: &DeskAdd) -> Result<ExitCode, Error> {
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
