//! What every write must also do, composed in one place and handed down to the store.
//!
//! The store records each change and calls these hooks at fixed points, inside its transaction:
//! - a local write appends its `edit` event to the audit log ([`crate::audit`]) and refreshes the
//!   search index for the rows it touched ([`crate::search`]);
//! - a replayed change record refreshes the search index too;
//! - a local edit of a cell whose clock lives in the snapshot base first records the value it
//!   replaces ([`crate::sync`]'s base), as the merge does;
//! - a desk that takes a new identity carries its audit chain over to it.
//!
//! Every store the core opens gets [`HOOKS`]; the store alone (`quartiere_store::hooks::NoHooks`)
//! is only for the store's own tests.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::Connection;
use uuid::Uuid;

use crate::audit;
use crate::error::Result;
use crate::ids::DeskId;
use crate::schema::Table;
use crate::search;
use crate::store::{meta_get, Writer};
use crate::sync::{base, merge};
pub use quartiere_store::hooks::StoreHooks;

/// The core's hooks: audit, search, snapshot base.
pub struct CoreHooks;

/// The one instance every store the core opens is given.
pub static HOOKS: CoreHooks = CoreHooks;

impl StoreHooks for CoreHooks {
    fn opened(&self, conn: &mut Connection) -> Result<()> {
        // A migration that redefined the search index left it empty: it is derived data, made
        // again from the tables, whole or not at all.
        if meta_get(conn, search::REBUILD_DUE)?.is_some() {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            search::rebuild(&tx)?;
            tx.execute("DELETE FROM local_meta WHERE key = ?1", [search::REBUILD_DUE])?;
            tx.commit()?;
        }
        search::attach_vocabulary(conn)
    }

    fn before_commit(&self, writer: &mut Writer<'_>) -> Result<()> {
        let edited: Vec<(Table, Uuid)> =
            writer.touched().iter().filter(|(t, _)| *t != Table::AuditEvent).copied().collect();
        if !edited.is_empty() {
            audit::append_edit(writer, &edited)?;
        }
        search::refresh(writer.conn(), writer.touched())
    }

    fn replayed(&self, tx: &Connection, touched: &BTreeSet<(Table, Uuid)>) -> Result<()> {
        search::refresh(tx, touched)
    }

    fn keeps_cells_outside_the_record(&self, tx: &Connection) -> Result<bool> {
        base::any(tx)
    }

    fn replacing(&self, tx: &Connection, table: Table, id: Uuid, old: &[(&str, &Value)]) -> Result<()> {
        base::keep_replaced(tx, table, id, old)
    }

    fn reasserting(&self, tx: &Connection, table: Table, id: Uuid, columns: &[&str]) -> Result<()> {
        let Some(current) = merge::row_values(tx, table, id)? else { return Ok(()) };
        let old: Vec<(&str, Value)> = columns.iter().map(|c| (*c, merge::column_value(table, &current, c))).collect();
        base::keep_replaced(tx, table, id, &old.iter().map(|(c, v)| (*c, v)).collect::<Vec<_>>())
    }

    fn desk_renamed(&self, tx: &Connection, old: DeskId, new: DeskId) -> Result<()> {
        audit::rechain(tx, old, new)
    }
}
