//! Sync: desks exchange encrypted, signed change bundles through a shared folder that some other
//! tool moves around (a USB stick, an SMB share, Syncthing). No server, no locks.
//!
//! - Each desk writes only under `desks/<its id>/`, immutable names, atomic publish ([`folder`]).
//! - A bundle carries the desk's own changes since its previous bundle and its frontier (what it
//!   has applied from every desk): compressed, encrypted with the team key, signed by the desk
//!   ([`format`], [`crypto`]). The format is written down in docs/sync-format.md.
//! - Applying is column-level last-writer-wins on (hybrid logical clock, desk) ([`merge`]), so any
//!   order, duplicates and gaps converge; concurrent edits of one field keep the loser for review.
//! - A file that fails any check is refused as a whole, recorded with its reason, retried later.

pub(crate) mod base;
pub mod folder;
pub mod format;
pub mod keys;
pub mod merge;

mod check;
mod publish;
mod receive;
mod scans;
mod status;
mod team;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use uuid::Uuid;

use self::folder::{Folder, Listed};
use self::format::{Header, Kind};
use self::keys::TeamKey;
use crate::access::{self, Action};
use crate::crypto::{self, DeskSigner};
use crate::error::{RefusalKind, Result};
use crate::ids::DeskId;
use crate::schema::SYNCED_SCHEMA;
use crate::store::{meta_get, meta_set, Actor, Store};

pub use self::check::read_bundle;
use self::check::Publishing;
pub use self::publish::snapshot_now;
use self::receive::forget_gone_refusals;
pub use self::scans::scan_file_name;
pub use self::status::{conflicts, resolve_conflict, status};
pub(crate) use self::team::mark_restored;
use self::team::removed_desks;
pub use self::team::{enrol, enrol_with_recovery_code, rotate_key, unlock};
pub use crate::error::SyncError;

/// A bundle's clock more than this ahead of ours is reported (and still applied).
const SKEW_WARNING_MS: i64 = 5 * 60 * 1000;

/// A desk writes a snapshot after this many bundles of its own since its last one.
pub const SNAPSHOT_EVERY: u64 = 50;

const META_FOLDER: &str = "sync.folder";

const META_SIGNER: &str = "sync.signing_seed";

const META_KEYS: &str = "sync.keys";

const META_CURRENT_KEY: &str = "sync.current_key";

const META_BASE: &str = "sync.base";

const META_LAST_FRONTIER: &str = "sync.last_frontier";

const META_LAST_SYNC: &str = "sync.last_sync_at";

const META_FORK: &str = "sync.fork";

/// The identities re-enrolled desks left behind (their new cards' `replaces`), for the sync screen.
const META_RETIRED: &str = "sync.retired";

/// Where a sync is, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    /// `reading`, `snapshot` (a new desk loading the newest snapshot), `applying`, `publishing`.
    pub phase: String,
    pub done: u32,
    pub total: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedFile {
    /// Relative to the shared folder.
    pub path: String,
    /// Why, as a kind to switch on; `None` for a refusal an older Quartiere recorded, until the
    /// next sync checks the file again.
    pub kind: Option<RefusalKind>,
    /// Why, as the operator reads it.
    pub reason: String,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub bundles_applied: u32,
    pub changes_applied: u32,
    pub duplicates: u32,
    pub new_conflicts: u32,
    /// The bundle this desk published, if it had anything to say.
    pub published_seq: Option<u32>,
    pub published_changes: u32,
    /// Set when this desk joined from another desk's snapshot.
    pub snapshot_loaded: Option<String>,
    /// Snapshots merged because bundles this desk lacked were no longer in the folder (their desk
    /// pruned them before this desk's card reached it): the snapshot covers them.
    pub gaps_filled: Vec<String>,
    pub snapshot_written: Option<u32>,
    pub files_pruned: u32,
    pub refused: Vec<RefusedFile>,
    pub warnings: Vec<String>,
    /// Scans of signed sheets written to the shared folder, and fetched from it (after the records).
    pub scans_sent: u32,
    pub scans_received: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeskStatus {
    pub desk_id: DeskId,
    pub name: String,
    pub this_desk: bool,
    pub removed: bool,
    /// An identity this desk or another left when it re-enrolled after a restore: it will not sync
    /// again, and nobody waits for it.
    pub replaced: bool,
    /// The highest bundle received (or, for this desk, published).
    pub last_seq: u32,
    /// When that bundle was written, RFC 3339.
    pub last_bundle_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub enrolled: bool,
    pub folder: Option<String>,
    pub desk_id: DeskId,
    pub last_sync_at: Option<String>,
    pub unpublished_changes: u32,
    pub desks: Vec<DeskStatus>,
    pub refused: Vec<RefusedFile>,
    pub open_conflicts: u32,
    /// Recent warnings (clock skew, forks seen), newest first.
    pub warnings: Vec<String>,
    /// A key file in the folder holds a newer team key this desk cannot open yet: ask the passphrase.
    pub new_key_waiting: bool,
    /// Set when this desk must re-enrol (restored from an old backup, or removed from the team).
    pub blocked: Option<String>,
}

/// What enrolling did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolOutcome {
    pub desk_id: DeskId,
    /// True when this desk created the team (the folder had no key).
    pub created_team: bool,
    /// The paper recovery code of the team key, shown once, when the team is created or rotated.
    pub recovery_code: Option<String>,
}

/// One conflict to review: a field two desks changed at the same time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    pub id: i64,
    /// `persona`, `nucleo`...
    pub record_kind: String,
    pub table: String,
    pub row_id: Uuid,
    /// A readable name of the record: `Rossi Mario`, `Via Pirandello 6`.
    pub record_label: String,
    pub field: String,
    pub current_value: String,
    pub current_desk: String,
    pub other_value: String,
    pub other_desk: String,
    pub other_operator: String,
    pub detected_at: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConflictChoice {
    /// Keep the value the field has now.
    Current,
    /// Take the other desk's value.
    Other,
}

fn now_text(store: &Store) -> String {
    store.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn json_map(text: Option<String>) -> BTreeMap<String, String> {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn frontier_from_json(text: Option<String>) -> BTreeMap<DeskId, u64> {
    let raw: BTreeMap<String, u64> = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    raw.into_iter().filter_map(|(k, v)| Uuid::parse_str(&k).ok().map(|u| (DeskId(u), v))).collect()
}

fn frontier_to_json(frontier: &BTreeMap<DeskId, u64>) -> String {
    let raw: BTreeMap<String, u64> = frontier.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    serde_json::to_string(&raw).expect("json of a map")
}

/// The keys and identity this desk syncs with, loaded from its local settings.
struct Keys {
    folder: PathBuf,
    signer: DeskSigner,
    keys: BTreeMap<Uuid, TeamKey>,
    current: Uuid,
}

impl Keys {
    fn load(conn: &Connection) -> Result<Keys> {
        let folder = meta_get(conn, META_FOLDER)?.ok_or(SyncError::NotEnrolled)?;
        let seed = meta_get(conn, META_SIGNER)?.and_then(|s| crypto::unb64::<32>(&s)).ok_or(SyncError::NotEnrolled)?;
        let keys: BTreeMap<Uuid, TeamKey> = json_map(meta_get(conn, META_KEYS)?)
            .into_iter()
            .filter_map(|(id, key)| {
                let id = Uuid::parse_str(&id).ok()?;
                Some((id, TeamKey { id, bytes: crypto::unb64(&key)? }))
            })
            .collect();
        let current = meta_get(conn, META_CURRENT_KEY)?
            .and_then(|s| Uuid::parse_str(&s).ok())
            .filter(|k| keys.contains_key(k))
            .ok_or(SyncError::NotEnrolled)?;
        Ok(Keys { folder: PathBuf::from(folder), signer: DeskSigner::from_seed(&seed), keys, current })
    }
}

pub fn is_enrolled(store: &Store) -> Result<bool> {
    Ok(meta_get(store.conn(), META_SIGNER)?.is_some())
}

fn open_folder(path: &Path) -> Result<Folder> {
    if !path.is_dir() {
        return Err(SyncError::FolderUnreachable(path.display().to_string()).into());
    }
    Ok(Folder::new(path))
}

fn header(kind: Kind, desk: DeskId, seq: u64, created_ms: i64) -> Header {
    Header {
        version: format::VERSION,
        kind,
        schema: SYNCED_SCHEMA as u16,
        key_id: Uuid::nil(),
        desk,
        seq,
        created_ms,
        nonce: [0; crypto::NONCE_LEN],
        ciphertext_len: 0,
    }
}

fn event(tx: &Connection, at: &str, kind: &str, message: &str) -> Result<()> {
    tx.execute("INSERT INTO sync_event (at, kind, message) VALUES (?1, ?2, ?3)", params![at, kind, message])?;
    Ok(())
}

/// For every desk, the highest bundle applied with no gap before it (from a snapshot base and the
/// bundles received), and this desk's own published sequence.
fn frontier(conn: &Connection, this_desk: DeskId) -> Result<BTreeMap<DeskId, u64>> {
    let mut out = frontier_from_json(meta_get(conn, META_BASE)?);
    let mut stmt = conn.prepare("SELECT desk_id, seq FROM sync_received ORDER BY desk_id, seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, DeskId>(0)?, r.get::<_, i64>(1)? as u64)))?;
    for row in rows {
        let (desk, seq) = row?;
        let at = out.entry(desk).or_insert(0);
        if seq == *at + 1 {
            *at = seq;
        }
    }
    let own: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM sync_published", [], |r| r.get(0))?;
    if own > 0 {
        out.insert(this_desk, own as u64);
    }
    Ok(out)
}

struct Peer {
    name: String,
    verifying_key: [u8; 32],
}

fn peers(conn: &Connection) -> Result<BTreeMap<DeskId, Peer>> {
    let mut stmt = conn.prepare("SELECT desk_id, name, verifying_key FROM sync_peer")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, DeskId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (desk, name, key) = row?;
        if let Some(verifying_key) = crypto::unb64(&key) {
            out.insert(desk, Peer { name, verifying_key });
        }
    }
    Ok(out)
}

fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// One full sync: read the cards, check this desk is not a restored copy, join from a snapshot if
/// this desk is new, apply every new bundle (each in its own transaction), publish this desk's
/// changes, write a snapshot now and then, prune what every desk has. Refused files never stop it.
pub fn sync(store: &mut Store, actor: &Actor, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport> {
    sync_with(store, actor, false, progress)
}

/// [`sync`], and a snapshot written whatever its schedule says.
pub fn sync_with(
    store: &mut Store,
    actor: &Actor,
    force_snapshot: bool,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<SyncReport> {
    access::require(store.conn(), actor, Action::Sync)?;
    let mut round = Round::begin(store)?;
    progress(SyncProgress { phase: "reading".into(), done: 0, total: round.listed.len() as u32 });
    receive::read_cards(store, &mut round)?;
    let publishing = check::may_publish(store, &mut round)?;
    let joined = receive::join_if_new(store, &mut round, progress)?;
    let (refused_before, bundles) = receive::apply_bundles(store, &mut round, progress)?;
    receive::fill_gaps(store, &mut round, joined)?;
    receive::forget_settled(store, &round, refused_before)?;
    remember_what_was_seen(store, &round)?;
    progress(SyncProgress { phase: "publishing".into(), done: bundles, total: bundles });
    match publishing {
        Publishing::Allowed => {
            publish::publish(store, &mut round, force_snapshot)?;
            round.report.scans_sent = scans::publish_scans(store, &mut round)?;
        }
        Publishing::Blocked(reason) => round.report.warnings.push(reason),
        Publishing::Removed => {}
    }
    // Scans last: the records are already in, whatever their size.
    round.report.scans_received = scans::fetch_scans(store, &mut round)?;
    finish(store, round)
}

/// What one sync knows as it goes: the keys, the folder's listing, the desks, and the report.
struct Round {
    keys: Keys,
    folder: Folder,
    this: DeskId,
    now: String,
    now_ms: i64,
    /// Desks removed from the team by a key rotation.
    removed: BTreeSet<Uuid>,
    listed: Vec<Listed>,
    /// Desks whose card was read, with their pinned signing keys.
    known: BTreeMap<DeskId, Peer>,
    /// Identities re-enrolled desks left behind (their new cards' `replaces`).
    retired: BTreeSet<DeskId>,
    report: SyncReport,
}

impl Round {
    /// Opens the folder and lists it; refusals of files no longer in it are forgotten.
    fn begin(store: &mut Store) -> Result<Round> {
        let keys = Keys::load(store.conn())?;
        let folder = open_folder(&keys.folder)?;
        let removed = removed_desks(&folder, &keys)?;
        let listed = folder.list()?;
        forget_gone_refusals(store, &listed)?;
        Ok(Round {
            this: store.desk(),
            now: now_text(store),
            now_ms: store.now().timestamp_millis(),
            known: peers(store.conn())?,
            retired: BTreeSet::new(),
            report: SyncReport::default(),
            keys,
            folder,
            removed,
            listed,
        })
    }
}

/// Whatever this desk edits from now on was made having seen what this sync brought.
fn remember_what_was_seen(store: &mut Store, round: &Round) -> Result<()> {
    let report = &round.report;
    if report.bundles_applied > 0 || report.snapshot_loaded.is_some() || !report.gaps_filled.is_empty() {
        let seen = frontier(store.conn(), round.this)?;
        store.set_sync_context(&frontier_to_json(&seen))?;
    }
    Ok(())
}

/// Records the sync and its warnings in the desk's sync log; compacts the file if an erasure arrived.
fn finish(store: &mut Store, round: Round) -> Result<SyncReport> {
    let Round { report, now, .. } = round;
    let summary = format!(
        "sincronizzazione: {} applicati, {}, {} nuovi, {} file rifiutati",
        crate::format::count(report.bundles_applied, "pacchetto", "pacchetti"),
        crate::format::count(report.changes_applied, "cambiamento", "cambiamenti"),
        crate::format::count(report.new_conflicts, "conflitto", "conflitti"),
        report.refused.len()
    );
    store.local_write(|tx| {
        meta_set(tx, META_LAST_SYNC, &now)?;
        event(tx, &now, "sync", &summary)?;
        for w in &report.warnings {
            event(tx, &now, "warning", w)?;
        }
        Ok(())
    })?;
    // An erasure arrived: its old values are gone from the tables, and now from the files.
    if crate::privacy::compact_due(store.conn())? {
        crate::privacy::compact(store)?;
    }
    Ok(report)
}
