//! The arguments of `quartiere stats`, `quartiere targets` and `quartiere export` (the project's
//! indicators and the monthly bundle to the Comune).

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Args)]
pub struct StatsArgs {
    /// Primo giorno del periodo (gg/mm/aaaa).
    #[arg(long)]
    pub from: String,
    /// Ultimo giorno del periodo (gg/mm/aaaa).
    #[arg(long)]
    pub to: String,
    /// Elenca i record dietro un indicatore (il suo codice, per esempio nuclei_raggiunti).
    #[arg(long)]
    pub records: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum TargetsCommand {
    /// Gli obiettivi del progetto.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Fissa l'obiettivo di un indicatore (in euro per il debito, per esempio 4.000,00).
    Set {
        code: String,
        value: String,
        /// Il valore all'inizio, se noto.
        #[arg(long)]
        baseline: Option<String>,
        /// Entro quando (gg/mm/aaaa).
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Toglie l'obiettivo di un indicatore.
    Clear { code: String },
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Crea il pacchetto mensile per il Comune, cifrato con la sua chiave pubblica age.
    Month {
        /// Il mese, AAAA-MM.
        month: String,
        /// Chiave pubblica age del Comune (age1…); si può ripetere. Predefinite: quelle nelle impostazioni.
        #[arg(long)]
        recipient: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        /// Primo giorno del progetto, per i dati «dall'inizio» (gg/mm/aaaa).
        #[arg(long)]
        since: Option<String>,
        /// Note del coordinamento per il rapporto (mai su una persona).
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        no_report: bool,
        #[arg(long)]
        no_csv: bool,
        #[arg(long)]
        no_xlsx: bool,
        #[arg(long)]
        json: bool,
    },
    /// Mostra cosa conterrà il pacchetto del mese, senza scrivere nulla.
    Preview {
        month: String,
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Decifra e verifica un pacchetto (firma e impronte); con --open ne scrive i file in una cartella.
    Verify {
        file: PathBuf,
        /// Il file con la chiave privata age del Comune (come lo scrive age-keygen).
        #[arg(long)]
        identity: PathBuf,
        /// L'impronta della chiave di firma della postazione, se il laboratorio l'ha comunicata.
        #[arg(long)]
        desk_key: Option<String>,
        #[arg(long)]
        open: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Le chiavi pubbliche del Comune usate quando --recipient manca (una o più, age1…).
    Recipients {
        /// Le nuove chiavi; senza, mostra quelle impostate.
        keys: Vec<String>,
    },
}

/// The fields of an action of the project plan; on `edit`, only those given change.
#[derive(Args, Default)]
pub struct ActionFields {
    /// Asse: convivenza, disagio, formazione_lavoro, morosita.
    #[arg(long)]
    pub axis: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// L'organizzazione responsabile (id o inizio dell'id di un partner).
    #[arg(long)]
    pub partner: Option<String>,
    /// Chi la segue (nome e cognome).
    #[arg(long)]
    pub owner: Option<String>,
    /// Inizio (gg/mm/aaaa).
    #[arg(long)]
    pub start: Option<String>,
    /// Scadenza (gg/mm/aaaa).
    #[arg(long)]
    pub due: Option<String>,
    /// Stato: da_avviare, in_corso, sospesa, completata, annullata.
    #[arg(long)]
    pub status: Option<String>,
    /// Conclusa il (gg/mm/aaaa); vuota con stato completata o annullata: oggi.
    #[arg(long)]
    pub done: Option<String>,
    /// Budget in euro (1.234,50).
    #[arg(long)]
    pub budget: Option<String>,
    /// Speso finora in euro.
    #[arg(long)]
    pub spent: Option<String>,
}

#[derive(Subcommand)]
pub enum ActionsCommand {
    /// Il piano di progetto: le azioni per asse, con budget, speso e ritardi.
    List {
        /// Solo le azioni in ritardo.
        #[arg(long)]
        late: bool,
        #[arg(long)]
        json: bool,
    },
    /// Un'azione, con le attività e le prese in carico collegate.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Aggiunge un'azione al piano (solo il coordinatore); stampa il nuovo id.
    Add {
        #[command(flatten)]
        fields: ActionFields,
        #[arg(long)]
        json: bool,
    },
    /// Cambia un'azione: stato, date, speso...
    Edit {
        id: String,
        #[command(flatten)]
        fields: ActionFields,
    },
    /// Collega un'attività o una presa in carico all'azione.
    Link(LinkArgs),
    /// Scollega un'attività o una presa in carico.
    Unlink(LinkArgs),
    /// Toglie un'azione dal piano.
    Remove { id: String },
}

/// An action and the activity or case linked to it.
#[derive(Args)]
pub struct LinkArgs {
    pub id: String,
    #[arg(long, conflicts_with = "case", required_unless_present = "case")]
    pub activity: Option<String>,
    #[arg(long)]
    pub case: Option<String>,
}
