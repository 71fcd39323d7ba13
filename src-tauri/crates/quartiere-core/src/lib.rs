//! Quartiere's core: sync and the domain over the store, with no UI and no Tauri.
//!
//! The store (`quartiere-store`) is the floor below: its modules are re-exported here under the
//! same names, so `quartiere_core::store::Store` is the store's. What every write must also do
//! (the audit event, the search index, the snapshot base) is composed in [`hooks`] and handed
//! down to the store when it opens.
//!
//! Invariants (see ARCHITECTURE.md):
//! - every write to a synced table goes through [`store::Writer`], which records one change row per
//!   column in the same transaction;
//! - time and randomness come in through [`clock::Clock`] and [`ids::IdGen`], never from globals;
//! - nothing here logs personal data.

/// The document engine (Typst templates to PDF), for callers that pass the lab's template folder.
pub use quartiere_docs as docs;
pub use quartiere_store::{access, clock, crypto, error, files, ids, schema, store, text, vault};

pub mod accounts;
pub mod activities;
pub mod arrears;
pub mod audit;
pub mod backup;
pub mod bundle;
pub mod cases;
pub mod cf;
pub mod codes;
pub mod demo;
pub mod desk;
pub mod draft;
pub mod format;
pub mod hooks;
pub mod import;
pub mod indicators;
pub mod places;
pub mod printing;
pub mod privacy;
pub mod project;
pub mod registry;
pub mod search;
pub mod sync;
#[cfg(test)]
mod test_support;
pub mod training;

pub use error::{Error, ErrorKind, FieldError, Refusal, RefusalKind, Result};
pub use hooks::HOOKS;
pub use store::{Actor, Store};
