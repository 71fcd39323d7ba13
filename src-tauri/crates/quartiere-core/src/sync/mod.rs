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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use self::folder::{Entry, Folder, Listed};
use self::format::{ChangeReader, DeskCard, Header, Kind, Payload, WireChange};
use self::keys::{KeyFile, TeamKey};
use crate::access::{self, Action, Role};
use crate::clock::Hlc;
use crate::crypto::{self, DeskSigner, KdfParams};
use crate::error::{Error, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::table_label;
use crate::schema::{Table, SYNCED_SCHEMA};
use crate::store::{meta_get, meta_set, Actor, Store};

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

fn save_keys(tx: &Connection, keys: &[TeamKey], current: Option<&TeamKey>) -> Result<()> {
    let mut map = json_map(meta_get(tx, META_KEYS)?);
    for k in keys {
        map.insert(k.id.to_string(), crypto::b64(&k.bytes));
    }
    meta_set(tx, META_KEYS, &serde_json::to_string(&map).expect("json of a map"))?;
    if let Some(current) = current {
        meta_set(tx, META_CURRENT_KEY, &current.id.to_string())?;
    }
    Ok(())
}

pub fn is_enrolled(store: &Store) -> Result<bool> {
    Ok(meta_get(store.conn(), META_SIGNER)?.is_some())
}

/// The key files in the folder, parsed; unreadable ones are skipped (reported by [`sync`]).
fn key_files(folder: &Folder) -> Result<Vec<(PathBuf, KeyFile)>> {
    let mut out = Vec::new();
    for path in folder.key_files()? {
        if let Ok(file) = std::fs::read(&path).map_err(SyncError::from).and_then(|b| KeyFile::parse(&b)) {
            out.push((path, file));
        }
    }
    // Newest first: the key a desk writes with is the newest it holds.
    out.sort_by(|a, b| (&b.1.created_at, b.1.key_id).cmp(&(&a.1.created_at, a.1.key_id)));
    Ok(out)
}

/// Enrols this desk in the team whose shared folder is `folder`. If the folder has no team key yet,
/// this desk creates the team: a random key, wrapped by `passphrase`, and a recovery code.
pub fn enrol(
    store: &mut Store,
    actor: &Actor,
    folder_path: &Path,
    passphrase: &str,
    desk_name: &str,
    params: KdfParams,
) -> Result<EnrolOutcome> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    if passphrase.chars().count() < 10 {
        return Err(Error::invalid(
            "passphrase",
            "la passphrase del gruppo deve avere almeno 10 caratteri (meglio una frase di più parole)",
        ));
    }
    let folder = open_folder(folder_path)?;
    let files = key_files(&folder)?;
    if files.is_empty() {
        let key = TeamKey::generate(store.now().timestamp_millis() as u64);
        let file = KeyFile::wrap(&key, passphrase, params, &now_text(store), None, vec![], &[])?;
        publish_key_file(&folder, store, &file)?;
        let outcome = join(store, actor, &folder, std::slice::from_ref(&key), &key, desk_name)?;
        return Ok(EnrolOutcome { created_team: true, recovery_code: Some(keys::recovery_code(&key)), ..outcome });
    }
    // The newest key file first; Argon2id runs once per key file tried, never per bundle.
    let (_, file) = &files[0];
    let key = file.unlock(passphrase)?;
    let mut keys = file.older_keys(&key)?;
    keys.push(key.clone());
    join(store, actor, &folder, &keys, &key, desk_name)
}

/// Enrols with the paper recovery code instead of the passphrase (the passphrase was lost).
pub fn enrol_with_recovery_code(
    store: &mut Store,
    actor: &Actor,
    folder_path: &Path,
    code: &str,
    desk_name: &str,
) -> Result<EnrolOutcome> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    let key = keys::parse_recovery_code(code)?;
    let folder = open_folder(folder_path)?;
    let file = key_files(&folder)?
        .into_iter()
        .map(|(_, f)| f)
        .find(|f| f.key_id == key.id && f.verify_with(&key).is_ok())
        .ok_or_else(|| {
            SyncError::KeyFile("nessun file della chiave nella cartella corrisponde a questo codice di recupero".into())
        })?;
    let mut keys = file.older_keys(&key)?;
    keys.push(key.clone());
    join(store, actor, &folder, &keys, &key, desk_name)
}

fn open_folder(path: &Path) -> Result<Folder> {
    if !path.is_dir() {
        return Err(SyncError::FolderUnreachable(path.display().to_string()).into());
    }
    Ok(Folder::new(path))
}

fn publish_key_file(folder: &Folder, store: &mut Store, file: &KeyFile) -> Result<()> {
    let name = format!("{}.qrtkey", crypto::random_uuid_v7(store.now().timestamp_millis() as u64));
    let bytes = serde_json::to_vec_pretty(file).expect("json of a key file");
    folder::publish(&folder.keys_dir(), &name, &bytes)?;
    Ok(())
}

fn join(
    store: &mut Store,
    actor: &Actor,
    folder: &Folder,
    keys: &[TeamKey],
    current: &TeamKey,
    desk_name: &str,
) -> Result<EnrolOutcome> {
    let desk_name = desk_name.trim();
    if desk_name.is_empty() {
        return Err(Error::invalid("postazione", "dai un nome a questa postazione (per esempio «Sportello Mezzetta»)"));
    }
    if let Some(existing) = meta_get(store.conn(), META_FOLDER)? {
        if meta_get(store.conn(), META_FORK)?.is_none() {
            return Err(Error::invalid(
                "cartella",
                format!("questa postazione è già registrata (cartella {existing}): non serve registrarla di nuovo"),
            ));
        }
    }
    // A desk that re-enrols (restored from a backup) takes a new identity: its old id's bundles in the
    // folder are read back like another desk's, so nothing it published before the backup is lost.
    let restored = meta_get(store.conn(), META_FORK)?.is_some();
    let replaces = restored.then(|| store.desk().0);
    if restored {
        let new = DeskId(crypto::random_uuid_v7(store.now().timestamp_millis() as u64));
        store.change_desk_id(new)?;
    }
    let desk = store.desk();
    let actor = Actor { desk, operator: actor.operator };
    let known: Option<String> =
        store.conn().query_row("SELECT name FROM desk WHERE id = ?1", [desk], |r| r.get(0)).optional()?;
    store.write(&actor, |w| match known {
        None => w.insert(Table::Desk, desk.0, &[("name", desk_name.to_string().into())]),
        Some(_) => w.update(Table::Desk, desk.0, &[("name", desk_name.to_string().into())]).map(|_| ()),
    })?;
    let signer = DeskSigner::generate();
    let now = now_text(store);
    let card = DeskCard {
        desk_id: desk.0,
        name: desk_name.to_string(),
        verifying_key: crypto::b64(&signer.verifying_key()),
        enrolled_at: now.clone(),
        replaces,
    };
    let header = header(Kind::DeskCard, desk, 0, store.now().timestamp_millis());
    let bytes = format::seal_file(header, &serde_json::to_vec(&card).expect("json of a card"), current, &signer);
    let dir = folder.desk_dir(desk);
    if !folder::publish(&dir, "desk.qrt", &bytes)? {
        return Err(SyncError::Refused(
            "nella cartella esiste già una postazione con questo identificativo: registra di nuovo la postazione"
                .into(),
        )
        .into());
    }
    let folder_text = folder.root.display().to_string();
    store.local_write(|tx| {
        meta_set(tx, META_FOLDER, &folder_text)?;
        meta_set(tx, META_SIGNER, &crypto::b64(&signer.seed()))?;
        save_keys(tx, keys, Some(current))?;
        tx.execute("DELETE FROM local_meta WHERE key = ?1", [META_FORK])?;
        if restored {
            tx.execute("DELETE FROM sync_published", [])?;
            tx.execute("DELETE FROM local_meta WHERE key = ?1", [META_LAST_FRONTIER])?;
        }
        event(tx, &now, "enrol", &format!("postazione registrata come «{desk_name}»"))?;
        Ok(())
    })?;
    Ok(EnrolOutcome { desk_id: desk, created_team: false, recovery_code: None })
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

/// Opens the key files this desk cannot read yet (a rotation) with `passphrase`.
/// Returns how many new keys it learned.
pub fn unlock(store: &mut Store, actor: &Actor, passphrase: &str) -> Result<usize> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let keys = Keys::load(store.conn())?;
    let folder = open_folder(&keys.folder)?;
    let waiting: Vec<KeyFile> =
        key_files(&folder)?.into_iter().map(|(_, f)| f).filter(|f| !keys.keys.contains_key(&f.key_id)).collect();
    if waiting.is_empty() {
        return Ok(0);
    }
    let mut learned = Vec::new();
    for file in &waiting {
        match file.unlock(passphrase) {
            Ok(key) => {
                learned.extend(file.older_keys(&key)?);
                learned.push(key);
            }
            Err(SyncError::WrongPassphrase) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if learned.is_empty() {
        return Err(SyncError::WrongPassphrase.into());
    }
    let newest = waiting.iter().find(|f| learned.iter().any(|k| k.id == f.key_id)).map(|f| f.key_id);
    let current = learned.iter().find(|k| Some(k.id) == newest).cloned();
    let count = learned.iter().filter(|k| !keys.keys.contains_key(&k.id)).count();
    store.local_write(|tx| save_keys(tx, &learned, current.as_ref()))?;
    Ok(count)
}

/// Makes a new team key (a desk was lost or removed): wrapped by `new_passphrase`, carrying the
/// earlier keys, naming the removed desks, whose bundles every desk refuses from then on.
/// Returns the new recovery code.
pub fn rotate_key(
    store: &mut Store,
    actor: &Actor,
    new_passphrase: &str,
    remove: &[DeskId],
    params: KdfParams,
) -> Result<String> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    if new_passphrase.chars().count() < 10 {
        return Err(Error::invalid("passphrase", "la nuova passphrase deve avere almeno 10 caratteri"));
    }
    let keys = Keys::load(store.conn())?;
    if remove.contains(&store.desk()) {
        return Err(Error::invalid("postazione", "una postazione non può rimuovere se stessa dal gruppo"));
    }
    let folder = open_folder(&keys.folder)?;
    let mut removed: BTreeSet<Uuid> = removed_desks(&folder, &keys)?;
    removed.extend(remove.iter().map(|d| d.0));
    let key = TeamKey::generate(store.now().timestamp_millis() as u64);
    let older: Vec<TeamKey> = keys.keys.values().cloned().collect();
    let file = KeyFile::wrap(
        &key,
        new_passphrase,
        params,
        &now_text(store),
        Some(keys.current),
        removed.into_iter().collect(),
        &older,
    )?;
    publish_key_file(&folder, store, &file)?;
    let now = now_text(store);
    store.local_write(|tx| {
        save_keys(tx, std::slice::from_ref(&key), Some(&key))?;
        event(tx, &now, "rotate", "nuova chiave del gruppo creata")
    })?;
    Ok(keys::recovery_code(&key))
}

/// The desks removed by key files this desk can verify.
fn removed_desks(folder: &Folder, keys: &Keys) -> Result<BTreeSet<Uuid>> {
    let mut out = BTreeSet::new();
    for (_, file) in key_files(folder)? {
        if let Some(key) = keys.keys.get(&file.key_id) {
            if file.verify_with(key).is_ok() {
                out.extend(file.removed_desks.iter().copied());
            }
        }
    }
    Ok(out)
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

/// Everything a reader checks before applying a bundle or snapshot; the reason is an Italian
/// sentence for the sync screen.
struct Checked {
    header: Header,
    payload: Payload,
    hash: String,
}

fn check_file(
    bytes: &[u8],
    entry: Entry,
    keys: &Keys,
    peers: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
) -> std::result::Result<Checked, String> {
    let (header, plain) = open_checked(bytes, entry, keys, peers, removed)?;
    let payload = Payload::decode(&plain, header.version).map_err(|e| e.to_string())?;
    if header.kind == Kind::Bundle
        && payload.changes.iter().any(|c| c.desk != header.desk || c.origin_seq != header.seq)
    {
        return Err("il pacchetto contiene cambiamenti attribuiti a un'altra postazione".into());
    }
    Ok(Checked { header, payload, hash: crypto::sha256_hex(bytes) })
}

/// Files larger than this have their signature checked on another thread while they are
/// decrypted and decompressed.
const PARALLEL_CHECK_BYTES: usize = 1 << 20;

/// Every check of a bundle or snapshot file but the decoding of its plaintext: header against
/// name, schema, removed desk, known desk, key, signature, AEAD, decompression.
fn open_checked(
    bytes: &[u8],
    entry: Entry,
    keys: &Keys,
    peers: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
) -> std::result::Result<(Header, Vec<u8>), String> {
    let header = Header::parse(bytes).map_err(|e| e.to_string())?;
    let (kind, desk, seq) = match entry {
        Entry::Bundle { desk, seq } => (Kind::Bundle, desk, seq),
        Entry::Snapshot { desk, seq } => (Kind::Snapshot, desk, seq),
        Entry::Card { .. } => return Err("scheda di postazione dove era atteso un pacchetto".into()),
    };
    if header.kind != kind || header.desk != desk || header.seq != seq {
        return Err("l'intestazione non corrisponde al nome del file (file copiato, rinominato o riprodotto)".into());
    }
    if i64::from(header.schema) > SYNCED_SCHEMA {
        return Err(
            "scritto da una versione più recente di Quartiere: aggiorna il programma su questa postazione".into()
        );
    }
    if removed.contains(&desk.0) {
        return Err("la postazione che lo ha scritto è stata rimossa dal gruppo: non viene applicato".into());
    }
    let Some(peer) = peers.get(&desk) else {
        return Err("postazione sconosciuta: la sua scheda non è (ancora) nella cartella".into());
    };
    let key = keys.keys.get(&header.key_id).ok_or_else(|| {
        format!(
            "cifrato con una chiave del gruppo che questa postazione non ha (chiave {}): \
             se la chiave è stata cambiata, inserisci la nuova passphrase",
            short(header.key_id)
        )
    })?;
    let (signed, signature) = format::split_signature(bytes);
    let verify = || crypto::verify(&peer.verifying_key, signed, &signature);
    // A large file (a snapshot: tens of megabytes) is checked on two cores at once: its signature
    // on one, its decryption and decompression on the other. Nothing of it is used before both pass.
    let (signed_by_peer, opened) = if bytes.len() > PARALLEL_CHECK_BYTES {
        std::thread::scope(|scope| {
            let signature = scope.spawn(verify);
            let opened = format::open_file(bytes, &header, key);
            (signature.join().unwrap_or(false), opened)
        })
    } else {
        let signed_by_peer = verify();
        (signed_by_peer, if signed_by_peer { format::open_file(bytes, &header, key) } else { Ok(Vec::new()) })
    };
    if !signed_by_peer {
        return Err(format!(
            "firma non valida: il file non è stato scritto dalla postazione «{}» (falsificato o alterato)",
            peer.name
        ));
    }
    let plain = opened.map_err(|e| e.to_string())?;
    Ok((header, plain))
}

/// The bundle reader on bytes alone, for the fuzz test: every check [`sync`] makes on a bundle from
/// `desk` numbered `seq`, with one key and the desk's verifying key. Never panics.
pub fn read_bundle(
    bytes: &[u8],
    desk: DeskId,
    seq: u64,
    key: &TeamKey,
    verifying_key: [u8; 32],
) -> std::result::Result<Payload, String> {
    let keys = Keys {
        folder: PathBuf::new(),
        signer: DeskSigner::from_seed(&[0; 32]),
        keys: BTreeMap::from([(key.id, key.clone())]),
        current: key.id,
    };
    let peers = BTreeMap::from([(desk, Peer { name: String::new(), verifying_key })]);
    check_file(bytes, Entry::Bundle { desk, seq }, &keys, &peers, &BTreeSet::new()).map(|c| c.payload)
}

fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

fn check_card(bytes: &[u8], desk: DeskId, keys: &Keys) -> std::result::Result<DeskCard, String> {
    let header = Header::parse(bytes).map_err(|e| e.to_string())?;
    if header.kind != Kind::DeskCard || header.desk != desk {
        return Err("scheda di postazione non corrispondente alla sua cartella".into());
    }
    let key = keys.keys.get(&header.key_id).ok_or_else(|| {
        format!("scheda cifrata con una chiave che questa postazione non ha ({})", short(header.key_id))
    })?;
    let plain = format::open_file(bytes, &header, key).map_err(|e| e.to_string())?;
    let card: DeskCard = serde_json::from_slice(&plain).map_err(|_| "scheda di postazione illeggibile".to_string())?;
    let verifying_key: [u8; 32] =
        crypto::unb64(&card.verifying_key).ok_or_else(|| "chiave di firma della scheda illeggibile".to_string())?;
    let (signed, signature) = format::split_signature(bytes);
    if card.desk_id != desk.0 || !crypto::verify(&verifying_key, signed, &signature) {
        return Err("firma della scheda di postazione non valida".into());
    }
    Ok(card)
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
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let keys = Keys::load(store.conn())?;
    let folder = open_folder(&keys.folder)?;
    let this = store.desk();
    let now = now_text(store);
    let now_ms = store.now().timestamp_millis();
    let mut report = SyncReport::default();
    let removed = removed_desks(&folder, &keys)?;
    let listed = folder.list()?;
    progress(SyncProgress { phase: "reading".into(), done: 0, total: listed.len() as u32 });
    forget_gone_refusals(store, &listed)?;

    // Desk cards: pin each desk's signing key the first time it is seen, and note the identities
    // re-enrolled desks left behind.
    let mut known = peers(store.conn())?;
    let mut retired = BTreeSet::new();
    for item in &listed {
        let Entry::Card { desk } = item.entry else { continue };
        let bytes = std::fs::read(&item.path)?;
        let checked = check_card(&bytes, desk, &keys);
        if let Ok(card) = &checked {
            retired.extend(card.replaces.map(DeskId));
        }
        if desk == this {
            continue;
        }
        match checked {
            Ok(card) => match known.get(&desk) {
                Some(peer) if crypto::b64(&peer.verifying_key) != card.verifying_key => {
                    refuse(store, &mut report, item, "la scheda della postazione è cambiata: chiave di firma diversa da quella registrata (possibile falsificazione)")?;
                }
                Some(_) => clear_refusal(store, item)?,
                None => {
                    store.local_write(|tx| {
                        tx.execute(
                            "INSERT INTO sync_peer (desk_id, name, verifying_key, first_seen) VALUES (?1, ?2, ?3, ?4)",
                            params![desk, card.name, card.verifying_key, now],
                        )?;
                        tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown])?;
                        Ok(())
                    })?;
                    known.insert(
                        desk,
                        Peer { name: card.name, verifying_key: crypto::unb64(&card.verifying_key).expect("checked") },
                    );
                }
            },
            Err(reason) => refuse(store, &mut report, item, &reason)?,
        }
    }

    let retired_json =
        serde_json::to_string(&retired.iter().map(|d| d.0).collect::<Vec<Uuid>>()).expect("json of desk ids");
    if meta_get(store.conn(), META_RETIRED)?.as_deref().unwrap_or("[]") != retired_json {
        store.local_write(|tx| meta_set(tx, META_RETIRED, &retired_json))?;
    }

    // This desk's own folder: a bundle it does not remember writing means it was restored from an
    // old backup (or it crashed between publishing and recording; then the content is all known).
    let blocked = check_own_folder(store, &keys, &listed, &now)?;
    if removed.contains(&this.0) {
        let message = "questa postazione è stata rimossa dal gruppo: non può più sincronizzare".to_string();
        report.warnings.push(message);
    }

    // A new desk joins from the newest snapshot instead of replaying all history.
    let was_new = is_new(store.conn())?;
    let has_snapshot = listed.iter().any(|i| matches!(i.entry, Entry::Snapshot { desk, .. } if desk != this));
    if was_new && has_snapshot {
        // Seconds for a large neighbourhood: say so rather than sit on "reading".
        progress(SyncProgress { phase: "snapshot".into(), done: 0, total: 1 });
        if let Some(loaded) =
            load_snapshot(store, newest_first(&listed, this), &keys, &known, &removed, &now, &mut report)?
        {
            report.snapshot_loaded = Some(loaded);
        }
    }

    // Bundles from the other desks, in (desk, seq) order; each applied whole or not at all.
    let received: BTreeMap<(DeskId, u64), (String, i64)> = {
        let mut stmt = store.conn().prepare("SELECT desk_id, seq, hash, size FROM sync_received")?;
        let rows = stmt.query_map([], |r| {
            Ok(((r.get::<_, DeskId>(0)?, r.get::<_, i64>(1)? as u64), (r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let base = frontier_from_json(meta_get(store.conn(), META_BASE)?);
    let refused_paths: BTreeSet<String> = store
        .conn()
        .prepare("SELECT path FROM sync_refused")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let todo: Vec<&Listed> = listed
        .iter()
        .filter(|item| match item.entry {
            Entry::Bundle { desk, seq } => {
                desk != this
                    && base.get(&desk).is_none_or(|&b| seq > b)
                    && (refused_paths.contains(&item.shown)
                        || received.get(&(desk, seq)).is_none_or(|(_, size)| *size as u64 != item.size))
            }
            _ => false,
        })
        .collect();
    let total = todo.len() as u32;
    for (done, item) in todo.into_iter().enumerate() {
        progress(SyncProgress { phase: "applying".into(), done: done as u32, total });
        let Entry::Bundle { desk, seq } = item.entry else { continue };
        let bytes = match std::fs::read(&item.path) {
            Ok(b) => b,
            Err(e) => {
                refuse(store, &mut report, item, &format!("file non leggibile ({e})"))?;
                continue;
            }
        };
        if let Some((hash, _)) = received.get(&(desk, seq)) {
            // Already applied. The same file again (a whole copy after a half one) clears its refusal;
            // a valid, different file under the same name is a fork; a damaged copy is only reported.
            if *hash == crypto::sha256_hex(&bytes) {
                clear_refusal(store, item)?;
                continue;
            }
            let reason = match check_file(&bytes, item.entry, &keys, &known, &removed) {
                Ok(_) => {
                    let name = known.get(&desk).map(|p| p.name.clone()).unwrap_or_default();
                    format!(
                        "la postazione «{name}» ha pubblicato due pacchetti diversi con lo stesso numero {seq}: \
                         probabilmente è stata ripristinata da una copia di sicurezza e deve essere registrata di nuovo"
                    )
                }
                Err(reason) => format!("{reason} (il pacchetto era già stato applicato da una copia integra)"),
            };
            refuse(store, &mut report, item, &reason)?;
            continue;
        }
        match check_file(&bytes, item.entry, &keys, &known, &removed) {
            Ok(checked) => match apply_bundle(store, item, checked, &known, now_ms, &now, &mut report) {
                // A change its author's role did not allow: nothing of the bundle stays.
                Err(Error::Sync(SyncError::Refused(reason))) => refuse(store, &mut report, item, &reason)?,
                other => other?,
            },
            Err(reason) => refuse(store, &mut report, item, &reason)?,
        }
    }

    // Bundles another desk pruned before this desk's card reached it: its snapshot has them.
    if !was_new || report.snapshot_loaded.is_some() {
        for item in gaps_to_fill(store.conn(), &listed, this, &removed)? {
            if let Some(loaded) = load_snapshot(store, vec![item], &keys, &known, &removed, &now, &mut report)? {
                report.gaps_filled.push(loaded);
            }
        }
    }
    // Refusals from earlier syncs of files this desk no longer reads (not those refused again now).
    let earlier: BTreeSet<String> =
        refused_paths.into_iter().filter(|p| !report.refused.iter().any(|r| &r.path == p)).collect();
    let base = frontier_from_json(meta_get(store.conn(), META_BASE)?);
    forget_settled_refusals(store, &listed, &earlier, &base, !is_new(store.conn())?)?;

    // Whatever this desk edits from now on was made having seen all of that.
    if report.bundles_applied > 0 || report.snapshot_loaded.is_some() || !report.gaps_filled.is_empty() {
        let seen = frontier(store.conn(), this)?;
        store.set_sync_context(&frontier_to_json(&seen))?;
    }

    // Publish this desk's own changes (and its acknowledgements).
    progress(SyncProgress { phase: "publishing".into(), done: total, total });
    if blocked.is_none() && !removed.contains(&this.0) {
        publish_bundle(store, &keys, &folder, &mut report)?;
        let own_snapshot = latest_own_snapshot(&listed, this);
        let own_seq: i64 =
            store.conn().query_row("SELECT coalesce(max(seq), 0) FROM sync_published", [], |r| r.get(0))?;
        if own_seq > 0
            && (force_snapshot || own_seq as u64 >= own_snapshot + SNAPSHOT_EVERY)
            && own_seq as u64 != own_snapshot
        {
            write_snapshot(store, &keys, &folder, own_seq as u64)?;
            report.snapshot_written = Some(own_seq as u32);
        }
        report.files_pruned = prune(store, &folder, &removed, &retired)?;
    } else if let Some(reason) = &blocked {
        report.warnings.push(reason.clone());
    }

    let summary = format!(
        "sincronizzazione: {} pacchetti applicati, {} cambiamenti, {} conflitti nuovi, {} file rifiutati",
        report.bundles_applied,
        report.changes_applied,
        report.new_conflicts,
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

/// A refused file that has left the folder (pruned by the desk that wrote it, removed by hand)
/// is no longer something to show on the sync screen.
fn forget_gone_refusals(store: &mut Store, listed: &[Listed]) -> Result<()> {
    let present: BTreeSet<&str> = listed.iter().map(|i| i.shown.as_str()).collect();
    let gone: Vec<String> = store
        .conn()
        .prepare("SELECT path FROM sync_refused")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|p| !present.contains(p.as_str()))
        .collect();
    if !gone.is_empty() {
        store.local_write(|tx| {
            for path in &gone {
                tx.execute("DELETE FROM sync_refused WHERE path = ?1", [path])?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A refusal stands while its file is one this desk would still read. A bundle a loaded snapshot
/// covers is not read again, and once a desk has joined it reads a snapshot only to fill a gap (a
/// snapshot refused again by that is not passed here): what they met before (a desk's card that had
/// not arrived yet, say) is no longer something to show on the sync screen.
fn forget_settled_refusals(
    store: &mut Store,
    listed: &[Listed],
    refused: &BTreeSet<String>,
    base: &BTreeMap<DeskId, u64>,
    joined: bool,
) -> Result<()> {
    for item in listed.iter().filter(|i| refused.contains(&i.shown)) {
        let settled = match item.entry {
            Entry::Bundle { desk, seq } => base.get(&desk).is_some_and(|&b| seq <= b),
            Entry::Snapshot { .. } => joined,
            Entry::Card { .. } => false,
        };
        if settled {
            clear_refusal(store, item)?;
        }
    }
    Ok(())
}

fn refuse(store: &mut Store, report: &mut SyncReport, item: &Listed, reason: &str) -> Result<()> {
    let now = now_text(store);
    store.local_write(|tx| {
        tx.execute(
            "INSERT INTO sync_refused (path, reason, size, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (path) DO UPDATE SET reason = excluded.reason, size = excluded.size, last_seen = excluded.last_seen",
            params![item.shown, reason, item.size as i64, now],
        )?;
        Ok(())
    })?;
    report.refused.push(RefusedFile { path: item.shown.clone(), reason: reason.to_string() });
    Ok(())
}

fn clear_refusal(store: &mut Store, item: &Listed) -> Result<()> {
    let present: bool =
        store.conn().query_row("SELECT count(*) > 0 FROM sync_refused WHERE path = ?1", [&item.shown], |r| r.get(0))?;
    if present {
        store.local_write(|tx| {
            tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown]).map_err(Error::from)
        })?;
    }
    Ok(())
}

fn apply_bundle(
    store: &mut Store,
    item: &Listed,
    checked: Checked,
    known: &BTreeMap<DeskId, Peer>,
    now_ms: i64,
    now: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let Checked { header, payload, hash } = checked;
    let desk = header.desk;
    let name = known.get(&desk).map(|p| p.name.clone()).unwrap_or_default();
    let created = chrono::DateTime::from_timestamp_millis(header.created_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let ahead_ms =
        payload.changes.iter().map(|c| c.hlc.physical_ms() as i64).max().unwrap_or(0).max(header.created_ms) - now_ms;
    let stats = store.apply_tx(|tx| {
        let (stats, newest) = merge::merge(tx, &payload.changes, &payload.contexts, now)?;
        let mut authors = Authors::default();
        authors.gather(&payload.changes);
        authors.check(tx)?;
        crate::privacy::after_merge(tx, authors.erased(), now)?;
        tx.execute(
            "INSERT INTO sync_received (desk_id, seq, hash, size, changes, applied_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (desk_id, seq) DO NOTHING",
            params![desk, header.seq as i64, hash, item.size as i64, payload.changes.len() as i64, now],
        )?;
        tx.execute(
            "UPDATE sync_peer SET last_seq = ?2, last_bundle_at = ?3, acked = ?4 WHERE desk_id = ?1 AND last_seq < ?2",
            params![desk, header.seq as i64, created, frontier_to_json(&payload.frontier)],
        )?;
        tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown])?;
        Ok((stats, newest))
    })?;
    report.bundles_applied += 1;
    report.changes_applied += stats.new as u32;
    report.duplicates += stats.duplicates as u32;
    report.new_conflicts += stats.conflicts as u32;
    if ahead_ms > SKEW_WARNING_MS {
        let warning = format!(
            "l'orologio della postazione «{name}» sembra avanti di circa {} minuti rispetto a questa: \
             controllate data e ora dei due computer (i dati sono stati applicati comunque)",
            ahead_ms / 60_000
        );
        if !report.warnings.contains(&warning) {
            report.warnings.push(warning);
        }
    }
    Ok(())
}

/// What the checks after a merge need to know of the changes it applied, gathered as they pass
/// (a snapshot's runs are freed once loaded): the newest clock of each author's writes to each
/// table, the audit events written, the people erased.
#[derive(Default)]
struct Authors {
    newest: BTreeMap<(OperatorId, Table), Hlc>,
    audit_rows: BTreeSet<Uuid>,
    /// An audit event whose `desk_id` is not the desk that published it.
    foreign_audit: bool,
    erased: Vec<Uuid>,
}

impl Authors {
    fn gather(&mut self, changes: &[WireChange]) {
        // Changes come in long stretches of one operator and one table (a snapshot: millions):
        // the map is touched once per stretch.
        for stretch in changes.chunk_by(|a, b| (a.operator, a.table) == (b.operator, b.table)) {
            let hlc = stretch.iter().map(|c| c.hlc).max().unwrap_or_default();
            let e = self.newest.entry((stretch[0].operator, stretch[0].table)).or_insert(hlc);
            *e = (*e).max(hlc);
            match stretch[0].table {
                Table::AuditEvent => {
                    for c in stretch {
                        self.foreign_audit |= c.column == "desk_id" && c.value != Value::Text(c.desk.to_string());
                        self.audit_rows.insert(c.row_id);
                    }
                }
                Table::Person => {
                    let erased = stretch.iter().filter(|c| c.column == "erased_on" && c.value != Value::Null);
                    for c in erased {
                        if self.erased.last() != Some(&c.row_id) {
                            self.erased.push(c.row_id);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The people an erasure in these changes concerns (their `erased_on` was set).
    fn erased(&self) -> &[Uuid] {
        &self.erased
    }

    /// Sync obeys roles too: every change must have been allowed to its author by the author's
    /// role as it stood at the change's clock (the role's own history is in the change record,
    /// merged just before this check). One check per author, kind of write and newest clock, so a
    /// bundle of a hundred thousand changes costs a handful of lookups.
    fn check(&self, tx: &rusqlite::Connection) -> Result<()> {
        self.check_audit_events(tx)?;
        let mut checked: BTreeSet<(OperatorId, Action)> = BTreeSet::new();
        for (&(operator, table), hlc) in &self.newest {
            // The audit log is written by the core for every role; its own rule is checked above.
            let Some(action) = Action::writing(table) else { continue };
            if !checked.insert((operator, action)) {
                continue;
            }
            let role: Option<String> = tx
                .prepare_cached(
                    "SELECT value FROM change_log WHERE tbl = 'operator' AND row_id = ?1 AND col = 'role' AND hlc <= ?2
                     ORDER BY hlc DESC, desk_id DESC LIMIT 1",
                )?
                .query_row(params![operator, hlc.as_i64()], |r| r.get(0))
                .optional()?;
            let allowed = role.as_deref().and_then(Role::from_code).is_some_and(|r| access::allows(r, action));
            if !allowed {
                let name = crate::registry::operator_name(tx, operator)?;
                let why = match role.as_deref().and_then(Role::from_code) {
                    Some(r) => format!("il suo ruolo «{}» non permette di {}", r.label(), action.describe()),
                    None => "non risulta un operatore attivo".into(),
                };
                return Err(SyncError::Refused(format!("contiene modifiche di «{name}», ma {why}")).into());
            }
        }
        Ok(())
    }

    /// A desk appends only to its own audit chain, and nobody rewrites an event: each event's
    /// `desk_id` is the desk that published it, and each of its cells has exactly one change
    /// (checked after the merge, so a second value for a cell, from any desk, is caught).
    fn check_audit_events(&self, tx: &rusqlite::Connection) -> Result<()> {
        if self.foreign_audit {
            return Err(
                SyncError::Refused("contiene eventi del registro degli accessi di un'altra postazione".into()).into()
            );
        }
        let mut stmt = tx.prepare_cached(
            "SELECT count(*) - count(DISTINCT col) FROM change_log WHERE tbl = 'audit_event' AND row_id = ?1",
        )?;
        for row in &self.audit_rows {
            let rewritten: i64 = stmt.query_row([row.to_string()], |r| r.get(0))?;
            if rewritten > 0 {
                return Err(SyncError::Refused("riscrive un evento del registro degli accessi".into()).into());
            }
        }
        Ok(())
    }
}

/// Marks an enrolled desk as restored from a backup: it publishes nothing until it re-enrols under
/// a new id (its bundle numbers went back in time). A desk never enrolled has nothing to mark.
pub(crate) fn mark_restored(store: &mut Store, reason: &str) -> Result<()> {
    if meta_get(store.conn(), META_FOLDER)?.is_none() {
        return Ok(());
    }
    store.local_write(|tx| meta_set(tx, META_FORK, reason))
}

/// Returns why this desk must not publish, if it must not.
fn check_own_folder(store: &mut Store, keys: &Keys, listed: &[Listed], now: &str) -> Result<Option<String>> {
    if let Some(reason) = meta_get(store.conn(), META_FORK)? {
        return Ok(Some(reason));
    }
    let this = store.desk();
    let published: i64 =
        store.conn().query_row("SELECT coalesce(max(seq), 0) FROM sync_published", [], |r| r.get(0))?;
    let mut ahead: Vec<&Listed> = listed
        .iter()
        .filter(|i| matches!(i.entry, Entry::Bundle { desk, seq } if desk == this && seq as i64 > published))
        .collect();
    ahead.sort_by_key(|i| match i.entry {
        Entry::Bundle { seq, .. } => seq,
        _ => 0,
    });
    for item in ahead {
        let Entry::Bundle { seq, .. } = item.entry else { continue };
        // Adopt a bundle this desk wrote but did not record (a crash between the two), if it is the
        // next one, carries this desk's signature and only changes this desk has.
        let bytes = std::fs::read(&item.path)?;
        let mut own = BTreeMap::new();
        own.insert(this, Peer { name: String::new(), verifying_key: keys.signer.verifying_key() });
        let adoptable = seq as i64 == published + 1
            && match check_file(&bytes, item.entry, keys, &own, &BTreeSet::new()) {
                Ok(checked) => {
                    let mut all_known = true;
                    let mut last = 0i64;
                    for c in &checked.payload.changes {
                        let found: Option<i64> = store
                            .conn()
                            .query_row(
                                "SELECT seq FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 AND hlc = ?4 AND desk_id = ?5",
                                params![c.table.name(), c.row_id.to_string(), c.column, c.hlc.as_i64(), c.desk],
                                |r| r.get(0),
                            )
                            .optional()?;
                        match found {
                            Some(s) => last = last.max(s),
                            None => all_known = false,
                        }
                    }
                    if all_known {
                        let hash = checked.hash.clone();
                        let count = checked.payload.changes.len() as i64;
                        let frontier = frontier_to_json(&checked.payload.frontier);
                        store.local_write(|tx| {
                            let prev_last: i64 = tx.query_row(
                                "SELECT coalesce(max(last_change), 0) FROM sync_published",
                                [],
                                |r| r.get(0),
                            )?;
                            let last = last.max(prev_last);
                            tx.execute(
                                "INSERT INTO sync_published (seq, hash, last_change, changes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                params![seq as i64, hash, last, count, now],
                            )?;
                            tx.execute(
                                "UPDATE change_log SET origin_seq = ?1 WHERE seq > ?2 AND seq <= ?3 AND desk_id = ?4 AND origin_seq IS NULL",
                                params![seq as i64, prev_last, last, this],
                            )?;
                            meta_set(tx, META_LAST_FRONTIER, &frontier)?;
                            Ok(())
                        })?;
                    }
                    all_known
                }
                Err(_) => false,
            };
        if !adoptable {
            let reason = format!(
                "questa postazione risulta ripristinata da una copia di sicurezza: nella cartella c'è il suo pacchetto \
                 n. {seq}, che non ricorda di aver scritto. Per non sovrascrivere dati, non pubblica più: \
                 registrala di nuovo (Sincronizza → Registra di nuovo); i dati già pubblicati verranno recuperati"
            );
            store.local_write(|tx| {
                meta_set(tx, META_FORK, &reason)?;
                event(tx, now, "fork", &reason)
            })?;
            return Ok(Some(reason));
        }
    }
    Ok(None)
}

fn publish_bundle(store: &mut Store, keys: &Keys, folder: &Folder, report: &mut SyncReport) -> Result<()> {
    let this = store.desk();
    let (last_seq, last_change): (i64, i64) = store.conn().query_row(
        "SELECT coalesce(max(seq), 0), coalesce(max(last_change), 0) FROM sync_published",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let seq = last_seq as u64 + 1;
    let mut changes = Vec::new();
    let mut contexts: Vec<BTreeMap<DeskId, u64>> = Vec::new();
    let mut context_index: BTreeMap<Option<i64>, u32> = BTreeMap::new();
    let mut upto = last_change;
    {
        let mut stmt = store.conn().prepare(
            "SELECT seq, batch, tbl, row_id, col, value, hlc, operator_id, ctx FROM change_log
             WHERE seq > ?1 AND desk_id = ?2 AND origin_seq IS NULL ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![last_change, this])?;
        while let Some(r) = rows.next()? {
            let ctx: Option<i64> = r.get(8)?;
            let context = match context_index.get(&ctx) {
                Some(&i) => i,
                None => {
                    let frontier = match ctx {
                        Some(id) => frontier_from_json(
                            store
                                .conn()
                                .query_row("SELECT frontier FROM sync_context WHERE id = ?1", [id], |r| r.get(0))
                                .optional()?,
                        ),
                        None => BTreeMap::new(),
                    };
                    contexts.push(frontier);
                    context_index.insert(ctx, contexts.len() as u32 - 1);
                    contexts.len() as u32 - 1
                }
            };
            upto = upto.max(r.get::<_, i64>(0)?);
            let tbl: String = r.get(2)?;
            let table =
                Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
            changes.push(WireChange {
                table,
                batch: crate::store::parse_uuid(&r.get::<_, String>(1)?)?,
                row_id: crate::store::parse_uuid(&r.get::<_, String>(3)?)?,
                column: known_column(table, r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)?,
                value: r.get(5)?,
                hlc: Hlc::from_i64(r.get(6)?),
                desk: this,
                operator: r.get::<_, OperatorId>(7)?,
                origin_seq: seq,
                context,
            });
        }
    }
    let mut frontier = frontier(store.conn(), this)?;
    frontier.insert(this, seq);
    let previous = frontier_from_json(meta_get(store.conn(), META_LAST_FRONTIER)?);
    if changes.is_empty() && !acknowledges_news(store.conn(), &previous, &frontier, this)? {
        return Ok(());
    }
    let payload = Payload { frontier: frontier.clone(), contexts, changes };
    let current = &keys.keys[&keys.current];
    let bytes = format::seal_file(
        header(Kind::Bundle, this, seq, store.now().timestamp_millis()),
        &payload.encode(),
        current,
        &keys.signer,
    );
    let hash = crypto::sha256_hex(&bytes);
    let now = now_text(store);
    let count = payload.changes.len();
    let dir = folder.desk_dir(this);
    // Recorded and published together: if the file cannot be written, nothing is recorded; a crash
    // after the file and before the commit is recognised at the next sync (the bundle is adopted).
    store.local_write(|tx| {
        tx.execute(
            "INSERT INTO sync_published (seq, hash, last_change, changes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq as i64, hash, upto, count as i64, now],
        )?;
        tx.execute(
            "UPDATE change_log SET origin_seq = ?1 WHERE seq > ?2 AND seq <= ?3 AND desk_id = ?4 AND origin_seq IS NULL",
            params![seq as i64, last_change, upto, this],
        )?;
        meta_set(tx, META_LAST_FRONTIER, &frontier_to_json(&frontier))?;
        if !folder::publish(&dir, &folder::bundle_name(seq), &bytes)? {
            return Err(SyncError::Refused(format!(
                "il pacchetto n. {seq} di questa postazione esiste già nella cartella: la postazione va registrata di nuovo"
            ))
            .into());
        }
        Ok(())
    })?;
    report.published_seq = Some(seq as u32);
    report.published_changes = count as u32;
    Ok(())
}

/// Whether `frontier` acknowledges more than `previous` (what this desk last published) did:
/// another desk's bundle with changes, or a snapshot. An acknowledgement alone is not news: a
/// desk that acknowledged every acknowledgement would answer the other's answer at every sync,
/// for ever, with nothing to say.
fn acknowledges_news(
    conn: &Connection,
    previous: &BTreeMap<DeskId, u64>,
    frontier: &BTreeMap<DeskId, u64>,
    this: DeskId,
) -> Result<bool> {
    let base = frontier_from_json(meta_get(conn, META_BASE)?);
    let mut with_changes = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sync_received WHERE desk_id = ?1 AND seq > ?2 AND seq <= ?3 AND changes > 0)",
    )?;
    for (&desk, &now) in frontier.iter().filter(|(d, _)| **d != this) {
        let before = previous.get(&desk).copied().unwrap_or(0);
        if now <= before {
            continue;
        }
        if base.get(&desk).is_some_and(|&b| b > before)
            || with_changes.query_row(params![desk, before as i64, now as i64], |r| r.get::<_, bool>(0))?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn latest_own_snapshot(listed: &[Listed], this: DeskId) -> u64 {
    listed
        .iter()
        .filter_map(|i| match i.entry {
            Entry::Snapshot { desk, seq } if desk == this => Some(seq),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Writes the whole current state (the winning change of every cell, with its clock and origin)
/// as `s-<own seq>.qrt`, for new desks.
fn write_snapshot(store: &mut Store, keys: &Keys, folder: &Folder, own_seq: u64) -> Result<()> {
    let this = store.desk();
    let mut changes = Vec::new();
    {
        let mut stmt = store.conn().prepare(
            "SELECT batch, tbl, row_id, col, value, hlc, desk_id, operator_id, origin_seq FROM (
                 SELECT *, row_number() OVER (PARTITION BY tbl, row_id, col ORDER BY hlc DESC, desk_id DESC) AS rank
                 FROM change_log WHERE origin_seq IS NOT NULL)
             WHERE rank = 1 ORDER BY tbl, row_id, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let tbl: String = r.get(1)?;
            let table =
                Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
            changes.push(WireChange {
                batch: crate::store::parse_uuid(&r.get::<_, String>(0)?)?,
                table,
                row_id: crate::store::parse_uuid(&r.get::<_, String>(2)?)?,
                column: known_column(table, r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?)?,
                value: r.get(4)?,
                hlc: Hlc::from_i64(r.get(5)?),
                desk: r.get(6)?,
                operator: r.get(7)?,
                origin_seq: r.get::<_, i64>(8)? as u64,
                context: 0,
            });
        }
    }
    // Rows loaded from a snapshot: their base cells, unless the change record holds a later one.
    if base::any(store.conn())? {
        let mut at: HashMap<(Table, Uuid, &str), usize> =
            changes.iter().enumerate().map(|(i, c)| ((c.table, c.row_id, c.column), i)).collect();
        let conn = store.conn();
        base::for_each(conn, |table, row_id, cells| {
            let mut values = None;
            for b in cells {
                let key = (table, row_id, b.column);
                if at.get(&key).is_some_and(|&i| (changes[i].hlc, changes[i].desk) >= (b.hlc, b.desk)) {
                    continue;
                }
                // The winner is the base cell: its value is the row's.
                if values.is_none() {
                    values = Some(merge::row_values(conn, table, row_id)?.unwrap_or_default());
                }
                let cell = WireChange {
                    table,
                    row_id,
                    column: b.column,
                    value: merge::column_value(table, values.as_deref().unwrap_or_default(), b.column),
                    hlc: b.hlc,
                    desk: b.desk,
                    operator: b.operator,
                    batch: b.batch,
                    origin_seq: b.origin_seq,
                    context: 0,
                };
                match at.get(&key) {
                    Some(&i) => changes[i] = cell,
                    None => {
                        at.insert(key, changes.len());
                        changes.push(cell);
                    }
                }
            }
            Ok(())
        })?;
    }
    // Rows in dependency order (tables as listed in the schema), each row's cells together and rows
    // in id order, so a reader can apply them as they come or load a table in one pass.
    changes.sort_by_key(|c| (Table::ALL.iter().position(|t| *t == c.table), c.row_id));
    let mut frontier = frontier(store.conn(), this)?;
    frontier.insert(this, own_seq);
    // Every change in a snapshot is old news to its reader: one context, the snapshot's frontier.
    let payload = Payload { contexts: vec![frontier.clone()], frontier, changes };
    let current = &keys.keys[&keys.current];
    let bytes = format::seal_file(
        header(Kind::Snapshot, this, own_seq, store.now().timestamp_millis()),
        &payload.encode(),
        current,
        &keys.signer,
    );
    folder::publish(&folder.desk_dir(this), &folder::snapshot_name(own_seq), &bytes)?;
    Ok(())
}

/// A column name read from the change record, as the table's own.
fn known_column(table: Table, name: &str) -> Result<&'static str> {
    table.column(name).ok_or_else(|| Error::invalid("col", format!("colonna sconosciuta {name}")))
}

/// Writes a snapshot now (CLI `quartiere sync --snapshot`, and the benchmark).
pub fn snapshot_now(store: &mut Store, actor: &Actor) -> Result<SyncReport> {
    sync_with(store, actor, true, &mut |_| {})
}

/// The snapshots that fill the gaps the folder no longer can. A desk prunes its bundles once every
/// desk it knows of has them; a desk whose card had not yet reached its copy of the folder may
/// still lack some. The pruning desk's newest snapshot covers every bundle it pruned, and merging
/// it (last-writer-wins is idempotent) fills the gap. A bundle still in the folder is no such gap:
/// it is applied, or waits for a whole copy.
fn gaps_to_fill<'a>(
    conn: &Connection,
    listed: &'a [Listed],
    this: DeskId,
    removed: &BTreeSet<Uuid>,
) -> Result<Vec<&'a Listed>> {
    let have = frontier(conn, this)?;
    let mut present = BTreeSet::new();
    let mut newest: BTreeMap<DeskId, (u64, &Listed)> = BTreeMap::new();
    for item in listed {
        match item.entry {
            Entry::Bundle { desk, seq } => {
                present.insert((desk, seq));
            }
            Entry::Snapshot { desk, seq }
                if desk != this && !removed.contains(&desk.0) && newest.get(&desk).is_none_or(|(s, _)| seq > *s) =>
            {
                newest.insert(desk, (seq, item));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (desk, (covers, item)) in newest {
        let from = have.get(&desk).copied().unwrap_or(0);
        if covers <= from {
            continue; // the everyday case: nothing to look at
        }
        let received: BTreeSet<u64> = conn
            .prepare_cached("SELECT seq FROM sync_received WHERE desk_id = ?1 AND seq > ?2 AND seq <= ?3")?
            .query_map(params![desk, from as i64, covers as i64], |r| Ok(r.get::<_, i64>(0)? as u64))?
            .collect::<rusqlite::Result<_>>()?;
        // The first bundle of `desk` this desk has not applied and the folder does not hold; the
        // walk takes at most one step per file held or applied.
        let mut seq = from + 1;
        while seq <= covers && (present.contains(&(desk, seq)) || received.contains(&seq)) {
            seq += 1;
        }
        if seq <= covers {
            out.push(item);
        }
    }
    Ok(out)
}

/// The other desks' snapshots, newest first by the time written in their headers.
fn newest_first(listed: &[Listed], this: DeskId) -> Vec<&Listed> {
    let mut candidates: Vec<(i64, &Listed)> = listed
        .iter()
        .filter(|i| matches!(i.entry, Entry::Snapshot { desk, .. } if desk != this))
        .filter_map(|i| {
            let mut head = [0u8; format::HEADER_LEN];
            let mut f = std::fs::File::open(&i.path).ok()?;
            std::io::Read::read_exact(&mut f, &mut head).ok()?;
            Some((i64::from_le_bytes(head[48..56].try_into().ok()?), i))
        })
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.into_iter().map(|(_, i)| i).collect()
}

/// A desk that has applied nothing yet, neither a snapshot nor a bundle.
fn is_new(conn: &Connection) -> Result<bool> {
    let received: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sync_received)", [], |r| r.get(0))?;
    Ok(!received && meta_get(conn, META_BASE)?.is_none())
}

/// Loads the first of `candidates` that passes every check, in one transaction, and returns its
/// name; a candidate that fails is refused and the next is tried. A new desk joins by it (nearly
/// every page written is new); a desk that has joined fills a gap ([`gaps_to_fill`]). Afterwards
/// the desk's snapshot base covers, for every desk, what it covered before and what the snapshot
/// covers.
fn load_snapshot(
    store: &mut Store,
    candidates: Vec<&Listed>,
    keys: &Keys,
    known: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
    now: &str,
    report: &mut SyncReport,
) -> Result<Option<String>> {
    let this = store.desk();
    let joining = is_new(store.conn())?;
    // What this desk already has: a change from a bundle its frontier covers is in its change
    // record or snapshot base, or loses to a change that is, so only the rest is merged (a gap
    // fill costs the gap, not the whole snapshot). Nothing, for a desk that joins.
    let have = if joining { BTreeMap::new() } else { frontier(store.conn(), this)? };
    for item in candidates {
        let bytes = std::fs::read(&item.path)?;
        let (version, plain) = match open_checked(&bytes, item.entry, keys, known, removed) {
            Ok((header, plain)) => (header.version, plain),
            Err(reason) => {
                refuse(store, report, item, &reason)?;
                continue;
            }
        };
        let (frontier, contexts, changes) = match ChangeReader::open(&plain, version) {
            Ok(opened) => opened,
            Err(e) => {
                refuse(store, report, item, &e.to_string())?;
                continue;
            }
        };
        let mut base = frontier;
        base.remove(&this);
        // The changes are decoded on a second thread and loaded run by run as they come: a fault
        // found late in the file refuses it whole, since all of it is one transaction.
        let applied = std::thread::scope(|scope| {
            let (send, runs) = std::sync::mpsc::sync_channel::<std::result::Result<Vec<WireChange>, String>>(2);
            let have = &have;
            let decoder = scope.spawn(move || decode_runs(changes, have, send));
            let work = move |tx: &rusqlite::Transaction<'_>| {
                let runs = runs.into_iter().map(|run| run.map_err(|reason| Error::Sync(SyncError::Refused(reason))));
                let (stats, newest) = merge::load_snapshot(tx, runs, &contexts, now)?;
                // The runs also end if the decoder stopped by a fault of its own, not at the end of
                // the file: then nothing of the load may stay.
                let Ok(authors) = decoder.join() else {
                    return Err(Error::Sync(SyncError::Refused(
                        "lettura della copia iniziale interrotta da un errore interno: non è stata caricata".into(),
                    )));
                };
                authors.check(tx)?;
                crate::privacy::after_merge(tx, authors.erased(), now)?;
                let mut covered = frontier_from_json(meta_get(tx, META_BASE)?);
                for (desk, seq) in base {
                    let at = covered.entry(desk).or_insert(0);
                    *at = (*at).max(seq);
                }
                meta_set(tx, META_BASE, &frontier_to_json(&covered))?;
                Ok((stats, newest))
            };
            if joining {
                store.bulk_apply_tx(work)
            } else {
                store.apply_tx(work)
            }
        });
        // Whether the load committed or not, its staged search rows are no longer needed.
        crate::search::release_staged(store.conn())?;
        let stats = match applied {
            Err(Error::Sync(SyncError::Refused(reason))) => {
                refuse(store, report, item, &reason)?;
                continue;
            }
            other => other?,
        };
        report.changes_applied += stats.new as u32;
        report.duplicates += stats.duplicates as u32;
        return Ok(Some(item.shown.clone()));
    }
    Ok(None)
}

/// How many changes a decoded run holds at most, give or take a row: the loading thread starts on
/// a table as soon as its first run is decoded, instead of waiting for the whole table.
const RUN_CHANGES: usize = 1 << 16;

/// Decodes a payload's changes and sends them in runs (a run ends where the table changes, or at
/// the end of a row once it holds [`RUN_CHANGES`]), then stops: at the end, at the first fault
/// (sent as the reason to refuse the file), or when the receiver has given up.
fn decode_runs(
    mut reader: ChangeReader<'_>,
    have: &BTreeMap<DeskId, u64>,
    send: std::sync::mpsc::SyncSender<std::result::Result<Vec<WireChange>, String>>,
) -> Authors {
    let mut authors = Authors::default();
    // Only what this desk does not have yet goes on, and the checks after the load learn of it.
    let mut send_run = |mut run: Vec<WireChange>| {
        if !have.is_empty() {
            run.retain(|c| c.origin_seq > have.get(&c.desk).copied().unwrap_or(0));
        }
        authors.gather(&run);
        run.is_empty() || send.send(Ok(run)).is_ok()
    };
    let mut run: Vec<WireChange> = Vec::new();
    loop {
        match reader.next_change() {
            Ok(Some(c)) => {
                let ends =
                    |last: &WireChange| last.table != c.table || (run.len() >= RUN_CHANGES && last.row_id != c.row_id);
                if run.last().is_some_and(ends) && !send_run(std::mem::take(&mut run)) {
                    break;
                }
                run.push(c);
            }
            Ok(None) => {
                if !run.is_empty() {
                    send_run(run);
                }
                break;
            }
            Err(e) => {
                let _ = send.send(Err(e.to_string()));
                break;
            }
        }
    }
    authors
}

/// Deletes this desk's own files every desk already has: bundles acknowledged by every other desk
/// still in the team (none while no other desk is known; not the old identity of a desk that
/// re-enrolled, which never syncs again) and covered by one of its snapshots, and its snapshots
/// but the newest. Only a desk's
/// own folder is ever touched. Returns how many files went.
fn prune(store: &mut Store, folder: &Folder, removed: &BTreeSet<Uuid>, retired: &BTreeSet<DeskId>) -> Result<u32> {
    let this = store.desk();
    let listed = folder.list()?;
    let own_snapshot = latest_own_snapshot(&listed, this);
    if own_snapshot == 0 {
        return Ok(0);
    }
    // Every desk of the team this desk knows of: those whose card it pinned and any other with a
    // file in the folder (its card may be on its way), each at what it acknowledged, nothing for a
    // desk not heard from. With no other desk known, nothing is acknowledged by all.
    let mut acked: BTreeMap<DeskId, u64> = BTreeMap::new();
    for item in &listed {
        let (Entry::Card { desk } | Entry::Bundle { desk, .. } | Entry::Snapshot { desk, .. }) = item.entry;
        acked.insert(desk, 0);
    }
    let mut stmt = store.conn().prepare("SELECT desk_id, acked FROM sync_peer")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, DeskId>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (desk, frontier) = row?;
        acked.insert(desk, frontier_from_json(Some(frontier)).get(&this).copied().unwrap_or(0));
    }
    acked.remove(&this);
    acked.retain(|desk, _| !removed.contains(&desk.0) && !retired.contains(desk));
    let acked_by_all = match acked.values().min() {
        Some(&least) => least.min(own_snapshot),
        None => 0,
    };
    let mut pruned = 0;
    for item in &listed {
        let gone = match item.entry {
            Entry::Bundle { desk, seq } => desk == this && seq <= acked_by_all,
            Entry::Snapshot { desk, seq } => desk == this && seq < own_snapshot,
            Entry::Card { .. } => false,
        };
        if gone && std::fs::remove_file(&item.path).is_ok() {
            pruned += 1;
        }
    }
    Ok(pruned)
}

/// The desk whose change a cell holds now: the newest of the cell's changes in the change record
/// and in the snapshot base.
fn winning_desk(conn: &Connection, table: Table, row: Uuid, column: &str) -> Result<Option<DeskId>> {
    let logged = base::newest_logged(conn, table, row, column)?;
    let based =
        base::cells_of(conn, table, row)?.into_iter().filter(|c| c.column == column).map(|c| (c.hlc, c.desk)).max();
    Ok(logged.max(based).map(|(_, desk)| desk))
}

/// The sync screen's data.
pub fn status(store: &Store, actor: &Actor) -> Result<SyncStatus> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let conn = store.conn();
    let this = store.desk();
    let folder = meta_get(conn, META_FOLDER)?;
    let enrolled = folder.is_some() && meta_get(conn, META_SIGNER)?.is_some();
    let published: (i64, Option<String>) =
        conn.query_row("SELECT coalesce(max(seq), 0), max(created_at) FROM sync_published", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let last_change: i64 =
        conn.query_row("SELECT coalesce(max(last_change), 0) FROM sync_published", [], |r| r.get(0))?;
    let unpublished: i64 = conn.query_row(
        "SELECT count(*) FROM change_log WHERE seq > ?1 AND desk_id = ?2 AND origin_seq IS NULL",
        params![last_change, this],
        |r| r.get(0),
    )?;
    let (removed, new_key_waiting) = match (enrolled, Keys::load(conn)) {
        (true, Ok(keys)) if keys.folder.is_dir() => {
            let folder = Folder::new(&keys.folder);
            let waiting = key_files(&folder)?.iter().any(|(_, f)| !keys.keys.contains_key(&f.key_id));
            (removed_desks(&folder, &keys)?, waiting)
        }
        _ => (BTreeSet::new(), false),
    };
    let retired: BTreeSet<Uuid> =
        meta_get(conn, META_RETIRED)?.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let this_name: String = conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [this], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "questa postazione".into());
    let mut desks = vec![DeskStatus {
        desk_id: this,
        name: this_name,
        this_desk: true,
        removed: removed.contains(&this.0),
        replaced: false,
        last_seq: published.0 as u32,
        last_bundle_at: published.1,
    }];
    let mut stmt =
        conn.prepare("SELECT desk_id, name, last_seq, last_bundle_at FROM sync_peer ORDER BY name, desk_id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, DeskId>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
    })?;
    for row in rows {
        let (desk_id, name, last_seq, last_bundle_at) = row?;
        desks.push(DeskStatus {
            desk_id,
            name,
            this_desk: false,
            removed: removed.contains(&desk_id.0),
            replaced: retired.contains(&desk_id.0),
            last_seq: last_seq as u32,
            last_bundle_at,
        });
    }
    let refused = conn
        .prepare("SELECT path, reason FROM sync_refused ORDER BY path")?
        .query_map([], |r| Ok(RefusedFile { path: r.get(0)?, reason: r.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    let open_conflicts: i64 =
        conn.query_row("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL", [], |r| r.get(0))?;
    let warnings = conn
        .prepare("SELECT message FROM sync_event WHERE kind IN ('warning', 'fork') ORDER BY id DESC LIMIT 5")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut blocked = meta_get(conn, META_FORK)?;
    if blocked.is_none() && removed.contains(&this.0) {
        blocked = Some("questa postazione è stata rimossa dal gruppo: non può più sincronizzare".into());
    }
    Ok(SyncStatus {
        enrolled,
        folder,
        desk_id: this,
        last_sync_at: meta_get(conn, META_LAST_SYNC)?,
        unpublished_changes: unpublished as u32,
        desks,
        refused,
        open_conflicts: open_conflicts as u32,
        warnings,
        new_key_waiting,
        blocked,
    })
}

fn show_value(value: &Value) -> String {
    match value {
        Value::Null => "(vuoto)".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) if t.is_empty() => "(vuoto)".into(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => format!("{} byte", b.len()),
    }
}

fn desk_name(conn: &Connection, desk: DeskId) -> Result<String> {
    Ok(conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [desk], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "postazione sconosciuta".into()))
}

fn record_label(conn: &Connection, table: Table, id: Uuid) -> Result<String> {
    let sql = match table {
        Table::Person => "SELECT surname || ' ' || name FROM person WHERE id = ?1",
        Table::Dwelling => "SELECT street || ' ' || civic FROM dwelling WHERE id = ?1",
        Table::Household => {
            "SELECT d.street || ' ' || d.civic FROM household h JOIN dwelling d ON d.id = h.dwelling_id WHERE h.id = ?1"
        }
        Table::Partner => "SELECT name FROM partner WHERE id = ?1",
        Table::Desk => "SELECT name FROM desk WHERE id = ?1",
        Table::Operator => "SELECT name FROM operator WHERE id = ?1",
        _ => return Ok(table_label(table).to_string()),
    };
    Ok(conn.query_row(sql, [id.to_string()], |r| r.get::<_, String>(0)).optional()?.unwrap_or_default())
}

/// Open conflicts, oldest first.
pub fn conflicts(store: &Store, actor: &Actor) -> Result<Vec<ConflictView>> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let conn = store.conn();
    let mut stmt = conn.prepare(
        "SELECT id, tbl, row_id, col, loser_value, loser_desk, loser_operator, detected_at
         FROM sync_conflict WHERE resolved_at IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Value>(4)?,
                r.get::<_, DeskId>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, tbl, row_id, col, loser, loser_desk, loser_operator, detected_at) in rows {
        let Some(table) = Table::from_name(&tbl) else { continue };
        let row = crate::store::parse_uuid(&row_id)?;
        let current: Value =
            conn.query_row(&format!("SELECT t.{col} FROM {tbl} t WHERE t.id = ?1"), params![row_id], |r| r.get(0))?;
        let current_desk = winning_desk(conn, table, row, &col)?;
        let operator = Uuid::parse_str(&loser_operator)
            .ok()
            .map(|o| crate::registry::operator_name(conn, OperatorId(o)))
            .transpose()?
            .unwrap_or_default();
        out.push(ConflictView {
            id,
            record_kind: table_label(table).to_string(),
            table: tbl,
            row_id: row,
            record_label: record_label(conn, table, row)?,
            field: col,
            current_value: show_value(&current),
            current_desk: current_desk.map(|d| desk_name(conn, d)).transpose()?.unwrap_or_default(),
            other_value: show_value(&loser),
            other_desk: desk_name(conn, loser_desk)?,
            other_operator: operator,
            detected_at,
        });
    }
    Ok(out)
}

/// Settles a conflict: the chosen value is written again as a new edit, so it wins on every desk
/// (and settles the same conflict there when it arrives).
pub fn resolve_conflict(store: &mut Store, actor: &Actor, id: i64, choice: ConflictChoice) -> Result<()> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let row: Option<(String, String, String, Value)> = store
        .conn()
        .query_row(
            "SELECT tbl, row_id, col, loser_value FROM sync_conflict WHERE id = ?1 AND resolved_at IS NULL",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((tbl, row_id, col, loser)) = row else {
        return Err(Error::NotFound { what: "conflitto", key: id.to_string() });
    };
    let table = Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", "tabella sconosciuta"))?;
    if !table.has_column(&col) {
        return Err(Error::invalid("col", "colonna sconosciuta"));
    }
    let row = crate::store::parse_uuid(&row_id)?;
    let value = match choice {
        ConflictChoice::Other => loser,
        ConflictChoice::Current => {
            store.conn().query_row(&format!("SELECT {col} FROM {tbl} WHERE id = ?1"), [&row_id], |r| r.get(0))?
        }
    };
    store.write(actor, |w| w.reassert(table, row, &[(col.as_str(), value)]))?;
    let now = now_text(store);
    let resolution = match choice {
        ConflictChoice::Current => "kept_current",
        ConflictChoice::Other => "took_other",
    };
    store.local_write(|tx| {
        tx.execute(
            "UPDATE sync_conflict SET resolved_at = ?1, resolution = ?2
             WHERE tbl = ?3 AND row_id = ?4 AND col = ?5 AND resolved_at IS NULL",
            params![now, resolution, tbl, row_id, col],
        )?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::clock::SystemClock;
    use crate::demo::DemoConfig;
    use crate::ids::IdGen;
    use crate::store::canonical_dump;

    const PASS: &str = "cortile di via Pirandello";

    /// A snapshot's changes come to the loading thread in runs of one table, never cutting a row,
    /// of about [`RUN_CHANGES`] changes, in their order.
    #[test]
    fn decoded_runs_keep_rows_whole_and_tables_apart() {
        let mut changes = Vec::new();
        for row in 0..(RUN_CHANGES / 3 + 10) as u128 {
            for column in ["surname", "name", "phone"] {
                changes.push(WireChange::for_test(Table::Person, row, column, Value::Text("x".into()), 1, 1));
            }
        }
        changes.push(WireChange::for_test(Table::Note, 1, "body", Value::Text("nota".into()), 2, 1));
        let payload = Payload { frontier: Default::default(), contexts: vec![Default::default()], changes };
        let plain = payload.encode();
        let (_, _, reader) = ChangeReader::open(&plain, format::VERSION).unwrap();
        let (send, receive) = std::sync::mpsc::sync_channel(4);
        std::thread::scope(|scope| {
            scope.spawn(move || decode_runs(reader, &BTreeMap::new(), send));
            let runs: Vec<Vec<WireChange>> = receive.into_iter().map(|r| r.unwrap()).collect();
            let sizes: Vec<(Table, usize)> = runs.iter().map(|r| (r[0].table, r.len())).collect();
            // 21,855 rows of 3: the first run ends with the row that reaches the size.
            let rows = RUN_CHANGES / 3 + 10;
            assert_eq!(
                sizes,
                [(Table::Person, RUN_CHANGES + 2), (Table::Person, rows * 3 - RUN_CHANGES - 2), (Table::Note, 1)]
            );
            assert!(runs.iter().all(|r| r.iter().all(|c| c.table == r[0].table)));
            assert_ne!(runs[0].last().unwrap().row_id, runs[1][0].row_id, "a row is never cut");
            assert_eq!(runs.concat(), payload.changes);
        });
    }

    fn desk(dir: &Path, folder: &Path, name: &str, seed: u64) -> (Store, Actor) {
        let signed = crate::accounts::create_desk(
            dir,
            name,
            "Operatrice",
            PASS,
            KdfParams::MINIMUM,
            Box::new(SystemClock),
            IdGen::seeded(seed),
        )
        .unwrap();
        let (mut store, actor) = (signed.store, signed.actor);
        enrol(&mut store, &actor, folder, PASS, name, KdfParams::MINIMUM).unwrap();
        (store, actor)
    }

    /// Rewrites the bundles and snapshots `store`'s desk published in format `version`, under the
    /// same names, sealed and signed again with its keys: as an older desk would have written them.
    fn rewrite_own_files(store: &Store, version: u8) -> usize {
        let keys = Keys::load(store.conn()).unwrap();
        let mut rewritten = 0;
        for item in open_folder(&keys.folder).unwrap().list().unwrap() {
            let (kind, desk, seq) = match item.entry {
                Entry::Bundle { desk, seq } => (Kind::Bundle, desk, seq),
                Entry::Snapshot { desk, seq } => (Kind::Snapshot, desk, seq),
                Entry::Card { .. } => continue,
            };
            if desk != store.desk() {
                continue;
            }
            let bytes = std::fs::read(&item.path).unwrap();
            let old = Header::parse(&bytes).unwrap();
            let plain = format::open_file(&bytes, &old, &keys.keys[&old.key_id]).unwrap();
            let payload = Payload::decode(&plain, old.version).unwrap();
            let new = Header { version, ..header(kind, desk, seq, old.created_ms) };
            let file = format::seal_file(new, &payload.encode_as(version), &keys.keys[&keys.current], &keys.signer);
            assert_eq!(file[4], version);
            std::fs::write(&item.path, file).unwrap();
            rewritten += 1;
        }
        rewritten
    }

    /// Desks are upgraded one at a time: a desk that writes version 2 still joins from a version 1
    /// snapshot and applies version 1 bundles, and ends with the same data as their writer.
    #[test]
    fn a_new_desk_joins_from_files_an_older_desk_wrote_in_version_one() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("condivisa");
        std::fs::create_dir_all(&folder).unwrap();
        let (mut a, actor) = desk(&root.path().join("a"), &folder, "Sportello A", 1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        crate::demo::generate(&mut a, &actor, &DemoConfig { households: 12, people: None, seed: 3, today }).unwrap();
        snapshot_now(&mut a, &actor).unwrap();
        a.write(&actor, |w| {
            let id = w.new_id();
            w.insert(Table::Partner, id, &[("name", Value::Text("AFOL Metropolitana".into()))])
        })
        .unwrap();
        sync(&mut a, &actor, &mut |_| {}).unwrap();
        // The first bundle, the snapshot covering it and the bundle after it (a desk that knows of
        // no other prunes nothing).
        assert_eq!(rewrite_own_files(&a, 1), 3);

        let (mut c, actor_c) = desk(&root.path().join("c"), &folder, "Sportello C", 3);
        let report = sync(&mut c, &actor_c, &mut |_| {}).unwrap();
        assert!(report.snapshot_loaded.is_some(), "{report:?}");
        assert!(report.refused.is_empty(), "{report:?}");
        assert_eq!(report.bundles_applied, 1, "the bundle after the snapshot: {report:?}");
        let partners: i64 = c.conn().query_row("SELECT count(*) FROM partner", [], |r| r.get(0)).unwrap();
        assert!(partners >= 1);
        // The writer receives the new desk's own (version 2) bundle; then both hold the same.
        sync(&mut a, &actor, &mut |_| {}).unwrap();
        sync(&mut c, &actor_c, &mut |_| {}).unwrap();
        assert_eq!(canonical_dump(c.conn()).unwrap(), canonical_dump(a.conn()).unwrap());
    }
}
