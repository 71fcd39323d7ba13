//! The store: one SQLite file per desk, and the single write path that records every change.
//!
//! The connection is kept in `query_only` mode outside [`Store::write`], so a write that tries to go
//! around the change record fails with an error instead of silently escaping sync and audit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use uuid::Uuid;

use crate::access::{self, Action, Role};
use crate::backup::{self, BackupInfo, BackupReason};
use crate::clock::{Clock, Hlc};
use crate::error::{Error, Result};
use crate::hooks::StoreHooks;
use crate::ids::{DeskId, IdGen, OperatorId};
use crate::schema::{self, table_label, Table};
use crate::vault::{self, DbKey};

pub const DB_FILE_NAME: &str = "quartiere.sqlite";

/// Who makes a write: the desk and the operator at it. A parameter of every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub desk: DeskId,
    pub operator: OperatorId,
}

/// One column change as recorded in `change_log`.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub batch: Uuid,
    pub table: Table,
    pub row_id: Uuid,
    pub column: String,
    pub value: Value,
    pub hlc: Hlc,
    pub desk: DeskId,
    pub operator: OperatorId,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Box<dyn Clock>,
    ids: IdGen,
    hlc: Hlc,
    desk: DeskId,
    /// The current sync context (row of `sync_context`), recorded with every local change.
    ctx: Option<i64>,
    /// The key the file is encrypted with, kept to give a new operator a slot in the key file.
    key: DbKey,
    /// What the floors above do with every write (audit, search, snapshot base).
    hooks: &'static dyn StoreHooks,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, migrates it, and makes sure it knows
    /// its own desk. Operators sign in through the core's `accounts`, which unwraps the key and
    /// hands down the core's hooks.
    pub fn open_dir(
        dir: &Path,
        key: DbKey,
        clock: Box<dyn Clock>,
        ids: IdGen,
        hooks: &'static dyn StoreHooks,
    ) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        Store::open(&dir.join(DB_FILE_NAME), key, clock, ids, hooks)
    }

    /// Opens the encrypted database at `path` with `key` (SQLCipher: every page of the file and
    /// of its WAL is encrypted and authenticated). `hooks` are what every write must also do.
    pub fn open(
        path: &Path,
        key: DbKey,
        clock: Box<dyn Clock>,
        mut ids: IdGen,
        hooks: &'static dyn StoreHooks,
    ) -> Result<Store> {
        if is_plain_sqlite(path)? {
            return Err(Error::Unencrypted(path.display().to_string()));
        }
        // The key, the page size, and temporary files kept in memory (see `DbKey::pragma_for`).
        // The first read tells a wrong key (SQLCipher reports "file is not a database").
        let Some(mut conn) = vault::open_keyed(path, &key, rusqlite::OpenFlags::default())? else {
            return Err(Error::WrongKey(path.display().to_string()));
        };
        conn.busy_timeout(vault::BUSY_WAIT)?;
        // The write, merge and search paths keep a few dozen statements hot.
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache: a large merge keeps its index pages decrypted in memory instead of
        // spilling and re-reading them.
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        // Deleted and overwritten content is zeroed in its page, not left in free space.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // An upgrade changes the file: the old one is kept first, whole and encrypted.
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > 0 && found < schema::SCHEMA_VERSION {
            let dir = path.parent().unwrap_or(Path::new("."));
            let root = backup::root(dir, meta_get(&conn, "setting.backup.dir")?);
            let desk = meta_get(&conn, "desk_id")?.unwrap_or_default();
            let keys = vault::keys_path(dir);
            backup::write_backup(&conn, &key, &keys, &root, BackupReason::BeforeMigration, clock.now(), &desk)?;
        }
        schema::migrate(&mut conn)?;

        let desk = match meta_get(&conn, "desk_id")? {
            Some(text) => DeskId(parse_uuid(&text)?),
            None => {
                let desk = DeskId(ids.uuid_v7(clock.now().timestamp_millis() as u64));
                meta_set(&conn, "desk_id", &desk.to_string())?;
                desk
            }
        };
        let hlc = meta_get(&conn, "hlc")?.and_then(|v| v.parse::<i64>().ok()).map(Hlc::from_i64).unwrap_or_default();
        let ctx = meta_get(&conn, "sync.ctx")?.and_then(|v| v.parse::<i64>().ok());
        hooks.opened(&mut conn)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(Store { conn, path: path.to_owned(), clock, ids, hlc, desk, ctx, key, hooks })
    }

    /// Writes an encrypted backup of the database into `root` (see [`crate::backup`]).
    pub fn backup_into(&mut self, root: &Path, reason: BackupReason) -> Result<BackupInfo> {
        let now = self.clock.now();
        let (desk, keys) = (self.desk.to_string(), vault::keys_path(self.dir()));
        let Store { conn, key, .. } = self;
        conn.pragma_update(None, "query_only", "OFF")?;
        let written = backup::write_backup(conn, key, &keys, root, reason, now, &desk);
        conn.pragma_update(None, "query_only", "ON")?;
        written
    }

    /// Makes erased data unrecoverable from the files: `rewrite_derived` rewrites derived data
    /// (the search index's segments), then the database is vacuumed (with `secure_delete` on,
    /// freed pages were already zeroed) and the write-ahead log checkpointed and truncated. Runs
    /// after an erasure, here or arriving through sync.
    pub fn compact(&mut self, rewrite_derived: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
        self.with_writes_enabled(|conn| {
            rewrite_derived(conn)?;
            conn.execute("DELETE FROM local_meta WHERE key = 'privacy.compact_due'", [])?;
            conn.execute_batch("VACUUM;")?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }

    pub fn key(&self) -> &DbKey {
        &self.key
    }

    /// The folder holding the database and its key file.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The connection, for reading. Writing through it fails: the store is `query_only` here.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This database's own desk.
    pub fn desk(&self) -> DeskId {
        self.desk
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A fresh UUID v7, for ids needed before a write starts (an operator's own id).
    pub fn new_id(&mut self) -> Uuid {
        self.ids.uuid_v7(self.clock.now().timestamp_millis() as u64)
    }

    pub fn local_setting(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, &format!("setting.{key}"))
    }

    /// Local, per-desk settings (operator name, language): never synced, not in the change record.
    pub fn set_local_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.with_writes_enabled(|conn| meta_set(conn, &format!("setting.{key}"), value))
    }

    /// Runs `f` in one transaction; every column it writes is recorded in `change_log` with the
    /// actor and a fresh hybrid logical clock reading. If `f` fails, nothing is kept. Each table
    /// written must be one the actor's role may write ([`access::allows`]).
    pub fn write<T>(&mut self, actor: &Actor, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let role = access::active_role(&self.conn, actor.operator)?;
        self.write_as(actor, role, f)
    }

    /// [`Store::write`] with the role given: for the first operator of a new desk, whose row the
    /// write itself creates.
    pub fn write_as<T>(
        &mut self,
        actor: &Actor,
        role: Role,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let Store { conn, clock, ids, hlc, ctx, hooks, .. } = self;
        conn.pragma_update(None, "query_only", "OFF")?;
        let outcome = (|| -> Result<(T, Hlc)> {
            // Immediate: the write lock is taken at the start, so a second writer waits its turn
            // (busy timeout) instead of failing when it first writes.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let batch = ids.uuid_v7(clock.now().timestamp_millis() as u64);
            let mut writer = Writer {
                tx,
                actor: *actor,
                role,
                batch,
                clock: clock.as_ref(),
                ids,
                hlc: *hlc,
                ctx: *ctx,
                touched: BTreeSet::new(),
                created: BTreeSet::new(),
                first_seq: None,
                has_base: None,
                hooks: *hooks,
            };
            let value = f(&mut writer)?;
            hooks.before_commit(&mut writer)?;
            let Writer { tx, hlc: new_hlc, .. } = writer;
            meta_set(&tx, "hlc", &new_hlc.as_i64().to_string())?;
            tx.commit()?;
            Ok((value, new_hlc))
        })();
        conn.pragma_update(None, "query_only", "ON")?;
        let (value, new_hlc) = outcome?;
        *hlc = new_hlc;
        Ok(value)
    }

    /// Changes another desk made, applied by sync: one transaction with writes enabled and foreign
    /// keys off (a row may arrive before the row it refers to). `f` returns the newest clock reading
    /// it saw; this desk's clock moves past it so its next edit orders after everything it has seen.
    pub fn apply_tx<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<(T, Option<Hlc>)>) -> Result<T> {
        self.conn.pragma_update(None, "query_only", "OFF")?;
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let outcome = (|| -> Result<(T, Option<Hlc>)> {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (value, seen) = f(&tx)?;
            if let Some(seen) = seen {
                let next = self.hlc.observe(seen, self.clock.now().timestamp_millis() as u64);
                meta_set(&tx, "hlc", &next.as_i64().to_string())?;
                tx.commit()?;
                return Ok((value, Some(next)));
            }
            tx.commit()?;
            Ok((value, None))
        })();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.pragma_update(None, "query_only", "ON")?;
        let (value, next) = outcome?;
        if let Some(next) = next {
            self.hlc = next;
        }
        Ok(value)
    }

    /// [`Store::apply_tx`] for loading a snapshot into a new desk, where nearly every page the
    /// transaction writes is new. Under a rollback journal a page the file did not have needs no
    /// journal copy, so each is written once; under the write-ahead log it would be written twice
    /// (log, then checkpoint). The transaction stays atomic and durable either way, and the desk
    /// returns to the write-ahead log at once. A larger page cache keeps the transaction's pages
    /// in memory until it commits.
    pub fn bulk_apply_tx<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<(T, Option<Hlc>)>) -> Result<T> {
        self.conn.pragma_update(None, "query_only", "OFF")?;
        // Leaving the write-ahead log needs this connection alone on the file; if another holds it,
        // the load simply runs under the log.
        let switched = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
            .is_ok_and(|mode| mode.eq_ignore_ascii_case("delete"));
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        self.conn.pragma_update(None, "cache_spill", "OFF")?;
        let outcome = self.apply_tx(f);
        self.conn.pragma_update(None, "query_only", "OFF")?;
        self.conn.pragma_update(None, "cache_spill", "ON")?;
        self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        // A smaller cache setting alone keeps the pages already held; this gives them back.
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        if switched {
            self.conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        self.conn.pragma_update(None, "query_only", "ON")?;
        outcome
    }

    /// Writes to this desk's local tables (sync bookkeeping), never to synced ones.
    pub fn local_write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with_writes_enabled(|conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    /// Records what this desk has now applied from the others; its next changes carry it.
    pub fn set_sync_context(&mut self, frontier_json: &str) -> Result<()> {
        let id = self.local_write(|tx| {
            tx.execute("INSERT INTO sync_context (frontier) VALUES (?1)", [frontier_json])?;
            let id = tx.last_insert_rowid();
            meta_set(tx, "sync.ctx", &id.to_string())?;
            Ok(id)
        })?;
        self.ctx = Some(id);
        Ok(())
    }

    /// Gives this database a new desk identity (a desk restored from a backup re-enrols under a new
    /// id). Changes not yet published move to the new id; published ones keep their author.
    pub fn change_desk_id(&mut self, new: DeskId) -> Result<()> {
        let old = self.desk;
        self.local_write(|tx| {
            tx.execute(
                "UPDATE change_log SET desk_id = ?1 WHERE desk_id = ?2 AND origin_seq IS NULL",
                params![new, old],
            )?;
            self.hooks.desk_renamed(tx, old, new)?;
            meta_set(tx, "desk_id", &new.to_string())?;
            Ok(())
        })?;
        self.desk = new;
        Ok(())
    }

    /// Runs `f` with writes enabled on the connection, outside the change record: for this desk's
    /// local tables and derived data only (settings, sync bookkeeping, the search index), never a
    /// synced table.
    pub fn with_writes_enabled<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "query_only", "OFF")?;
        let outcome = f(&self.conn);
        self.conn.pragma_update(None, "query_only", "ON")?;
        outcome
    }

    /// Changes recorded after `after_seq`, in the order they were made.
    pub fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
        read_changes(&self.conn, after_seq, limit)
    }

    /// Rebuilds a database from a change record alone (for tests, and the base of sync apply).
    /// Returns how many rows it wrote.
    pub fn apply_changes(&mut self, changes: &[Change]) -> Result<usize> {
        self.with_writes_enabled(|conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let mut touched = BTreeSet::new();
            let mut rows = 0;
            for group in changes.chunk_by(|a, b| a.batch == b.batch && a.table == b.table && a.row_id == b.row_id) {
                let first = &group[0];
                upsert_row(&tx, first.table, first.row_id, group.iter().map(|c| (c.column.as_str(), &c.value)))?;
                for c in group {
                    tx.execute(
                        "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            c.batch.to_string(),
                            c.table.name(),
                            c.row_id.to_string(),
                            c.column,
                            c.value,
                            c.hlc.as_i64(),
                            c.desk,
                            c.operator
                        ],
                    )?;
                }
                touched.insert((first.table, first.row_id));
                rows += 1;
            }
            self.hooks.replayed(&tx, &touched)?;
            tx.commit()?;
            Ok(rows)
        })
    }
}

/// The only way to write to a synced table. Borrowed from [`Store::write`].
pub struct Writer<'s> {
    tx: Transaction<'s>,
    actor: Actor,
    role: Role,
    batch: Uuid,
    clock: &'s dyn Clock,
    ids: &'s mut IdGen,
    hlc: Hlc,
    ctx: Option<i64>,
    touched: BTreeSet<(Table, Uuid)>,
    /// The rows this write inserted (a subset of `touched`).
    created: BTreeSet<(Table, Uuid)>,
    /// The change record's number for this write's first change, once it has one.
    first_seq: Option<i64>,
    /// Whether the desk keeps rows in the snapshot base, asked once per write (most desks never do).
    has_base: Option<bool>,
    hooks: &'static dyn StoreHooks,
}

impl Writer<'_> {
    /// Reads inside the same transaction.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn new_id(&mut self) -> Uuid {
        let ms = self.clock.now().timestamp_millis() as u64;
        self.ids.uuid_v7(ms)
    }

    /// The id shared by every change of this write.
    pub fn batch(&self) -> Uuid {
        self.batch
    }

    /// The change record's number for this write's first change (`None` before it records one):
    /// its changes are that one and later ones.
    pub fn first_change_seq(&self) -> Option<i64> {
        self.first_seq
    }

    /// The rows this write has written so far.
    pub fn touched(&self) -> &BTreeSet<(Table, Uuid)> {
        &self.touched
    }

    /// The rows this write inserted, rather than changed.
    pub fn created(&self) -> &BTreeSet<(Table, Uuid)> {
        &self.created
    }

    /// Appends a row to the audit log: only the core's `audit` module calls this, for any role.
    pub fn insert_audit(&mut self, id: Uuid, values: &[(&str, Value)]) -> Result<()> {
        check_columns(Table::AuditEvent, values.iter().map(|(c, _)| *c))?;
        upsert_row(&self.tx, Table::AuditEvent, id, values.iter().map(|(c, v)| (*c, v)))?;
        for (column, value) in values {
            self.record(Table::AuditEvent, id, column, value)?;
        }
        self.touched.insert((Table::AuditEvent, id));
        Ok(())
    }

    fn refuse_audit(table: Table) -> Result<()> {
        if table == Table::AuditEvent {
            return Err(Error::Forbidden {
                message: "il registro degli accessi si scrive da solo e non si modifica".into(),
            });
        }
        Ok(())
    }

    /// Inserts a new row with the given columns.
    pub fn insert(&mut self, table: Table, id: Uuid, values: &[(&str, Value)]) -> Result<()> {
        Self::refuse_audit(table)?;
        check_columns(table, values.iter().map(|(c, _)| *c))?;
        upsert_row(&self.tx, table, id, values.iter().map(|(c, v)| (*c, v)))?;
        for (column, value) in values {
            self.record(table, id, column, value)?;
        }
        self.touched.insert((table, id));
        self.created.insert((table, id));
        Ok(())
    }

    /// Sets the given columns of an existing row. Only columns whose value really changes are
    /// written and recorded; returns how many changed.
    pub fn update(&mut self, table: Table, id: Uuid, values: &[(&str, Value)]) -> Result<usize> {
        Self::refuse_audit(table)?;
        check_columns(table, values.iter().map(|(c, _)| *c))?;
        let columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
        let sql = format!("SELECT {} FROM {} WHERE id = ?1", columns.join(", "), table.name());
        let current: Option<Vec<Value>> = self
            .tx
            .query_row(&sql, [id.to_string()], |row| (0..columns.len()).map(|i| row.get::<_, Value>(i)).collect())
            .optional()?;
        let Some(current) = current else {
            return Err(Error::NotFound { what: table_label(table), key: id.to_string() });
        };
        // The columns that change: their new values, and the values they replace.
        let (changed, old): (Vec<Cell<'_>>, Vec<Cell<'_>>) = values
            .iter()
            .zip(&current)
            .filter(|((_, new), old)| !same_value(new, old))
            .map(|((c, new), old)| ((*c, new), (*c, old)))
            .unzip();
        if changed.is_empty() {
            return Ok(0);
        }
        let fixed = table.fixed_columns();
        if let Some(((column, _), _)) = changed.iter().zip(&old).find(|((c, new), (_, old))| {
            fixed.contains(c) && !matches!(old, Value::Null) && !matches!(new, Value::Null)
        }) {
            return Err(Error::Forbidden {
                message: format!(
                    "«{column}» di {} è fissato quando è stato scritto e non si cambia",
                    table_label(table)
                ),
            });
        }
        if self.has_base()? {
            self.hooks.replacing(&self.tx, table, id, &old)?;
        }
        upsert_row(&self.tx, table, id, changed.iter().copied())?;
        for (column, value) in &changed {
            self.record(table, id, column, value)?;
        }
        self.touched.insert((table, id));
        Ok(changed.len())
    }

    /// Writes the given columns even when they already hold these values, so the write wins
    /// everywhere over older values: how a conflict is settled.
    pub fn reassert(&mut self, table: Table, id: Uuid, values: &[(&str, Value)]) -> Result<()> {
        Self::refuse_audit(table)?;
        check_columns(table, values.iter().map(|(c, _)| *c))?;
        if self.has_base()? {
            let columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
            self.hooks.reasserting(&self.tx, table, id, &columns)?;
        }
        // Writing every given column and recording each is exactly what an insert does.
        self.insert(table, id, values)
    }

    /// Marks a row deleted. Rows are never removed, so other desks and the history see the deletion.
    pub fn tombstone(&mut self, table: Table, id: Uuid) -> Result<()> {
        self.update(table, id, &[("deleted", Value::Integer(1))]).map(|_| ())
    }

    fn has_base(&mut self) -> Result<bool> {
        if self.has_base.is_none() {
            self.has_base = Some(self.hooks.keeps_cells_outside_the_record(&self.tx)?);
        }
        Ok(self.has_base == Some(true))
    }

    fn record(&mut self, table: Table, id: Uuid, column: &str, value: &Value) -> Result<()> {
        if let Some(action) = Action::writing(table) {
            access::check(self.role, action)?;
        }
        self.hlc = self.hlc.tick(self.clock.now().timestamp_millis() as u64);
        self.tx
            .prepare_cached(
                "INSERT INTO change_log (batch, tbl, row_id, col, value, hlc, desk_id, operator_id, ctx)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                self.batch.to_string(),
                table.name(),
                id.to_string(),
                column,
                value,
                self.hlc.as_i64(),
                self.actor.desk,
                self.actor.operator,
                self.ctx
            ])?;
        self.first_seq.get_or_insert(self.tx.last_insert_rowid());
        Ok(())
    }
}

/// True if `path` is an unencrypted SQLite file (its first 16 bytes are the SQLite header).
fn is_plain_sqlite(path: &Path) -> Result<bool> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else { return Ok(false) };
    let mut head = [0u8; 16];
    match file.read_exact(&mut head) {
        Ok(()) => Ok(&head == b"SQLite format 3\0"),
        Err(_) => Ok(false),
    }
}

fn check_columns<'a>(table: Table, mut columns: impl Iterator<Item = &'a str>) -> Result<()> {
    match columns.find(|c| !table.has_column(c)) {
        // A programming error, but reported as an error rather than a panic.
        Some(c) => Err(Error::invalid(c, format!("la colonna non esiste nella tabella {}", table.name()))),
        None => Ok(()),
    }
}

/// A column and a value of it.
type Cell<'v> = (&'v str, &'v Value);

pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Writes the given columns of one row, creating it if missing. Column names must have been
/// checked against the table's list.
pub fn upsert_row<'v>(
    conn: &Connection,
    table: Table,
    id: Uuid,
    values: impl Iterator<Item = (&'v str, &'v Value)>,
) -> Result<()> {
    let id_text = Value::Text(id.to_string());
    // Columns in the table's order: the statement's text then depends only on the table and the
    // set of columns written, and is built once for each (a merge of a large bundle writes tens
    // of thousands of rows with a handful of shapes).
    // A column given twice (a row inserted and changed again in one write, replayed as one
    // group) takes its last value, as the write itself did.
    let mut cells: Vec<(Option<usize>, &str, &Value)> = Vec::new();
    for (c, v) in values {
        match cells.iter_mut().find(|(_, k, _)| *k == c) {
            Some(cell) => cell.2 = v,
            None => cells.push((table.columns().iter().position(|k| *k == c), c, v)),
        }
    }
    cells.sort_by_key(|(i, _, _)| *i);
    let mask = cells.iter().try_fold(0u64, |mask, (i, _, _)| i.map(|i| mask | 1 << i));
    let mut all: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(cells.len() + 1);
    all.push(&id_text);
    all.extend(cells.iter().map(|(_, _, v)| *v as &dyn rusqlite::ToSql));
    let build = || upsert_sql(table, &cells.iter().map(|(_, c, _)| *c).collect::<Vec<_>>());
    match mask {
        // Every column known and none repeated.
        Some(mask) if mask.count_ones() as usize == cells.len() => UPSERT_SQL.with(|cache| -> Result<()> {
            let mut cache = cache.borrow_mut();
            let sql = cache.entry((table, mask)).or_insert_with(build);
            conn.prepare_cached(sql)?.execute(all.as_slice())?;
            Ok(())
        }),
        _ => {
            conn.prepare_cached(&build())?.execute(all.as_slice())?;
            Ok(())
        }
    }
}

thread_local! {
    /// [`upsert_row`]'s statements by table and set of columns.
    static UPSERT_SQL: std::cell::RefCell<std::collections::HashMap<(Table, u64), String>> = Default::default();
}

fn upsert_sql(table: Table, columns: &[&str]) -> String {
    if columns.is_empty() {
        return format!("INSERT OR IGNORE INTO {} (id) VALUES (?1)", table.name());
    }
    let placeholders: Vec<String> = (2..columns.len() + 2).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = columns.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    format!(
        "INSERT INTO {t} (id, {cols}) VALUES (?1, {ph}) ON CONFLICT (id) DO UPDATE SET {up}",
        t = table.name(),
        cols = columns.join(", "),
        ph = placeholders.join(", "),
        up = updates.join(", "),
    )
}

fn read_changes(conn: &Connection, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, batch, tbl, row_id, col, value, hlc, desk_id, operator_id
         FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after_seq, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Value>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, DeskId>(7)?,
            r.get::<_, OperatorId>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, batch, tbl, row_id, column, value, hlc, desk, operator) = row?;
        let table =
            Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
        out.push(Change {
            seq,
            batch: parse_uuid(&batch)?,
            table,
            row_id: parse_uuid(&row_id)?,
            column,
            value,
            hlc: Hlc::from_i64(hlc),
            desk,
            operator,
        });
    }
    Ok(out)
}

/// Runs `f` (a bulk load into `table`) with the table's own indexes dropped, then builds them again:
/// an index built once from all the rows is much cheaper than one grown row by row.
pub fn without_indexes<T>(conn: &Connection, table: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let indexes = drop_indexes(conn, table)?;
    let value = f()?;
    restore_indexes(conn, &indexes)?;
    Ok(value)
}

/// A table's own indexes (name, SQL), dropped: [`restore_indexes`] builds them again.
pub fn drop_indexes(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    let indexes: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL",
        )?
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    Ok(indexes)
}

/// Builds again the indexes [`drop_indexes`] dropped.
pub fn restore_indexes(conn: &Connection, indexes: &[(String, String)]) -> Result<()> {
    for (_, sql) in indexes {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// The page cache of a connection, as SQLite writes it (negative: KiB).
const CACHE_KIB: i64 = -65_536;

/// A canonical text dump of every synced table: two databases with the same data give the same
/// dump whatever order their changes arrived in.
pub fn canonical_dump(conn: &Connection) -> Result<String> {
    let mut out = String::new();
    for table in Table::ALL {
        let cols = table.columns().join(", ");
        let mut stmt = conn.prepare(&format!("SELECT id, {cols} FROM {} ORDER BY id", table.name()))?;
        let width = table.columns().len() + 1;
        let mut rows = stmt.query([])?;
        out.push_str(&format!("[{}]\n", table.name()));
        while let Some(row) = rows.next()? {
            let cells: Vec<String> = (0..width)
                .map(|i| row.get::<_, Value>(i).map(|v| format!("{v:?}")))
                .collect::<rusqlite::Result<_>>()?;
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    Ok(out)
}

pub fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| Error::invalid("id", format!("identificativo non valido: {text}")))
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM local_meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO local_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
