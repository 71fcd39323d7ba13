//! The audit log: who signed in (or failed to), who read a person's record or the desk's log, who
//! changed, exported or printed what, when and at which desk.
//!
//! Events live in the synced table `audit_event`, so every desk holds every desk's log. Each desk
//! appends only to its own chain: event `seq` n of a desk carries the SHA-256 `hash` of its own
//! fields and of event n-1's hash (`prev_hash`), so an edited, removed or inserted event breaks the
//! chain where [`verify`] looks. An edit event also carries the digest of the changes its write
//! recorded in `change_log`, so rewriting a recorded change shows too. Events name residents by id
//! only: the log holds no name, no codice fiscale, no value.
//!
//! The core writes the log itself: the write path adds an edit event to every write, the read
//! functions of people and desk records add a read event, signing in adds a login. Nobody writes
//! an event through a form, and no role may edit one.
//!
//! A failed unlock happens before the database is open, so it is kept in a small file beside the
//! key file ([`PENDING_FILE_NAME`]: time and operator id, no passphrase, no typed name) and moved
//! into the chain at the next sign-in.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::{self, Action, Role};
use crate::crypto::hex;
use crate::error::{Error, Result};
use crate::files::write_whole;
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;
use crate::store::{parse_uuid, Actor, Store, Writer};

/// Failed unlocks waiting for the next sign-in, one JSON object per line.
pub const PENDING_FILE_NAME: &str = "quartiere.tentativi";
/// At most this many pending failed unlocks are kept (a guessing machine cannot fill the disk).
const PENDING_MAX: usize = 10_000;
/// A second read of the same record by the same operator within this window is not logged again.
const READ_WINDOW_MINUTES: i64 = 5;
/// The domain separator of the hash, and the version of the rule in `docs/audit-log.md`.
pub const HASH_RULE: &str = "quartiere-audit/1";

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    Login,
    Logout,
    FailedUnlock,
    Read,
    Edit,
    Export,
    Print,
    Backup,
    Restore,
    /// An operator's answer to a doubt the app showed (who a row of a list is).
    Decision,
}

impl AuditKind {
    pub const ALL: [AuditKind; 10] = [
        AuditKind::Login,
        AuditKind::Logout,
        AuditKind::FailedUnlock,
        AuditKind::Read,
        AuditKind::Edit,
        AuditKind::Export,
        AuditKind::Print,
        AuditKind::Backup,
        AuditKind::Restore,
        AuditKind::Decision,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::Logout => "logout",
            AuditKind::FailedUnlock => "failed_unlock",
            AuditKind::Read => "read",
            AuditKind::Edit => "edit",
            AuditKind::Export => "export",
            AuditKind::Print => "print",
            AuditKind::Backup => "backup",
            AuditKind::Restore => "restore",
            AuditKind::Decision => "decision",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Login => "accesso",
            AuditKind::Logout => "uscita",
            AuditKind::FailedUnlock => "accesso non riuscito",
            AuditKind::Read => "consultazione",
            AuditKind::Edit => "inserimento o modifica",
            AuditKind::Export => "esportazione",
            AuditKind::Print => "stampa",
            AuditKind::Backup => "copia di sicurezza",
            AuditKind::Restore => "ripristino",
            AuditKind::Decision => "decisione",
        }
    }
}

/// An event about to be appended.
pub(crate) struct NewEvent {
    pub kind: AuditKind,
    pub at: DateTime<Utc>,
    pub subject: Option<(Table, Uuid)>,
    pub detail: String,
    pub batch: Option<Uuid>,
    pub digest: Option<String>,
}

/// One stored event, every column as stored: what the hash covers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EventRow {
    pub id: String,
    pub desk_id: String,
    pub seq: i64,
    pub at: String,
    pub operator_id: String,
    pub kind: String,
    pub subject_table: Option<String>,
    pub subject_id: Option<String>,
    pub detail: String,
    pub batch: Option<String>,
    pub digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

const ROW_COLUMNS: &str = "id, desk_id, seq, at, operator_id, kind, subject_table, subject_id, detail, batch, digest, \
                           prev_hash, hash";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        desk_id: r.get(1)?,
        seq: r.get(2)?,
        at: r.get(3)?,
        operator_id: r.get(4)?,
        kind: r.get(5)?,
        subject_table: r.get(6)?,
        subject_id: r.get(7)?,
        detail: r.get(8)?,
        batch: r.get(9)?,
        digest: r.get(10)?,
        prev_hash: r.get(11)?,
        hash: r.get(12)?,
    })
}

impl EventRow {
    /// SHA-256 over the rule's name and every field but `hash`, each as a 4-byte big-endian length
    /// and its UTF-8 bytes (an absent field as length 0xFFFFFFFF), in column order; lower-case hex.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(HASH_RULE.as_bytes());
        let seq = self.seq.to_string();
        let fields: [Option<&str>; 12] = [
            Some(&self.id),
            Some(&self.desk_id),
            Some(&seq),
            Some(&self.at),
            Some(&self.operator_id),
            Some(&self.kind),
            self.subject_table.as_deref(),
            self.subject_id.as_deref(),
            Some(&self.detail),
            self.batch.as_deref(),
            self.digest.as_deref(),
            Some(&self.prev_hash),
        ];
        for field in fields {
            hash_field(&mut h, field.map(str::as_bytes));
        }
        hex(&h.finalize())
    }
}

fn hash_field(h: &mut Sha256, field: Option<&[u8]>) {
    match field {
        Some(bytes) => {
            h.update((bytes.len() as u32).to_be_bytes());
            h.update(bytes);
        }
        None => h.update(u32::MAX.to_be_bytes()),
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The digest of the changes a write recorded (every table but the log itself), in the order
/// they were made: table, row, column, value (typed), clock, operator. `None` if there are none.
/// `from_seq` is the first change the write recorded: the search is a range of the change record,
/// not a pass over all of it. The write's own changes are read in the order they were recorded
/// (`seq`): each took a new tick of the desk's clock, so that order is the clock's, the order the
/// check ([`batch_digests`]) uses, and a write of millions of changes needs no sort (which, with
/// temporary data kept in memory, held them all at once).
pub(crate) fn batch_digest(conn: &Connection, batch: &str, from_seq: i64) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tbl, row_id, col, value, hlc, operator_id FROM change_log
         WHERE seq >= ?2 AND batch = ?1 AND tbl <> 'audit_event' ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![batch, from_seq])?;
    let mut digest: Option<Sha256> = None;
    while let Some(r) = rows.next()? {
        hash_change(digest.get_or_insert_with(changes_hasher), r, 0)?;
    }
    Ok(digest.map(|h| hex(&h.finalize())))
}

/// The digests of many writes ([`batch_digest`]), in one pass over the change record: checking a
/// log of thousands of edits costs one scan, not one per edit. A write with no change is absent.
fn batch_digests(conn: &Connection, batches: &BTreeSet<&str>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if batches.is_empty() {
        return Ok(out);
    }
    let wanted = serde_json::to_string(batches).map_err(|e| Error::invalid("batch", e.to_string()))?;
    let mut stmt = conn.prepare(
        "SELECT batch, tbl, row_id, col, value, hlc, operator_id FROM change_log
         WHERE tbl <> 'audit_event' AND batch IN (SELECT value FROM json_each(?1))
         ORDER BY batch, hlc, tbl, row_id, col",
    )?;
    let mut rows = stmt.query([wanted])?;
    let mut current: Option<(String, Sha256)> = None;
    while let Some(r) = rows.next()? {
        let batch: String = r.get(0)?;
        if current.as_ref().is_none_or(|(b, _)| *b != batch) {
            if let Some((done, h)) = current.replace((batch, changes_hasher())) {
                out.insert(done, hex(&h.finalize()));
            }
        }
        if let Some((_, h)) = current.as_mut() {
            hash_change(h, r, 1)?;
        }
    }
    if let Some((done, h)) = current {
        out.insert(done, hex(&h.finalize()));
    }
    Ok(out)
}

fn changes_hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update(b"quartiere-changes/1");
    h
}

/// Adds one change to a write's digest: its table, row, column, value, clock and operator, read
/// from `r` starting at column `at`.
fn hash_change(h: &mut Sha256, r: &rusqlite::Row<'_>, at: usize) -> Result<()> {
    for i in [at, at + 1, at + 2] {
        hash_field(h, Some(r.get::<_, String>(i)?.as_bytes()));
    }
    let value = match r.get::<_, Value>(at + 3)? {
        Value::Null => "n".to_string(),
        Value::Integer(i) => format!("i{i}"),
        Value::Real(x) => format!("r{:016x}", x.to_bits()),
        Value::Text(t) => format!("t{t}"),
        Value::Blob(b) => format!("b{}", hex(&b)),
    };
    hash_field(h, Some(value.as_bytes()));
    hash_field(h, Some(r.get::<_, i64>(at + 4)?.to_string().as_bytes()));
    hash_field(h, Some(r.get::<_, String>(at + 5)?.as_bytes()));
    Ok(())
}

/// The last event of a desk's chain: its place and hash (0 and "" for an empty chain).
fn chain_head(conn: &Connection, desk: &str) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_event WHERE desk_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([desk], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, String::new())))
}

/// Appends one event to the actor's desk chain, inside the writer's transaction.
pub(crate) fn append(w: &mut Writer<'_>, event: NewEvent) -> Result<()> {
    let actor = w.actor();
    let desk = actor.desk.to_string();
    let (last, prev_hash) = chain_head(w.conn(), &desk)?;
    let id = w.new_id();
    let mut row = EventRow {
        id: id.to_string(),
        desk_id: desk,
        seq: last + 1,
        at: timestamp(event.at),
        operator_id: actor.operator.to_string(),
        kind: event.kind.code().to_string(),
        subject_table: event.subject.map(|(t, _)| t.name().to_string()),
        subject_id: event.subject.map(|(_, id)| id.to_string()),
        detail: event.detail,
        batch: event.batch.map(|b| b.to_string()),
        digest: event.digest,
        prev_hash,
        hash: String::new(),
    };
    row.hash = row.compute_hash();
    let text = |v: Option<String>| v.map(Value::Text).unwrap_or(Value::Null);
    w.insert_audit(
        id,
        &[
            ("desk_id", row.desk_id.into()),
            ("seq", row.seq.into()),
            ("at", row.at.into()),
            ("operator_id", row.operator_id.into()),
            ("kind", row.kind.into()),
            ("subject_table", text(row.subject_table)),
            ("subject_id", text(row.subject_id)),
            ("detail", row.detail.into()),
            ("batch", text(row.batch)),
            ("digest", text(row.digest)),
            ("prev_hash", row.prev_hash.into()),
            ("hash", row.hash.into()),
        ],
    )
}

/// The edit event of a write: which kinds of record it inserted and which it changed («inseriti:
/// persona, appartenenza al nucleo · modificati: nucleo»), and the digest of its changes. The
/// subject is the one person (or household...) the write is about; a write about many of them (an
/// import, the demo load) names none, rather than the first of many. Called by the write path
/// before it commits.
pub(crate) fn append_edit(w: &mut Writer<'_>, touched: &[(Table, Uuid)]) -> Result<()> {
    let mut inserted: BTreeMap<Table, usize> = BTreeMap::new();
    let mut changed: BTreeMap<Table, usize> = BTreeMap::new();
    for key in touched {
        let counts = if w.created().contains(key) { &mut inserted } else { &mut changed };
        *counts.entry(key.0).or_default() += 1;
    }
    let list = |counts: &BTreeMap<Table, usize>| {
        counts
            .iter()
            .map(|(t, n)| match n {
                1 => crate::schema::table_label(*t).to_string(),
                n => format!("{} ×{n}", crate::schema::table_label(*t)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let detail = [("inseriti", &inserted), ("modificati", &changed)]
        .into_iter()
        .filter(|(_, counts)| !counts.is_empty())
        .map(|(what, counts)| format!("{what}: {}", list(counts)))
        .collect::<Vec<_>>()
        .join(" · ");
    let main = [Table::Person, Table::Household, Table::DeskContact, Table::Note]
        .into_iter()
        .find(|want| touched.iter().any(|(t, _)| t == want))
        .or_else(|| touched.first().map(|(t, _)| *t));
    let mut of_main = touched.iter().filter(|(t, _)| Some(*t) == main);
    let subject = match (of_main.next(), of_main.next()) {
        (Some(only), None) => Some(*only),
        _ => None,
    };
    let batch = w.batch();
    let digest = match w.first_change_seq() {
        Some(from) => batch_digest(w.conn(), &batch.to_string(), from)?,
        None => None,
    };
    let at = w.now();
    append(w, NewEvent { kind: AuditKind::Edit, at, subject, detail, batch: Some(batch), digest })
}

/// Records that `actor`, whose role the read function already checked (`role`), read a record (or,
/// with no subject, a list) of sensitive data. A second read of the same thing by the same operator
/// within a few minutes is not recorded again.
pub(crate) fn record_read(
    store: &mut Store,
    actor: &Actor,
    role: Role,
    subject: (Table, Option<Uuid>),
    detail: &str,
) -> Result<()> {
    let now = store.now();
    let since = timestamp(now - Duration::minutes(READ_WINDOW_MINUTES));
    // A list (no single record) is logged with the nil id.
    let (table, id) = (subject.0, subject.1.unwrap_or(Uuid::nil()));
    let id_text = id.to_string();
    let recent: bool = store
        .conn()
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM audit_event WHERE operator_id = ?1 AND kind = 'read' AND at >= ?2
                 AND subject_table = ?3 AND subject_id = ?4 AND desk_id = ?5)",
        )?
        .query_row(params![actor.operator, since, table.name(), id_text, actor.desk], |r| r.get(0))?;
    if recent {
        return Ok(());
    }
    let detail = detail.to_string();
    store.write_as(actor, role, |w| {
        let event =
            NewEvent { kind: AuditKind::Read, at: now, subject: Some((table, id)), detail, batch: None, digest: None };
        append(w, event)
    })
}

/// Records an event that is not a read or an edit (a login, an export, a print).
pub fn record(
    store: &mut Store,
    actor: &Actor,
    kind: AuditKind,
    subject: Option<(Table, Uuid)>,
    detail: &str,
) -> Result<()> {
    let at = store.now();
    let detail = detail.to_string();
    store.write(actor, |w| append(w, NewEvent { kind, at, subject, detail, batch: None, digest: None }))
}

/// Records, inside a write, an operator's answer to a doubt the app showed about `subject`.
pub(crate) fn record_decision(w: &mut Writer<'_>, subject: (Table, Uuid), detail: String) -> Result<()> {
    let at = w.now();
    append(w, NewEvent { kind: AuditKind::Decision, at, subject: Some(subject), detail, batch: None, digest: None })
}

// ---------------------------------------------------------------------------------------------
// Failed unlocks, before the database is open

#[derive(serde::Serialize, serde::Deserialize)]
struct PendingFailure {
    at: String,
    /// The operator whose slot the typed name matched, if any (the typed name itself is not kept).
    operator: Option<Uuid>,
}

/// Notes a failed unlock beside the key file, to be moved into the log at the next sign-in.
pub fn note_failed_unlock(dir: &Path, at: DateTime<Utc>, operator: Option<OperatorId>) -> Result<()> {
    let path = dir.join(PENDING_FILE_NAME);
    if std::fs::read_to_string(&path).map(|t| t.lines().count()).unwrap_or(0) >= PENDING_MAX {
        return Ok(());
    }
    let line = serde_json::to_string(&PendingFailure { at: timestamp(at), operator: operator.map(|o| o.0) })
        .expect("json of a failed unlock");
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    writeln!(file, "{line}")?;
    file.sync_all()?;
    Ok(())
}

/// Moves the failed unlocks noted since the last sign-in into the chain (as events of the
/// operator now signed in, each with the time it happened and the operator it tried), then
/// removes the file. Returns how many there were.
pub fn ingest_failed_unlocks(store: &mut Store, actor: &Actor) -> Result<usize> {
    let path = store.dir().join(PENDING_FILE_NAME);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(0) };
    let failures: Vec<(DateTime<Utc>, Option<Uuid>)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<PendingFailure>(l).ok())
        .filter_map(|f| Some((DateTime::parse_from_rfc3339(&f.at).ok()?.with_timezone(&Utc), f.operator)))
        .collect();
    let count = failures.len();
    if count > 0 {
        store.write(actor, |w| {
            for (at, operator) in failures {
                let (subject, detail) = match operator {
                    Some(o) => (Some((Table::Operator, o)), "parola d'accesso errata".to_string()),
                    None => (None, "nome non riconosciuto".to_string()),
                };
                append(w, NewEvent { kind: AuditKind::FailedUnlock, at, subject, detail, batch: None, digest: None })?;
            }
            Ok(())
        })?;
    }
    // Recorded now: a file that cannot be removed (a read-only folder) is not worth failing a
    // sign-in for; its lines would be recorded again at the next one.
    let _ = std::fs::remove_file(&path);
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// Reading and checking the log

/// What the audit screen filters by. Dates are inclusive, in the desk's calendar (UTC here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub operator: Option<OperatorId>,
    pub kind: Option<AuditKind>,
    /// Events about one record (a person, a household…).
    pub subject: Option<Uuid>,
    pub limit: Option<usize>,
}

/// One event as the audit screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub id: String,
    pub desk: String,
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub operator: String,
    pub kind: AuditKind,
    /// The kind of record (`persona`, `nucleo`…), if the event is about one.
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    /// The record's name, resolved now for the coordinator's screen (never stored in the log).
    pub subject_label: Option<String>,
    pub detail: String,
}

/// Events, newest first. Needs [`Action::ReadAudit`] (the coordinator).
pub fn list(store: &Store, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    access::require(store.conn(), actor, Action::ReadAudit)?;
    let conn = store.conn();
    let mut stmt = conn.prepare(
        "SELECT a.id, coalesce(d.name, a.desk_id), a.seq, a.at, coalesce(o.name, a.operator_id), a.kind,
                a.subject_table, a.subject_id, a.detail
         FROM audit_event a
         LEFT JOIN desk d ON d.id = a.desk_id
         LEFT JOIN operator o ON o.id = a.operator_id
         WHERE (?1 IS NULL OR a.at >= ?1) AND (?2 IS NULL OR a.at < ?2)
           AND (?3 IS NULL OR a.operator_id = ?3) AND (?4 IS NULL OR a.kind = ?4)
           AND (?5 IS NULL OR a.subject_id = ?5)
         ORDER BY a.at DESC, a.desk_id, a.seq DESC
         LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![
            filter.from.map(|d| d.to_string()),
            filter.to.and_then(|d| d.succ_opt()).map(|d| d.to_string()),
            filter.operator,
            filter.kind.map(|k| k.code()),
            filter.subject.map(|s| s.to_string()),
            filter.limit.map(|l| l as i64).unwrap_or(-1),
        ],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (id, desk, seq, at, operator, kind, subject_table, subject_id, detail) = row?;
        let Some(kind) = AuditKind::from_code(&kind) else { continue };
        let table = subject_table.as_deref().and_then(Table::from_name);
        let subject_label = match (table, subject_id.as_deref().and_then(|s| Uuid::parse_str(s).ok())) {
            (Some(t), Some(id)) if !id.is_nil() => subject_label(conn, t, id)?,
            _ => None,
        };
        out.push(AuditEntry {
            id,
            desk,
            seq,
            at,
            operator,
            kind,
            subject_kind: table.map(|t| crate::schema::table_label(t).to_string()),
            subject_id: subject_id.filter(|s| Uuid::parse_str(s).is_ok_and(|u| !u.is_nil())),
            subject_label,
            detail,
        });
    }
    Ok(out)
}

fn subject_label(conn: &Connection, table: Table, id: Uuid) -> Result<Option<String>> {
    let sql = match table {
        Table::Person => "SELECT surname || ' ' || name FROM person WHERE id = ?1",
        Table::Household => {
            "SELECT d.street || ' ' || d.civic FROM household h JOIN dwelling d ON d.id = h.dwelling_id WHERE h.id = ?1"
        }
        Table::Operator => "SELECT name FROM operator WHERE id = ?1",
        Table::Partner => "SELECT name FROM partner WHERE id = ?1",
        Table::DeskContact => {
            "SELECT coalesce(p.surname || ' ' || p.name, '') FROM desk_contact c LEFT JOIN person p ON p.id = c.person_id
             WHERE c.id = ?1"
        }
        _ => return Ok(None),
    };
    Ok(conn.query_row(sql, [id.to_string()], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
}

/// A break found in a chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChainProblem {
    pub desk: String,
    /// The place in the desk's chain where the break is.
    pub seq: i64,
    /// What is wrong, in Italian.
    pub what: String,
}

/// The result of checking every chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChainReport {
    pub events: i64,
    pub desks: i64,
    /// Edited, removed or forged events, rewritten changes: evidence of tampering.
    pub problems: Vec<ChainProblem>,
    /// Other desks' events this desk has not received yet (a gap that sync will fill).
    pub awaited: i64,
    /// The hash of the last event of this desk's own chain.
    pub head: String,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks every desk's chain: each event's hash, each link, no gap or fork in this desk's own
/// chain, and for this desk's edit events the digest of the changes they recorded.
pub fn verify(store: &Store, actor: &Actor) -> Result<ChainReport> {
    access::require(store.conn(), actor, Action::ReadAudit)?;
    verify_conn(store.conn(), store.desk())
}

pub(crate) fn verify_conn(conn: &Connection, this: DeskId) -> Result<ChainReport> {
    let this_text = this.to_string();
    let mut stmt =
        conn.prepare(&format!("SELECT {ROW_COLUMNS} FROM audit_event WHERE deleted = 0 ORDER BY desk_id, seq, id"))?;
    let rows: Vec<EventRow> = stmt.query_map([], row_from)?.collect::<rusqlite::Result<_>>()?;
    let mut report =
        ChainReport { events: rows.len() as i64, desks: 0, problems: Vec::new(), awaited: 0, head: String::new() };
    let deleted: i64 = conn.query_row("SELECT count(*) FROM audit_event WHERE deleted <> 0", [], |r| r.get(0))?;
    if deleted > 0 {
        report.problems.push(ChainProblem {
            desk: String::new(),
            seq: 0,
            what: match deleted {
                1 => "1 evento risulta cancellato: il registro non si cancella".to_string(),
                n => format!("{n} eventi risultano cancellati: il registro non si cancella"),
            },
        });
    }
    // Every event was also recorded in the change record when it was written (that is how it
    // travels): an event missing from the table, or whose hash differs from the recorded one, was
    // removed or rewritten, even at the end of a chain where no later link would show it.
    let mut stmt = conn.prepare(
        "SELECT c.row_id, coalesce((SELECT s.value FROM change_log s
                                    WHERE s.tbl = 'audit_event' AND s.row_id = c.row_id AND s.col = 'seq'), 0),
                coalesce((SELECT d.name FROM desk d JOIN change_log k ON k.value = d.id
                          WHERE k.tbl = 'audit_event' AND k.row_id = c.row_id AND k.col = 'desk_id'), ''),
                EXISTS (SELECT 1 FROM audit_event a WHERE a.id = c.row_id)
         FROM change_log c
         WHERE c.tbl = 'audit_event' AND c.col = 'hash'
           AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.id = c.row_id AND a.hash = c.value)",
    )?;
    let mismatched = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?))
    })?;
    for row in mismatched {
        let (_, seq, desk, present) = row?;
        let what = if present {
            "l'evento non è quello registrato quando fu scritto (riscritto)"
        } else {
            "l'evento è stato rimosso (resta nel registro delle modifiche)"
        };
        report.problems.push(ChainProblem { desk, seq, what: what.into() });
    }
    // The digests of this desk's edits whose values no erasure purged, computed together.
    let mut checked = BTreeSet::new();
    for event in rows.iter().filter(|e| e.desk_id == this_text && e.kind == AuditKind::Edit.code()) {
        if let Some(batch) = event.batch.as_deref().filter(|b| !purged(conn, b).unwrap_or(false)) {
            checked.insert(batch);
        }
    }
    let digests = batch_digests(conn, &checked)?;
    for chain in rows.chunk_by(|a, b| a.desk_id == b.desk_id) {
        report.desks += 1;
        let desk_name = crate::registry::desk_name(conn, DeskId(parse_uuid(&chain[0].desk_id)?))?;
        let own = chain[0].desk_id == this_text;
        let mut problem = |seq: i64, what: String| {
            report.problems.push(ChainProblem { desk: desk_name.clone(), seq, what });
        };
        let mut previous: Option<&EventRow> = None;
        for event in chain {
            if event.compute_hash() != event.hash {
                problem(
                    event.seq,
                    "l'evento è stato modificato dopo la registrazione (l'impronta non corrisponde)".into(),
                );
            }
            match previous {
                Some(p) if p.seq == event.seq => {
                    problem(event.seq, "due eventi diversi occupano lo stesso posto nella catena".into())
                }
                Some(p) if p.seq + 1 == event.seq => {
                    if event.prev_hash != p.hash {
                        problem(event.seq, "l'evento non si aggancia al precedente (catena interrotta)".into());
                    }
                }
                _ => {
                    let expected = previous.map(|p| p.seq + 1).unwrap_or(1);
                    if event.seq > expected {
                        if own {
                            problem(event.seq, format!("mancano gli eventi da {expected} a {}", event.seq - 1));
                        } else {
                            report.awaited += event.seq - expected;
                        }
                    } else if previous.is_none() && event.seq == 1 && !event.prev_hash.is_empty() {
                        problem(1, "il primo evento della catena dichiara un precedente".into());
                    }
                }
            }
            if own && event.kind == AuditKind::Edit.code() {
                if let Some(batch) = event.batch.as_deref().filter(|b| checked.contains(b)) {
                    if digests.get(batch) != event.digest.as_ref() {
                        problem(
                            event.seq,
                            "le modifiche registrate da questo evento non corrispondono più a quelle salvate".into(),
                        );
                    }
                }
            }
            previous = Some(event);
        }
        if own {
            report.head = chain.last().map(|e| e.hash.clone()).unwrap_or_default();
        }
    }
    Ok(report)
}

/// Whether an erasure purged values this write recorded (its digest can no longer be recomputed).
fn purged(conn: &Connection, batch: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM purged_batch WHERE batch = ?1)")?
        .query_row([batch], |r| r.get(0))?)
}

/// What the coordinator gives the DPO: every event with its hashes, the check's result, and the
/// rule to recompute them.
#[derive(serde::Serialize)]
struct DpoExport<'a> {
    format: &'static str,
    hash_rule: &'static str,
    exported_at: String,
    desk: String,
    exported_by: String,
    check: &'a ChainReport,
    events: Vec<EventRow>,
}

/// Writes the whole log for the DPO: `path` (JSON, with hashes and the check's result) and the
/// same events as a spreadsheet-friendly CSV beside it (same name, `.csv`). Records the export
/// in the log. Needs [`Action::ReadAudit`]. Returns the check's result.
pub fn export_for_dpo(store: &mut Store, actor: &Actor, path: &Path) -> Result<ChainReport> {
    access::require(store.conn(), actor, Action::ReadAudit)?;
    // The export is itself an event, recorded first so the file ends with it.
    record(store, actor, AuditKind::Export, None, "registro degli accessi per il DPO")?;
    let conn = store.conn();
    let report = verify_conn(conn, store.desk())?;
    let events: Vec<EventRow> = conn
        .prepare(&format!("SELECT {ROW_COLUMNS} FROM audit_event ORDER BY desk_id, seq, id"))?
        .query_map([], row_from)?
        .collect::<rusqlite::Result<_>>()?;
    let names = |sql: &str| -> Result<BTreeMap<String, String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let operators = names("SELECT id, name FROM operator")?;
    let desks = names("SELECT id, name FROM desk")?;
    let export = DpoExport {
        format: "quartiere-audit-export/1",
        hash_rule: HASH_RULE,
        exported_at: timestamp(store.now()),
        desk: desks.get(&store.desk().to_string()).cloned().unwrap_or_default(),
        exported_by: operators.get(&actor.operator.to_string()).cloned().unwrap_or_default(),
        check: &report,
        events: events.clone(),
    };
    let json = serde_json::to_vec_pretty(&export).expect("json of the audit export");
    let mut csv = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
    csv.write_record([
        "postazione",
        "n.",
        "data e ora (UTC)",
        "operatore",
        "evento",
        "oggetto",
        "id oggetto",
        "dettaglio",
        "impronta",
    ])
    .map_err(io)?;
    for e in &events {
        let kind = AuditKind::from_code(&e.kind).map(|k| k.label()).unwrap_or("sconosciuto");
        let table = e.subject_table.as_deref().and_then(Table::from_name).map(crate::schema::table_label);
        let seq = e.seq.to_string();
        let cells = [
            desks.get(&e.desk_id).map(String::as_str).unwrap_or(&e.desk_id),
            &seq,
            &e.at,
            operators.get(&e.operator_id).map(String::as_str).unwrap_or(&e.operator_id),
            kind,
            table.unwrap_or(""),
            e.subject_id.as_deref().filter(|s| *s != Uuid::nil().to_string()).unwrap_or(""),
            &e.detail,
            &e.hash,
        ];
        // Names come from operators: one typed as a formula stays text in the DPO's spreadsheet.
        csv.write_record(cells.map(crate::format::spreadsheet_cell).iter().map(|c| c.as_ref())).map_err(io)?;
    }
    let csv = csv.into_inner().map_err(|e| io(e.into_error().into()))?;
    write_whole(path, &json)?;
    write_whole(&path.with_extension("csv"), &csv)?;
    Ok(report)
}

/// Gives this desk's unpublished events to a new desk id (a restored desk re-enrolling): they
/// join the new desk's chain, re-linked and re-hashed, in the table and in the change record.
/// Published events stay in the old desk's chain, where the other desks already hold them.
pub(crate) fn rechain(conn: &Connection, old: DeskId, new: DeskId) -> Result<()> {
    let ids: Vec<String> = conn
        .prepare(
            "SELECT a.id FROM audit_event a WHERE a.desk_id = ?1 AND NOT EXISTS (
                 SELECT 1 FROM change_log c WHERE c.tbl = 'audit_event' AND c.row_id = a.id AND c.origin_seq IS NOT NULL)
             ORDER BY a.seq",
        )?
        .query_map([old.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let new_text = new.to_string();
    let (mut last, mut prev) = chain_head(conn, &new_text)?;
    for id in ids {
        let mut row =
            conn.query_row(&format!("SELECT {ROW_COLUMNS} FROM audit_event WHERE id = ?1"), [&id], row_from)?;
        last += 1;
        row.desk_id = new_text.clone();
        row.seq = last;
        row.prev_hash = prev;
        row.hash = row.compute_hash();
        conn.execute(
            "UPDATE audit_event SET desk_id = ?2, seq = ?3, prev_hash = ?4, hash = ?5 WHERE id = ?1",
            params![id, row.desk_id, row.seq, row.prev_hash, row.hash],
        )?;
        for (col, value) in [
            ("desk_id", Value::Text(row.desk_id.clone())),
            ("seq", Value::Integer(row.seq)),
            ("prev_hash", Value::Text(row.prev_hash.clone())),
            ("hash", Value::Text(row.hash.clone())),
        ] {
            conn.execute(
                "UPDATE change_log SET value = ?3 WHERE tbl = 'audit_event' AND row_id = ?1 AND col = ?2",
                params![id, col, value],
            )?;
        }
        prev = row.hash;
    }
    Ok(())
}
