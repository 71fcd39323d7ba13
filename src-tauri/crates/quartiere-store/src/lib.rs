//! Quartiere's bottom floor: the encrypted store and its change record.
//!
//! It owns ids, clocks, the error vocabulary, the cryptographic primitives, the desk's key file,
//! the schema and its migrations, the roles' permission table, backups of the file, and the
//! [`store::Store`] with its one write path ([`store::Writer`]), which records one change row per
//! column in the same transaction. It names no floor above it: what a write must also do (the
//! audit event, the search index, the snapshot base) comes down as [`hooks::StoreHooks`].
//!
//! Invariants (see ARCHITECTURE.md): time and randomness come in through [`clock::Clock`] and
//! [`ids::IdGen`]; nothing here logs personal data; no Tauri, no UI, no process-wide state.

pub mod access;
pub mod backup;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod files;
pub mod hooks;
pub mod ids;
pub mod schema;
pub mod store;
pub mod text;
pub mod vault;

pub use error::{Error, ErrorKind, FieldError, Refusal, RefusalKind, Result};
pub use store::{Actor, Store};
