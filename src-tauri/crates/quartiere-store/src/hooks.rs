//! What a write must also do, decided a floor above the store and handed down when it opens.
//!
//! The store records every change; it knows nothing of the audit log, the search index or the
//! snapshot base that sync keeps. The core composes those in one implementation of
//! [`StoreHooks`] and passes it to [`crate::store::Store::open`]; the store calls it at fixed
//! points of its own work, inside the same transaction, so a hook that fails undoes the write.

use rusqlite::types::Value;
use rusqlite::Connection;
use uuid::Uuid;

use crate::error::Result;
use crate::ids::DeskId;
use crate::schema::Table;
use crate::store::Writer;

/// The points where the floors above join the store's work.
pub trait StoreHooks: Sync {
    /// The file is open and migrated, still writable: derived data a migration left due is made
    /// again, and the connection is prepared for the floors above.
    fn opened(&self, conn: &mut Connection) -> Result<()>;

    /// A local write is about to commit; [`Writer::touched`] lists its rows. What is written here
    /// (the audit event) is part of the write.
    fn before_commit(&self, writer: &mut Writer<'_>) -> Result<()>;

    /// Rows were written by replaying a change record ([`crate::store::Store::apply_changes`]).
    fn replayed(&self, tx: &Connection, touched: &std::collections::BTreeSet<(Table, Uuid)>) -> Result<()>;

    /// Whether some cells of this desk keep their clocks outside the change record. Asked once
    /// per write; when false, [`StoreHooks::replacing`] and [`StoreHooks::reasserting`] are not called.
    fn keeps_cells_outside_the_record(&self, tx: &Connection) -> Result<bool>;

    /// A local update is about to replace these cells of a row, which hold the values given.
    fn replacing(&self, tx: &Connection, table: Table, id: Uuid, old: &[(&str, &Value)]) -> Result<()>;

    /// A local write is about to write these columns of a row again, whatever they hold.
    fn reasserting(&self, tx: &Connection, table: Table, id: Uuid, columns: &[&str]) -> Result<()>;

    /// This database took a new desk identity (inside the transaction that changes it).
    fn desk_renamed(&self, tx: &Connection, old: DeskId, new: DeskId) -> Result<()>;
}

/// The store alone: no audit, no derived data, no snapshot base. For the store's own tests and for
/// tools that read a database without the floors above.
pub struct NoHooks;

impl StoreHooks for NoHooks {
    fn opened(&self, _: &mut Connection) -> Result<()> {
        Ok(())
    }
    fn before_commit(&self, _: &mut Writer<'_>) -> Result<()> {
        Ok(())
    }
    fn replayed(&self, _: &Connection, _: &std::collections::BTreeSet<(Table, Uuid)>) -> Result<()> {
        Ok(())
    }
    fn keeps_cells_outside_the_record(&self, _: &Connection) -> Result<bool> {
        Ok(false)
    }
    fn replacing(&self, _: &Connection, _: Table, _: Uuid, _: &[(&str, &Value)]) -> Result<()> {
        Ok(())
    }
    fn reasserting(&self, _: &Connection, _: Table, _: Uuid, _: &[&str]) -> Result<()> {
        Ok(())
    }
    fn desk_renamed(&self, _: &Connection, _: DeskId, _: DeskId) -> Result<()> {
        Ok(())
    }
}
