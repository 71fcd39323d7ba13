//! The core's error type. Every message is a complete Italian sentence an operator can act on.

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
    Sync(#[from] crate::sync::SyncError),
    #[error("errore dell'archivio: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("errore di lettura o scrittura: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A stable machine-readable kind, for the UI to choose its sentence.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::Ambiguous { .. } => "ambiguous",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Forbidden { .. } => "forbidden",
            Error::WrongCredentials => "wrong_credentials",
            Error::WrongKey(_) => "wrong_key",
            Error::Unencrypted(_) => "unencrypted",
            Error::Import(_) => "import",
            Error::Sync(crate::sync::SyncError::WrongPassphrase) => "wrong_passphrase",
            Error::Sync(crate::sync::SyncError::NotEnrolled) => "not_enrolled",
            Error::Sync(crate::sync::SyncError::FolderUnreachable(_)) => "folder_unreachable",
            Error::Sync(_) => "sync",
            Error::Db(_) => "database",
            Error::Io(_) => "io",
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }
}

fn join(errors: &[FieldError]) -> String {
    errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}
