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
    #[error("{what} non trovato: {key}")]
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
    #[error("{0}")]
    Sync(#[from] SyncError),
    #[error("errore dell'archivio: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("errore di lettura o scrittura: {0}")]
    Io(#[from] std::io::Error),
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
    WrongPassphrase,
    NotEnrolled,
    FolderUnreachable,
    Sync,
    Database,
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
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::NotEnrolled => "not_enrolled",
            ErrorKind::FolderUnreachable => "folder_unreachable",
            ErrorKind::Sync => "sync",
            ErrorKind::Database => "database",
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
            Error::Sync(SyncError::WrongPassphrase) => ErrorKind::WrongPassphrase,
            Error::Sync(SyncError::NotEnrolled) => ErrorKind::NotEnrolled,
            Error::Sync(SyncError::FolderUnreachable(_)) => ErrorKind::FolderUnreachable,
            Error::Sync(_) => ErrorKind::Sync,
            Error::Db(_) => ErrorKind::Database,
            Error::Io(_) => ErrorKind::Io,
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
    #[error("passphrase errata: controlla maiuscole, spazi e accenti e riprova")]
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
    Refused(String),
}

impl From<std::io::Error> for SyncError {
    fn from(e: std::io::Error) -> SyncError {
        SyncError::Refused(format!("errore di lettura: {e}"))
    }
}
