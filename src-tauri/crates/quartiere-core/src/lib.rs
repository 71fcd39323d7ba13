//! Quartiere's core: everything the desktop shell and the CLI do, with no UI and no Tauri.
//!
//! Invariants (see ARCHITECTURE.md):
//! - every write to a synced table goes through [`store::Writer`], which records one change row per
//!   column in the same transaction;
//! - time and randomness come in through [`clock::Clock`] and [`ids::IdGen`], never from globals;
//! - nothing here logs personal data.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod backup;
pub mod cf;
pub mod clock;
pub mod codes;
pub mod demo;
pub mod desk;
pub mod error;
mod files;
pub mod format;
pub mod ids;
pub mod import;
pub mod pdf;
pub mod privacy;
pub mod registry;
pub mod schema;
pub mod search;
pub mod store;
pub mod sync;
pub mod text;
pub mod vault;

pub use error::{Error, FieldError, Result};
pub use store::{Actor, Store};
