//! The error type every floor of Quartiere returns, and its stable kinds.
//!
//! Every message is a complete Italian sentence an operator can act on. The vocabulary lives at the
//! bottom floor so that the store, sync and the domain modules all return one type and a test can
//! match a variant; the store itself only ever makes its own variants ([`SyncError`] is made by
//! the sync floor, which sits above it).

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One invalid field of a form or of an imported row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldError {
    /// The field's machine name (`codice_fiscale`), for the UI to place the message.
    pub field: String,
    /// What is wrong, in Italian.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("dati non validi: {}", join(.0))]
    Invalid(Vec<FieldError>),
    #[error("{what} «{key}»: non c'è nell'archivio (controlla il codice)")]
    NotFound { what: &'static str, key: String },
    #[error("il codice «{key}» corrisponde a più di un elemento: scrivine qualche carattere in più")]
    Ambiguous { key: String },
    #[error(
        "questo archivio è stato creato da una versione più recente di Quartiere \
         (schema {found}, questa versione arriva a {known}): aggiorna il programma"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("nome o parola d'accesso errati")]
    WrongCredentials,
    #[error(
        "l'archivio non si apre con questa chiave: il file {0} non è un archivio di Quartiere \
         o il file delle chiavi non è il suo"
    )]
    WrongKey(String),
    #[error(
        "l'archivio {0} non è cifrato (creato da una versione di prova): spostalo altrove e crea \
         un archivio nuovo, poi reimporta i dati"
    )]
    Unencrypted(String),
    #[error("import non riuscito: {0}")]
    Import(String),
    /// A document (PDF) could not be made: the document engine's Italian sentence.
    #[error("{0}")]
    Document(String),
    #[error("{0}")]
    Sync(#[from] SyncError),
    #[error("{}", db_message(.0))]
    Db(#[from] rusqlite::Error),
    #[error("{}", io_message(.0))]
    Io(#[from] std::io::Error),
}

const DISK_FULL: &str = "il disco è pieno: libera spazio e riprova (l'operazione non è stata registrata)";
const READ_ONLY: &str = "la cartella dei dati è in sola lettura o non hai i permessi per scriverci: \
     controlla i permessi della cartella, o che il disco non sia protetto dalla scrittura";
const BUSY: &str = "l'archivio è occupato da un'altra operazione che non è finita in tempo: \
     riprova tra poco (l'operazione non è stata registrata)";

/// A database failure named for what it is, in Italian: never SQLite's own English line.
fn db_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => BUSY.into(),
        Some(ErrorCode::DiskFull) => DISK_FULL.into(),
        Some(ErrorCode::ReadOnly) => READ_ONLY.into(),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            "non riesco ad aprire l'archivio: la cartella dei dati non è accessibile o è in sola lettura; \
             controlla i permessi della cartella"
                .into()
        }
        Some(ErrorCode::SystemIoFailure) => {
            "il disco ha dato un errore di lettura o scrittura: controlla il disco e riprova".into()
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            "l'archivio è danneggiato: ripristina l'ultima copia di sicurezza (Impostazioni, Copie di sicurezza)".into()
        }
        _ => {
            let code = match e {
                rusqlite::Error::SqliteFailure(failure, _) => format!(" (codice {})", failure.extended_code),
                _ => String::new(),
            };
            format!("errore interno dell'archivio{code}: riprova; se si ripete, avvisa chi gestisce Quartiere")
        }
    }
}

/// A file-system failure named for what it is, in Italian.
fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull | K::QuotaExceeded => DISK_FULL.into(),
        K::PermissionDenied | K::ReadOnlyFilesystem => READ_ONLY.into(),
        K::NotADirectory => "dove serve una cartella c'è un file: indica una cartella".into(),
        K::IsADirectory => "dove serve un file c'è una cartella: indica un file".into(),
        K::NotFound => "il file o la cartella non esiste (o è stata spostata)".into(),
        K::AlreadyExists => "esiste già un file con questo nome: scegline un altro".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("errore di lettura o scrittura sul disco (codice di sistema {code})"),
            None => "errore di lettura o scrittura sul disco".into(),
        },
    }
}

/// A stable, machine-readable kind of [`Error`]: the UI maps it to its own sentence, and tests
/// match it instead of a phrase of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Ambiguous,
    SchemaTooNew,
    Forbidden,
    WrongCredentials,
    WrongKey,
    Unencrypted,
    Import,
    Document,
    WrongPassphrase,
    NotEnrolled,
    FolderUnreachable,
    Sync,
    Database,
    /// Another operation held the database longer than the wait allows.
    Busy,
    /// The disk is full.
    DiskFull,
    /// The data folder cannot be written (read-only, or no permission).
    ReadOnly,
    Io,
}

impl ErrorKind {
    /// The kind's wire name (`not_found`), as the UI receives it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::SchemaTooNew => "schema_too_new",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::WrongCredentials => "wrong_credentials",
            ErrorKind::WrongKey => "wrong_key",
            ErrorKind::Unencrypted => "unencrypted",
            ErrorKind::Import => "import",
            ErrorKind::Document => "document",
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::NotEnrolled => "not_enrolled",
            ErrorKind::FolderUnreachable => "folder_unreachable",
            ErrorKind::Sync => "sync",
            ErrorKind::Database => "database",
            ErrorKind::Busy => "busy",
            ErrorKind::DiskFull => "disk_full",
            ErrorKind::ReadOnly => "read_only",
            ErrorKind::Io => "io",
        }
    }
}

impl Error {
    /// The error's stable kind, for the UI to choose its sentence.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Ambiguous { .. } => ErrorKind::Ambiguous,
            Error::SchemaTooNew { .. } => ErrorKind::SchemaTooNew,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            Error::WrongCredentials => ErrorKind::WrongCredentials,
            Error::WrongKey(_) => ErrorKind::WrongKey,
            Error::Unencrypted(_) => ErrorKind::Unencrypted,
            Error::Import(_) => ErrorKind::Import,
            Error::Document(_) => ErrorKind::Document,
            Error::Sync(SyncError::WrongPassphrase) => ErrorKind::WrongPassphrase,
            Error::Sync(SyncError::NotEnrolled) => ErrorKind::NotEnrolled,
            Error::Sync(SyncError::FolderUnreachable(_)) => ErrorKind::FolderUnreachable,
            Error::Sync(_) => ErrorKind::Sync,
            Error::Db(e) => match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => ErrorKind::Busy,
                Some(rusqlite::ErrorCode::DiskFull) => ErrorKind::DiskFull,
                Some(
                    rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::PermissionDenied,
                ) => ErrorKind::ReadOnly,
                _ => ErrorKind::Database,
            },
            Error::Io(e) => match e.kind() {
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => ErrorKind::DiskFull,
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => ErrorKind::ReadOnly,
                _ => ErrorKind::Io,
            },
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }
}

fn join(errors: &[FieldError]) -> String {
    errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

/// What can go wrong with sync's keys, folder and files. Messages are Italian sentences for the operator.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("parola d'accesso errata: controlla maiuscole, spazi e accenti e riprova")]
    WrongPassphrase,
    #[error("file della chiave del gruppo non valido: {0}")]
    KeyFile(String),
    #[error("file danneggiato: {0}")]
    Damaged(String),
    #[error("file in un formato più recente (versione {0}): aggiorna Quartiere")]
    Version(u8),
    #[error("questa postazione non è ancora registrata nel gruppo di sincronizzazione")]
    NotEnrolled,
    #[error("la cartella condivisa {0} non è raggiungibile: controlla che il disco o la rete siano collegati")]
    FolderUnreachable(String),
    #[error("{0}")]
    Refused(Refusal),
}

impl From<std::io::Error> for SyncError {
    fn from(e: std::io::Error) -> SyncError {
        SyncError::Refused(Refusal::Unreadable(e.to_string()))
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Sync(SyncError::Refused(refusal))
    }
}

/// Why sync refused a file of the shared folder (or refused to write one). A type, so tests and the
/// sync screen match the variant ([`Refusal::kind`]); its Italian sentence is made only when shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The file's bytes do not decode (damaged, cut short); the detail says where.
    #[error("file danneggiato: {0}")]
    Damaged(String),
    #[error("file in un formato più recente (versione {0}): aggiorna Quartiere")]
    NewerFormat(u8),
    #[error("scritto da una versione più recente di Quartiere: aggiorna il programma su questa postazione")]
    NewerSchema,
    #[error("file non leggibile ({0})")]
    Unreadable(String),
    #[error("scheda di postazione dove era atteso un pacchetto")]
    CardWhereFileExpected,
    #[error("l'intestazione non corrisponde al nome del file (file copiato, rinominato o riprodotto)")]
    NameMismatch,
    #[error("la postazione che lo ha scritto è stata rimossa dal gruppo: non viene applicato")]
    RemovedDesk,
    #[error("postazione sconosciuta: la sua scheda non è (ancora) nella cartella")]
    UnknownDesk,
    /// Encrypted with a team key this desk lacks; `key` is the key id's first characters.
    #[error(
        "cifrato con una chiave del gruppo che questa postazione non ha (chiave {key}): \
         se la chiave è stata cambiata, inserisci la nuova passphrase"
    )]
    MissingKey { key: String },
    #[error("firma non valida: il file non è stato scritto dalla postazione «{desk}» (falsificato o alterato)")]
    BadSignature { desk: String },
    #[error("il pacchetto contiene cambiamenti attribuiti a un'altra postazione")]
    ForeignChanges,
    #[error("scheda di postazione non corrispondente alla sua cartella")]
    CardMismatch,
    #[error("scheda cifrata con una chiave che questa postazione non ha ({key})")]
    CardMissingKey { key: String },
    #[error("scheda di postazione illeggibile")]
    CardUnreadable,
    #[error("firma della scheda di postazione non valida")]
    CardBadSignature,
    #[error("la scheda della postazione è cambiata: chiave di firma diversa da quella registrata (possibile falsificazione)")]
    CardKeyChanged,
    /// The same desk published two different files under one number: it was restored from a backup.
    #[error(
        "la postazione «{desk}» ha pubblicato due pacchetti diversi con lo stesso numero {seq}: \
         probabilmente è stata ripristinata da una copia di sicurezza e deve essere registrata di nuovo"
    )]
    Fork { desk: String, seq: u64 },
    /// A damaged copy of a bundle already applied from a whole copy: only reported.
    #[error("{0} (il pacchetto era già stato applicato da una copia integra)")]
    DamagedCopy(Box<Refusal>),
    /// A change its author's role did not allow at its time; `why` says which rule.
    #[error("contiene modifiche di «{author}», ma {why}")]
    NotAllowed { author: String, why: String },
    #[error("contiene eventi del registro degli accessi di un'altra postazione")]
    ForeignAuditEvents,
    #[error("riscrive un evento del registro degli accessi")]
    RewritesAuditEvent,
    #[error("lettura della copia iniziale interrotta da un errore interno: non è stata caricata")]
    LoadInterrupted,
    /// This desk's own next bundle number is taken in the folder: it must enrol again.
    #[error(
        "il pacchetto n. {seq} di questa postazione esiste già nella cartella: la postazione va registrata di nuovo"
    )]
    OwnBundleExists { seq: u64 },
    #[error("nella cartella esiste già una postazione con questo identificativo: registra di nuovo la postazione")]
    DeskIdTaken,
}

/// The kind of a [`Refusal`], without its data: what the sync screen and tests switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    Damaged,
    NewerFormat,
    NewerSchema,
    Unreadable,
    CardWhereFileExpected,
    NameMismatch,
    RemovedDesk,
    UnknownDesk,
    MissingKey,
    BadSignature,
    ForeignChanges,
    CardMismatch,
    CardMissingKey,
    CardUnreadable,
    CardBadSignature,
    CardKeyChanged,
    Fork,
    DamagedCopy,
    NotAllowed,
    ForeignAuditEvents,
    RewritesAuditEvent,
    LoadInterrupted,
    OwnBundleExists,
    DeskIdTaken,
}

impl RefusalKind {
    pub const ALL: [RefusalKind; 24] = [
        RefusalKind::Damaged,
        RefusalKind::NewerFormat,
        RefusalKind::NewerSchema,
        RefusalKind::Unreadable,
        RefusalKind::CardWhereFileExpected,
        RefusalKind::NameMismatch,
        RefusalKind::RemovedDesk,
        RefusalKind::UnknownDesk,
        RefusalKind::MissingKey,
        RefusalKind::BadSignature,
        RefusalKind::ForeignChanges,
        RefusalKind::CardMismatch,
        RefusalKind::CardMissingKey,
        RefusalKind::CardUnreadable,
        RefusalKind::CardBadSignature,
        RefusalKind::CardKeyChanged,
        RefusalKind::Fork,
        RefusalKind::DamagedCopy,
        RefusalKind::NotAllowed,
        RefusalKind::ForeignAuditEvents,
        RefusalKind::RewritesAuditEvent,
        RefusalKind::LoadInterrupted,
        RefusalKind::OwnBundleExists,
        RefusalKind::DeskIdTaken,
    ];

    /// The kind's stable code, as the desk's list of refused files stores it.
    pub fn code(self) -> &'static str {
        match self {
            RefusalKind::Damaged => "damaged",
            RefusalKind::NewerFormat => "newer_format",
            RefusalKind::NewerSchema => "newer_schema",
            RefusalKind::Unreadable => "unreadable",
            RefusalKind::CardWhereFileExpected => "card_where_file_expected",
            RefusalKind::NameMismatch => "name_mismatch",
            RefusalKind::RemovedDesk => "removed_desk",
            RefusalKind::UnknownDesk => "unknown_desk",
            RefusalKind::MissingKey => "missing_key",
            RefusalKind::BadSignature => "bad_signature",
            RefusalKind::ForeignChanges => "foreign_changes",
            RefusalKind::CardMismatch => "card_mismatch",
            RefusalKind::CardMissingKey => "card_missing_key",
            RefusalKind::CardUnreadable => "card_unreadable",
            RefusalKind::CardBadSignature => "card_bad_signature",
            RefusalKind::CardKeyChanged => "card_key_changed",
            RefusalKind::Fork => "fork",
            RefusalKind::DamagedCopy => "damaged_copy",
            RefusalKind::NotAllowed => "not_allowed",
            RefusalKind::ForeignAuditEvents => "foreign_audit_events",
            RefusalKind::RewritesAuditEvent => "rewrites_audit_event",
            RefusalKind::LoadInterrupted => "load_interrupted",
            RefusalKind::OwnBundleExists => "own_bundle_exists",
            RefusalKind::DeskIdTaken => "desk_id_taken",
        }
    }

    pub fn from_code(code: &str) -> Option<RefusalKind> {
        RefusalKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl Refusal {
    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::Damaged(_) => RefusalKind::Damaged,
            Refusal::NewerFormat(_) => RefusalKind::NewerFormat,
            Refusal::NewerSchema => RefusalKind::NewerSchema,
            Refusal::Unreadable(_) => RefusalKind::Unreadable,
            Refusal::CardWhereFileExpected => RefusalKind::CardWhereFileExpected,
            Refusal::NameMismatch => RefusalKind::NameMismatch,
            Refusal::RemovedDesk => RefusalKind::RemovedDesk,
            Refusal::UnknownDesk => RefusalKind::UnknownDesk,
            Refusal::MissingKey { .. } => RefusalKind::MissingKey,
            Refusal::BadSignature { .. } => RefusalKind::BadSignature,
            Refusal::ForeignChanges => RefusalKind::ForeignChanges,
            Refusal::CardMismatch => RefusalKind::CardMismatch,
            Refusal::CardMissingKey { .. } => RefusalKind::CardMissingKey,
            Refusal::CardUnreadable => RefusalKind::CardUnreadable,
            Refusal::CardBadSignature => RefusalKind::CardBadSignature,
            Refusal::CardKeyChanged => RefusalKind::CardKeyChanged,
            Refusal::Fork { .. } => RefusalKind::Fork,
            Refusal::DamagedCopy(_) => RefusalKind::DamagedCopy,
            Refusal::NotAllowed { .. } => RefusalKind::NotAllowed,
            Refusal::ForeignAuditEvents => RefusalKind::ForeignAuditEvents,
            Refusal::RewritesAuditEvent => RefusalKind::RewritesAuditEvent,
            Refusal::LoadInterrupted => RefusalKind::LoadInterrupted,
            Refusal::OwnBundleExists { .. } => RefusalKind::OwnBundleExists,
            Refusal::DeskIdTaken => RefusalKind::DeskIdTaken,
        }
    }
}

/// A fault met reading a file's bytes is that file's refusal.
impl From<SyncError> for Refusal {
    fn from(e: SyncError) -> Refusal {
        match e {
            SyncError::Refused(refusal) => refusal,
            SyncError::Version(v) => Refusal::NewerFormat(v),
            SyncError::Damaged(detail) => Refusal::Damaged(detail),
            other => Refusal::Damaged(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> Error {
        Error::Db(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some("raw English".into())))
    }

    /// Each failure of the database or the disk is named for what it is, with its own kind, and no
    /// library's English line reaches the operator.
    #[test]
    fn failures_are_named_in_italian() {
        let cases = [
            (sqlite(rusqlite::ffi::SQLITE_BUSY), ErrorKind::Busy, BUSY.to_string()),
            (sqlite(rusqlite::ffi::SQLITE_LOCKED), ErrorKind::Busy, BUSY.to_string()),
            (sqlite(rusqlite::ffi::SQLITE_FULL), ErrorKind::DiskFull, DISK_FULL.to_string()),
            (sqlite(rusqlite::ffi::SQLITE_READONLY), ErrorKind::ReadOnly, READ_ONLY.to_string()),
            (
                Error::Io(std::io::Error::from(std::io::ErrorKind::StorageFull)),
                ErrorKind::DiskFull,
                DISK_FULL.to_string(),
            ),
            (
                Error::Io(std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem)),
                ErrorKind::ReadOnly,
                READ_ONLY.to_string(),
            ),
            (
                Error::Io(std::io::Error::from(std::io::ErrorKind::NotADirectory)),
                ErrorKind::Io,
                "dove serve una cartella c'è un file: indica una cartella".to_string(),
            ),
            (
                sqlite(rusqlite::ffi::SQLITE_CONSTRAINT),
                ErrorKind::Database,
                "errore interno dell'archivio (codice 19): riprova; se si ripete, avvisa chi gestisce Quartiere"
                    .to_string(),
            ),
        ];
        for (error, kind, message) in cases {
            assert_eq!(error.kind(), kind, "{error:?}");
            assert_eq!(error.to_string(), message, "{error:?}");
            assert!(!error.to_string().contains("raw English"));
        }
        assert_eq!(BUSY, "l'archivio è occupato da un'altra operazione che non è finita in tempo: riprova tra poco (l'operazione non è stata registrata)");
    }
}
