//! The command line's arguments (clap): every command and its options, in Italian.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "quartiere", version, about = "Quartiere: il laboratorio sociale di quartiere, da riga di comando")]
pub struct Cli {
    /// Cartella dei dati (predefinita: la cartella dati dell'utente, o $QUARTIERE_DATA_DIR).
    #[arg(long, global = true, env = "QUARTIERE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Operatore che esegue le scritture (predefinito: quello impostato con `init`).
    #[arg(long, global = true, env = "QUARTIERE_OPERATOR")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Crea l'archivio (se manca) e imposta il nome della postazione e dell'operatore.
    Init(InitArgs),
    /// Genera un quartiere dimostrativo (dati di fantasia).
    Demo(DemoArgs),
    /// Importa l'elenco dei nuclei inviato dal Comune o dall'ente gestore (CSV, XLSX, XLS, ODS).
    Import(ImportArgs),
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
    Changes(ChangesArgs),
    /// Attività (eventi, assemblee tematiche, formazione, incontri): crea, invita, elenca.
    #[command(subcommand)]
    Activities(ActivitiesCommand),
    /// Stampa il foglio presenze di un'attività in un PDF (scrive il codice del foglio).
    Sheet {
        /// L'attività: il suo id o le prime cifre.
        activity: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Registra le presenze da un foglio firmato: il codice del foglio (FP-…) e chi è venuto.
    Attendance(AttendanceArgs),
    /// Formazione e lavoro: corsi e percorsi di ricerca lavoro, iscrizioni, lista d'attesa, scheda FSE.
    #[command(subcommand)]
    Training(TrainingCommand),
    /// Prese in carico: elenco del tutor, apertura, obiettivi, invii, chiusura.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Note su persone, nuclei e prese in carico: scrive, modifica (una nuova versione), elenca.
    #[command(subcommand)]
    Notes(NotesCommand),
    /// Piani di rientro: elenco, scheda, firma, pagamenti, modifica delle condizioni, accordo in PDF.
    #[command(subcommand)]
    Plans(PlansCommand),
    /// L'estratto conto dell'ente gestore: importa il file (CSV, XLSX) nei conti dei nuclei.
    #[command(subcommand)]
    Statement(StatementCommand),
    /// Morosità di un nucleo: estratto conto, valutazione incolpevole, contributo di solidarietà.
    #[command(subcommand)]
    Arrears(ArrearsCommand),
    /// Indicatori del progetto per un periodo, con obiettivi e andamento mese per mese.
    Stats(crate::args_project::StatsArgs),
    /// Obiettivi del progetto: elenco, modifica (solo il coordinatore).
    #[command(subcommand)]
    Targets(crate::args_project::TargetsCommand),
    /// Pacchetto mensile per il Comune: crea, anteprima, verifica.
    #[command(subcommand)]
    Export(crate::args_project::ExportCommand),
    /// Piano di progetto: azioni con responsabile, scadenze, budget e speso.
    #[command(subcommand)]
    Actions(crate::args_project::ActionsCommand),
}

#[derive(Subcommand)]
pub enum PlansCommand {
    /// Elenca i piani di rientro con lo stato al giorno indicato (di norma oggi).
    List {
        /// Solo quelli di questo nucleo (id o prime cifre).
        #[arg(long)]
        household: Option<String>,
        /// gg/mm/aaaa: il giorno a cui calcolare lo stato.
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Mostra un piano: rate con quanto pagato, pagamenti e a quali rate sono andati, modifiche.
    Show {
        plan: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Firma un piano di rientro; scrive il suo id.
    Sign {
        #[arg(long)]
        household: String,
        /// gg/mm/aaaa.
        #[arg(long)]
        signed_on: String,
        /// Chi firma.
        #[arg(long)]
        signatories: String,
        /// Debito per canone alla firma (1.234,50).
        #[arg(long, default_value = "")]
        rent_debt: String,
        /// Debito per spese alla firma.
        #[arg(long, default_value = "")]
        charges_debt: String,
        /// gg/mm/aaaa: scadenza della prima rata.
        #[arg(long)]
        first_due: String,
        /// Numero di rate...
        #[arg(long, default_value = "")]
        count: String,
        /// ...oppure importo di ogni rata.
        #[arg(long, default_value = "")]
        instalment: String,
        /// Mesi tra una rata e l'altra (1, 2, 3, 4, 6, 12).
        #[arg(long, default_value = "1")]
        every: String,
        /// consecutive:N o with_charges:N (di norma l'impostazione della postazione).
        #[arg(long, default_value = "")]
        lapse_rule: String,
        /// Reddito mensile del nucleo, per la regola della rata non oltre 1/8.
        #[arg(long, default_value = "")]
        income: String,
        /// Conferma una rata oltre 1/8 del reddito.
        #[arg(long)]
        confirm_income: bool,
        /// La valutazione di morosità incolpevole (id o prime cifre).
        #[arg(long)]
        assessment: Option<String>,
    },
    /// Registra un pagamento per l'importo effettivamente versato.
    Pay {
        plan: String,
        /// gg/mm/aaaa.
        #[arg(long)]
        on: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Cambia il totale, la scadenza della prossima rata da pagare o le rate: riprogramma quelle non pagate.
    Terms {
        plan: String,
        #[arg(long, default_value = "")]
        total: String,
        #[arg(long, default_value = "")]
        next_due: String,
        #[arg(long, default_value = "")]
        count: String,
        #[arg(long, default_value = "")]
        instalment: String,
        #[arg(long)]
        reason: String,
    },
    /// Chiude il piano, con il motivo.
    Close {
        plan: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Scrive l'accordo del piano in PDF da firmare; scrive il codice del documento.
    Agreement {
        plan: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Rate in scadenza questa settimana e scadute; piani firmati e seguiti; debito nel tempo.
    Monitor {
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum StatementCommand {
    /// Importa l'estratto conto: tutto o niente; ogni problema con riga, colonna e motivo.
    Import {
        file: PathBuf,
        /// Controlla soltanto: dice cosa farebbe, non scrive niente.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ArrearsCommand {
    /// L'estratto conto di un nucleo: mesi, contributi, saldo, morosità, debito nel tempo.
    Account {
        household: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Registra la valutazione di morosità incolpevole; scrive il suo id.
    Assess {
        #[arg(long)]
        household: String,
        /// licenziamento, riduzione_orario, cassa_integrazione, contratto_non_rinnovato,
        /// cessazione_attivita, malattia, decesso, separazione.
        #[arg(long)]
        cause: String,
        /// gg/mm/aaaa: quando il reddito è stato perso o ridotto.
        #[arg(long)]
        event_on: String,
        #[arg(long, default_value = "")]
        evidence: String,
        /// Confermata dal Servizio Sociale.
        #[arg(long)]
        confirmed: bool,
    },
    /// Accredita il contributo regionale di solidarietà (prima alle spese, poi al debito).
    Credit {
        #[arg(long)]
        household: String,
        #[arg(long)]
        on: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum CasesCommand {
    /// Elenca le prese in carico (aperte; --all anche le chiuse), prima quelle con obiettivi scaduti.
    List {
        /// Solo quelle che segue questo operatore (nome o id).
        #[arg(long)]
        tutor: Option<String>,
        /// Solo quelle di questa persona (id o prime cifre).
        #[arg(long)]
        person: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Mostra una presa in carico: piano, invii, note e storia delle modifiche.
    Show {
        case: String,
        #[arg(long)]
        json: bool,
    },
    /// Apre una presa in carico per una persona; scrive il suo id.
    Open {
        #[arg(long)]
        person: String,
        /// disagio, formazione_lavoro, morosita, convivenza.
        #[arg(long, default_value = "disagio")]
        axis: String,
        /// Il tutor: nome o id dell'operatore.
        #[arg(long)]
        tutor: String,
        /// Condivisa con il Servizio Sociale del Comune.
        #[arg(long)]
        servizio_sociale: bool,
        #[arg(long)]
        reason: Option<String>,
        /// Il contatto dello sportello da cui nasce (id o prime cifre).
        #[arg(long)]
        contact: Option<String>,
        /// gg/mm/aaaa (di norma oggi).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Aggiunge un obiettivo (o, con --parent, un passo di un obiettivo); scrive il suo id.
    Goal {
        case: String,
        #[arg(long)]
        title: String,
        /// Chi se ne occupa: un operatore, la persona, un partner.
        #[arg(long, default_value = "")]
        owner: String,
        /// gg/mm/aaaa, +30, domani.
        #[arg(long, default_value = "")]
        due: String,
        #[arg(long)]
        parent: Option<String>,
    },
    /// Cambia lo stato di un obiettivo o di un passo (aperto, in_corso, raggiunto, non_raggiunto, annullato).
    Status { goal: String, status: String },
    /// Invia la persona a un partner (id o prime cifre) o al Servizio Sociale (--to servizio_sociale).
    Refer {
        case: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
        /// L'invio comunica i dati della persona: serve il suo consenso registrato.
        #[arg(long)]
        shares_data: bool,
    },
    /// Registra la risposta a un invio (accettato, rifiutato, concluso).
    Referral { referral: String, state: String },
    /// Stampa il piano individuale della presa in carico in un PDF (scrive il codice del documento).
    Plan {
        case: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Chiude la presa in carico con l'esito.
    Close {
        case: String,
        /// obiettivi_raggiunti, in_parte, affidato_servizi, interrotto, trasferito, altro.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum NotesCommand {
    /// Le note su una persona, un nucleo o una presa in carico, con le versioni precedenti.
    List {
        #[command(flatten)]
        subject: NoteSubjectArgs,
        #[arg(long)]
        json: bool,
    },
    /// Scrive una nota; scrive il suo id.
    Add {
        #[command(flatten)]
        subject: NoteSubjectArgs,
        text: String,
    },
    /// Modifica una nota: ne scrive una nuova versione, la precedente resta nella storia.
    Edit { note: String, text: String },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct NoteSubjectArgs {
    #[arg(long)]
    pub person: Option<String>,
    #[arg(long)]
    pub household: Option<String>,
    #[arg(long = "case")]
    pub case_file: Option<String>,
}

#[derive(Subcommand)]
pub enum TrainingCommand {
    /// Elenca i corsi e i percorsi, con posti, iscritti e persone in attesa.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Crea un corso (--kind corso) o un percorso di ricerca lavoro (--kind ricerca_lavoro); scrive il suo id.
    Add(CourseAdd),
    /// Mostra un corso: iscritti, lista d'attesa in ordine, chi ha lasciato.
    Show {
        /// Il corso: il suo id o le prime cifre.
        course: String,
        #[arg(long)]
        json: bool,
    },
    /// Iscrive una persona: entra se c'è posto e nessuno aspetta, altrimenti va in lista d'attesa.
    Enrol {
        course: String,
        #[arg(long)]
        person: String,
        #[arg(long)]
        json: bool,
    },
    /// Fa entrare dalla lista d'attesa chi è indicato (l'iscrizione); chi non è primo serve --reason.
    Admit {
        enrolment: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Sposta una persona nella lista d'attesa alla posizione indicata, con il motivo.
    Move {
        enrolment: String,
        #[arg(long)]
        position: u32,
        #[arg(long)]
        reason: String,
    },
    /// Toglie una persona dal corso o dalla lista d'attesa, con il motivo (e il giorno, di norma oggi).
    Withdraw {
        enrolment: String,
        #[arg(long)]
        reason: String,
        /// gg/mm/aaaa
        #[arg(long)]
        on: Option<String>,
    },
    /// La scheda FSE di una persona: la mostra, o la registra all'ingresso con --entry e --labour.
    Esf(EsfArgs),
    /// Aggiunge lezioni a un corso (una serie settimanale con --weeks) e invita chi è nel corso.
    Session {
        course: String,
        /// gg/mm/aaaa
        #[arg(long)]
        date: String,
        /// hh:mm
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        #[arg(long)]
        venue: String,
        #[arg(long, default_value = "1")]
        weeks: String,
    },
    /// Stampa la scheda di adesione di un'iscrizione in un PDF (scrive il codice del documento).
    Form {
        enrolment: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Stampa il registro del corso (ore di ciascuno a ogni lezione) in un PDF.
    Register {
        course: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Registra un tirocinio di una persona.
    Placement {
        person: String,
        /// L'ente ospitante: un partner (id o prime cifre) o il nome di un altro ente.
        #[arg(long)]
        host: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: Option<String>,
        #[arg(long)]
        weekly_hours: Option<String>,
    },
    /// Registra ore di restituzione alla comunità (2, 1,5, 1:30) fatte da una persona.
    Hours {
        person: String,
        #[arg(long)]
        hours: String,
        #[arg(long)]
        what: String,
        /// gg/mm/aaaa (di norma oggi)
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Args)]
pub struct CourseAdd {
    /// corso, ricerca_lavoro.
    #[arg(long, default_value = "corso")]
    pub kind: String,
    #[arg(long)]
    pub title: String,
    /// L'ente (un partner): il suo id o le prime cifre.
    #[arg(long)]
    pub provider: Option<String>,
    /// Inizio, gg/mm/aaaa.
    #[arg(long)]
    pub start: String,
    /// Fine, gg/mm/aaaa.
    #[arg(long)]
    pub end: Option<String>,
    /// Ore previste.
    #[arg(long)]
    pub hours: Option<String>,
    #[arg(long)]
    pub places: String,
    #[arg(long)]
    pub venue: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct EsfArgs {
    /// La persona: il suo id o le prime cifre.
    pub person: String,
    /// Data d'ingresso (gg/mm/aaaa): con questa la scheda viene registrata.
    #[arg(long)]
    pub entry: Option<String>,
    /// occupato, disoccupato, inattivo.
    #[arg(long)]
    pub labour: Option<String>,
    /// Per chi è disoccupato: da quanti mesi.
    #[arg(long)]
    pub months: Option<String>,
    /// Per chi è inattivo: «si» se studia o è in formazione.
    #[arg(long)]
    pub in_education: Option<String>,
    /// Titolo di studio (codice ISCED).
    #[arg(long)]
    pub isced: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ActivitiesCommand {
    /// Crea un'attività (con --weeks N, una serie settimanale); scrive il suo id.
    Add(ActivityAdd),
    /// Invita una persona, un nucleo, o chi abita in una via (a un civico, in una scala).
    Invite(ActivityInvite),
    /// Elenca le attività, per data.
    List {
        /// Dal giorno (gg/mm/aaaa).
        #[arg(long)]
        from: Option<String>,
        /// Al giorno (gg/mm/aaaa).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Mostra un'attività: invitati, presenze, fogli stampati, scansioni, verbale.
    Show {
        activity: String,
        #[arg(long)]
        json: bool,
    },
    /// Aggiunge una riga al verbale: un tema, una decisione, un impegno (con --owner e --due).
    Minute(ActivityMinute),
}

#[derive(Args)]
pub struct ActivityMinute {
    /// L'attività: il suo id o le prime cifre.
    pub activity: String,
    /// tema, decisione, impegno.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub text: String,
    /// Chi se ne occupa (un impegno).
    #[arg(long)]
    pub owner: Option<String>,
    /// Entro quando (gg/mm/aaaa, +7, domani), per un impegno.
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Args)]
pub struct ActivityAdd {
    /// assemblea, evento, formazione, incontro.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub title: String,
    /// gg/mm/aaaa.
    #[arg(long)]
    pub date: String,
    /// hh:mm.
    #[arg(long)]
    pub start: String,
    /// hh:mm.
    #[arg(long)]
    pub end: String,
    #[arg(long)]
    pub venue: String,
    /// convivenza, disagio, formazione_lavoro, morosita.
    #[arg(long)]
    pub axis: Option<String>,
    #[arg(long)]
    pub topic: Option<String>,
    /// Settimane di una serie settimanale (1-52).
    #[arg(long)]
    pub weeks: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ActivityInvite {
    /// L'attività: il suo id o le prime cifre.
    pub activity: String,
    /// Una persona (id o prime cifre).
    #[arg(long, conflicts_with_all = ["household", "street"])]
    pub person: Option<String>,
    /// Un nucleo (id o prime cifre): chi ci abita oggi.
    #[arg(long, conflicts_with = "street")]
    pub household: Option<String>,
    /// Una via: chi ci abita oggi (con --civic e --scala, solo lì).
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long, requires = "street")]
    pub civic: Option<String>,
    #[arg(long, requires = "street")]
    pub scala: Option<String>,
}

#[derive(Args)]
pub struct AttendanceArgs {
    /// Il codice del foglio (FP-…), come stampato o letto dal QR.
    pub sheet: String,
    /// Invitati presenti (id o prime cifre).
    #[arg(long, num_args = 1..)]
    pub present: Vec<String>,
    /// Venuti senza invito (id o prime cifre).
    #[arg(long = "walk-in", num_args = 1..)]
    pub walk_in: Vec<String>,
    /// Minuti di presenza di ciascuno (incontri di formazione).
    #[arg(long)]
    pub minutes: Option<u32>,
    /// La scansione del foglio firmato (PDF o immagine), da allegare.
    #[arg(long)]
    pub scan: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
pub enum BackupCommand {
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
pub enum AuditCommand {
    /// Verifica la catena di ogni postazione (uscita 1 se il registro è stato alterato).
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Esporta tutto il registro in FILE (JSON con le impronte) e accanto in CSV.
    Export { file: PathBuf },
}

#[derive(Subcommand)]
pub enum OperatorsCommand {
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
pub enum PeopleCommand {
    /// Cerca per cognome, nome, codice fiscale o indirizzo (senza badare ad accenti e apostrofi).
    Search {
        text: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Trasferisce una persona in un altro nucleo (la storia resta in entrambi).
    Move {
        id: String,
        /// Il nucleo di destinazione (id, o le sue prime cifre).
        #[arg(long)]
        to: String,
        /// Relazione con l'intestatario nel nuovo nucleo (ad esempio coniuge, figlio, convivente).
        #[arg(long)]
        relationship: String,
        /// Data del trasferimento (gg/mm/aaaa); se manca, oggi.
        #[arg(long)]
        on: Option<String>,
    },
    /// Registra l'uscita di una persona dal suo nucleo (resta nella storia del nucleo).
    Leave {
        id: String,
        /// Data dell'uscita (gg/mm/aaaa); se manca, oggi.
        #[arg(long)]
        on: Option<String>,
    },
    /// Possibili doppioni: coppie di schede che sembrano la stessa persona.
    Duplicates {
        #[arg(long)]
        json: bool,
    },
    /// Unisce due schede della stessa persona: tiene KEEP, vi porta quanto era di OTHER. Si annulla con unmerge.
    Merge {
        keep: String,
        other: String,
        /// Perché sono la stessa persona (resta registrato).
        #[arg(long)]
        reason: String,
    },
    /// Annulla un'unione di schede (l'id della decisione, da `people merges`).
    Unmerge { decision: String },
    /// Le unioni di schede fatte, con chi le ha fatte e perché.
    Merges {
        #[arg(long)]
        json: bool,
    },
    /// Registra che due schede sono persone diverse: non vengono più proposte come doppioni.
    Distinct { a: String, b: String },
    /// Mostra la scheda di una persona.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Registra che la persona ha ricevuto l'informativa (notice) o dato un consenso
    /// (special_categories, images), in una versione del modulo e in un giorno.
    Consent {
        id: String,
        /// notice, special_categories, images.
        #[arg(long, default_value = "notice")]
        kind: String,
        /// La versione del modulo firmato (per esempio «2026-01»).
        #[arg(long)]
        version: String,
        /// Il giorno della firma (gg/mm/aaaa); di norma oggi.
        #[arg(long)]
        on: Option<String>,
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
pub enum HouseholdsCommand {
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
pub enum DeskCommand {
    /// Registra un contatto allo sportello.
    Add(DeskAdd),
    /// Registra questa postazione nel gruppo di sincronizzazione (crea il gruppo se la cartella è vuota).
    /// La parola d'accesso del gruppo si legge da $QUARTIERE_TEAM_PASSPHRASE o si chiede al terminale.
    Enrol {
        #[arg(long)]
        folder: PathBuf,
        /// Nome della postazione, per esempio «Sportello Mezzetta».
        #[arg(long)]
        name: String,
        /// Usa il codice di recupero su carta invece della parola d'accesso del gruppo.
        #[arg(long)]
        recovery_code: Option<String>,
    },
    /// Segna come fatto il richiamo di un contatto (l'id, o le sue prime cifre), oggi.
    Done { contact: String },
    /// Elenca i contatti.
    List {
        /// Dal giorno (gg/mm/aaaa).
        #[arg(long)]
        from: Option<String>,
        /// Al giorno (gg/mm/aaaa).
        #[arg(long)]
        to: Option<String>,
        /// Solo i contatti di questa persona (id, o le sue prime cifre).
        #[arg(long)]
        person: Option<String>,
        /// Solo i contatti di questo nucleo (id, o le sue prime cifre).
        #[arg(long)]
        household: Option<String>,
        /// Solo i contatti su questo tema.
        #[arg(long)]
        topic: Option<String>,
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
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    /// La cartella condivisa (deve essere quella con cui la postazione è registrata).
    #[arg(long)]
    pub folder: Option<PathBuf>,
    /// Scrive anche un'istantanea completa, per le postazioni nuove.
    #[arg(long)]
    pub snapshot: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum SyncCommand {
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
    /// Apre una nuova chiave del gruppo (dopo una rotazione) con la nuova parola d'accesso del gruppo.
    Unlock,
    /// Crea una nuova chiave del gruppo, togliendo le postazioni indicate (id o prime cifre).
    Rotate {
        #[arg(long = "remove")]
        remove: Vec<String>,
    },
}

#[derive(Args)]
pub struct DeskAdd {
    /// La persona (id, o le sue prime cifre).
    #[arg(long)]
    pub person: Option<String>,
    /// Il nucleo (id, o le sue prime cifre).
    #[arg(long)]
    pub household: Option<String>,
    /// Canale: di_persona, telefono, visita_domiciliare, email, messaggio, altro.
    #[arg(long, default_value = "di_persona")]
    pub channel: String,
    /// Tema (ripetibile): casa, morosita, lavoro, formazione, salute, famiglia, documenti, ...
    #[arg(long = "topic", required = true)]
    pub topics: Vec<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// Data del richiamo (gg/mm/aaaa), oppure +N giorni da oggi (+7), oggi, domani.
    #[arg(long)]
    pub follow_up: Option<String>,
    /// Quando (gg/mm/aaaa hh:mm); predefinito: adesso.
    #[arg(long)]
    pub at: Option<String>,
    /// Invio a un partner (nome, parte del nome o codice) o a «servizio-sociale».
    #[arg(long)]
    pub refer_to: Option<String>,
    /// Motivo dell'invio.
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Args)]
pub struct InitArgs {
    #[arg(long)]
    pub desk: Option<String>,
    #[arg(long = "as")]
    pub operator_name: Option<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 133)]
    pub households: usize,
    /// Genera nuclei fino ad arrivare ad almeno questo numero di persone.
    #[arg(long)]
    pub people: Option<usize>,
    #[arg(long, default_value_t = 2019)]
    pub seed: u64,
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Controlla e mostra cosa cambierebbe, senza scrivere nulla.
    #[arg(long)]
    pub dry_run: bool,
    /// Risposta a un dubbio del resoconto: la riga RIGA è la persona già registrata ID
    /// (l'id o le sue prime cifre). Si può ripetere.
    #[arg(long = "same", value_name = "RIGA=ID")]
    pub same: Vec<String>,
    /// Risposta a un dubbio del resoconto: la riga RIGA è una persona nuova. Si può ripetere.
    #[arg(long = "new", value_name = "RIGA")]
    pub new: Vec<usize>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ChangesArgs {
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}
