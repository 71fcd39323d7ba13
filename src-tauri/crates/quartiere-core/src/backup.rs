//! Backups: encrypted copies of the database with the key file that opens them, made once a day
//! at the first sign-in, before every migration, and on request; rotated; restored whole.
//!
//! A backup is a folder `backup/AAAA-MM-GG_HH-MM-SS_<reason>/` beside the database (or in the
//! folder the desk's setting `backup.dir` names, such as a USB stick) holding
//! - `quartiere.sqlite`: a compacted copy written by SQLCipher with the same database key, so it
//!   reads as noise without it, like the database itself;
//! - `quartiere.keys`: the key file as it was, so the copy opens with the passphrases of that day
//!   even if the desk's own key file is lost with the laptop;
//! - `backup.json`: when, why, the schema version, the desk's id, and the SHA-256 of the copy, so a
//!   damaged copy is told before it is restored. No personal data.
//!
//! Each backup is written under a temporary name and renamed when whole: a crash leaves either
//! the complete backup or a temporary folder that the next backup removes.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};

use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::files::sync_dir;
use crate::ids::IdGen;
use crate::store::{Actor, Store, DB_FILE_NAME};
use crate::vault::{self, DbKey, KEYS_FILE_NAME};

pub const BACKUP_DIR_NAME: &str = "backup";
const MANIFEST: &str = "backup.json";
const FORMAT: &str = "quartiere-backup";
/// Scheduled and manual backups kept; older ones are removed.
pub const KEEP_REGULAR: usize = 14;
/// Backups taken before a migration kept (they are rarer and guard against a failed upgrade).
pub const KEEP_BEFORE_MIGRATION: usize = 3;
/// A scheduled backup is due when the newest is older than this.
pub const EVERY_HOURS: i64 = 24;

/// Why a backup was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BackupReason {
    Scheduled,
    Manual,
    BeforeMigration,
}

impl BackupReason {
    fn code(self) -> &'static str {
        match self {
            BackupReason::Scheduled => "scheduled",
            BackupReason::Manual => "manual",
            BackupReason::BeforeMigration => "before_migration",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BackupReason::Scheduled => "copia giornaliera",
            BackupReason::Manual => "copia richiesta",
            BackupReason::BeforeMigration => "prima dell'aggiornamento",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    made_at: String,
    reason: BackupReason,
    schema_version: i64,
    desk_id: String,
    /// SHA-256 of `quartiere.sqlite`, lower-case hex.
    sha256: String,
    bytes: u64,
}

/// One backup as the screen lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupInfo {
    pub path: String,
    /// RFC 3339, UTC.
    pub made_at: String,
    pub reason: BackupReason,
    pub schema_version: i64,
    pub bytes: u64,
}

/// Where this desk's backups go: the `backup.dir` setting, or `backup/` beside the database.
pub fn backup_dir(store: &Store) -> Result<PathBuf> {
    Ok(root(store.dir(), store.local_setting("backup.dir")?))
}

pub(crate) fn root(data_dir: &Path, setting: Option<String>) -> PathBuf {
    match setting {
        Some(dir) if !dir.trim().is_empty() => PathBuf::from(dir),
        _ => data_dir.join(BACKUP_DIR_NAME),
    }
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let bytes = fs::read(path)?;
    Ok((crate::sync::crypto::sha256_hex(&bytes), bytes.len() as u64))
}

/// Writes a backup of the open connection `conn` (keyed with `key`) into `root`.
pub(crate) fn write_backup(
    conn: &rusqlite::Connection,
    key: &DbKey,
    keys_file: &Path,
    root: &Path,
    reason: BackupReason,
    now: DateTime<Utc>,
    desk_id: &str,
) -> Result<BackupInfo> {
    fs::create_dir_all(root)?;
    // Leftovers of a backup interrupted by a crash.
    for entry in fs::read_dir(root)?.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    let mut name = format!("{}_{}", now.format("%Y-%m-%d_%H-%M-%S"), reason.code());
    let mut n = 1;
    while root.join(&name).exists() {
        n += 1;
        name = format!("{}_{}-{n}", now.format("%Y-%m-%d_%H-%M-%S"), reason.code());
    }
    let tmp = root.join(format!(".tmp-{name}"));
    let written = (|| -> Result<BackupInfo> {
        fs::create_dir_all(&tmp)?;
        let db = tmp.join(DB_FILE_NAME);
        // SQLCipher writes the copy page by page with the key given for it: the same key.
        conn.execute(
            "ATTACH DATABASE ?1 AS quartiere_backup KEY ?2",
            rusqlite::params![db.to_string_lossy(), key.raw_key_text()],
        )?;
        // The copy is a new database: pages of today's size, whatever the desk's own file has.
        conn.execute_batch(&format!("PRAGMA quartiere_backup.cipher_page_size = {}", crate::vault::PAGE_SIZE))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        // The schema version travels with the copy, so a restore migrates it like any old file.
        let exported = conn
            .query_row("SELECT sqlcipher_export('quartiere_backup')", [], |_| Ok(()))
            .and_then(|_| conn.execute_batch(&format!("PRAGMA quartiere_backup.user_version = {version}")));
        conn.execute("DETACH DATABASE quartiere_backup", [])?;
        exported?;
        fs::copy(keys_file, tmp.join(KEYS_FILE_NAME))?;
        let (sha256, bytes) = sha256_file(&db)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            version: 1,
            made_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            reason,
            schema_version: version,
            desk_id: desk_id.to_string(),
            sha256,
            bytes,
        };
        fs::write(tmp.join(MANIFEST), serde_json::to_vec_pretty(&manifest).expect("json of a manifest"))?;
        for file in [DB_FILE_NAME, KEYS_FILE_NAME, MANIFEST] {
            fs::File::open(tmp.join(file))?.sync_all()?;
        }
        sync_dir(&tmp);
        fs::rename(&tmp, root.join(&name))?;
        sync_dir(root);
        Ok(BackupInfo {
            path: root.join(&name).display().to_string(),
            made_at: manifest.made_at,
            reason,
            schema_version: version,
            bytes,
        })
    })();
    if written.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    let info = written?;
    rotate(root)?;
    Ok(info)
}

/// The backups in `root`, newest first. Folders without a readable manifest are left out.
pub fn list_in(root: &Path) -> Result<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(root) else { return Ok(out) };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Some(manifest) = read_manifest(&path) else { continue };
        out.push(BackupInfo {
            path: path.display().to_string(),
            made_at: manifest.made_at,
            reason: manifest.reason,
            schema_version: manifest.schema_version,
            bytes: manifest.bytes,
        });
    }
    out.sort_by(|a, b| b.made_at.cmp(&a.made_at).then(b.path.cmp(&a.path)));
    Ok(out)
}

fn read_manifest(dir: &Path) -> Option<Manifest> {
    let manifest: Manifest = serde_json::from_slice(&fs::read(dir.join(MANIFEST)).ok()?).ok()?;
    (manifest.format == FORMAT && manifest.version == 1).then_some(manifest)
}

/// Keeps the newest [`KEEP_REGULAR`] regular and [`KEEP_BEFORE_MIGRATION`] pre-migration backups.
fn rotate(root: &Path) -> Result<()> {
    let all = list_in(root)?;
    let (before, regular): (Vec<_>, Vec<_>) = all.into_iter().partition(|b| b.reason == BackupReason::BeforeMigration);
    for old in regular.iter().skip(KEEP_REGULAR).chain(before.iter().skip(KEEP_BEFORE_MIGRATION)) {
        fs::remove_dir_all(&old.path)?;
    }
    Ok(())
}

/// Makes a backup now and records it in the audit log.
pub fn backup_now(store: &mut Store, actor: &Actor, reason: BackupReason) -> Result<BackupInfo> {
    access::require(store.conn(), actor, Action::Backup)?;
    let root = backup_dir(store)?;
    let info = store.backup_into(&root, reason)?;
    audit::record(store, actor, AuditKind::Backup, None, reason.label())?;
    Ok(info)
}

/// Makes the day's backup if the newest is older than [`EVERY_HOURS`] (called at sign-in, by any
/// operator: the schedule is the desk's, not a permission). Returns it if one was made.
pub fn backup_if_due(store: &mut Store, actor: &Actor) -> Result<Option<BackupInfo>> {
    let root = backup_dir(store)?;
    let newest = list_in(&root)?.into_iter().find(|b| b.reason != BackupReason::BeforeMigration);
    let now = store.now();
    let due = newest
        .and_then(|b| DateTime::parse_from_rfc3339(&b.made_at).ok())
        .is_none_or(|made| now.signed_duration_since(made) >= Duration::hours(EVERY_HOURS));
    if !due {
        return Ok(None);
    }
    let info = store.backup_into(&root, BackupReason::Scheduled)?;
    audit::record(store, actor, AuditKind::Backup, None, BackupReason::Scheduled.label())?;
    Ok(Some(info))
}

/// This desk's backups, newest first.
pub fn list(store: &Store, actor: &Actor) -> Result<Vec<BackupInfo>> {
    access::require(store.conn(), actor, Action::Backup)?;
    list_in(&backup_dir(store)?)
}

/// Checks a backup whole without touching anything: its manifest and checksum, that `name` and
/// `passphrase` open its own key file, that the key opens the copy and the copy is intact, and
/// that `name` was a coordinator on the day of the backup. Returns its manifest's time.
pub fn check(backup: &Path, name: &str, passphrase: &str) -> Result<String> {
    let manifest = read_manifest(backup).ok_or_else(|| Error::Forbidden {
        message: format!("{} non è una copia di sicurezza di Quartiere", backup.display()),
    })?;
    let (sha256, _) = sha256_file(&backup.join(DB_FILE_NAME))?;
    if sha256 != manifest.sha256 {
        return Err(Error::Forbidden {
            message: "la copia di sicurezza è danneggiata (il contenuto non corrisponde alla sua impronta): scegline un'altra"
                .into(),
        });
    }
    let (key, operator) = vault::unlock(backup, name, passphrase)?;
    let file = backup.join(DB_FILE_NAME);
    let wrong_key = || Error::WrongKey(file.display().to_string());
    let conn = vault::open_keyed(&file, &key, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?.ok_or_else(wrong_key)?;
    let intact: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|_| wrong_key())?;
    if intact != "ok" {
        return Err(Error::Forbidden { message: format!("la copia di sicurezza non è integra: {intact}") });
    }
    if access::role_of(&conn, operator)? != Some(access::Role::Coordinator) {
        return Err(Error::Forbidden {
            message: "solo un coordinatore (alla data della copia) può ripristinare una copia di sicurezza".into(),
        });
    }
    Ok(manifest.made_at)
}

/// Puts a backup in place of the desk's database, after [`check`]ing it. The database, its log
/// and key file it replaces are moved into `backup/sostituito-…`, never deleted. The restored
/// desk must re-enrol before it syncs again (its bundle numbers went back in time).
///
/// Runs with no store open: the caller closes the session first. Restoring is for a coordinator
/// who knows a passphrase valid on the day of the backup.
pub fn restore(
    dir: &Path,
    backup: &Path,
    name: &str,
    passphrase: &str,
    clock: Box<dyn Clock>,
    ids: IdGen,
) -> Result<crate::accounts::SignedIn> {
    let restored_from = check(backup, name, passphrase)?;
    let now = clock.now();
    // The copies are made first under temporary names, so a failure (a full disk) leaves the desk
    // as it was; only then are the current files set aside and the copies renamed into place.
    let staged = |file: &str| dir.join(format!(".{file}.restoring"));
    let staging = (|| -> Result<()> {
        for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
            fs::copy(backup.join(file), staged(file))?;
            fs::File::open(staged(file))?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = staging {
        for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
            let _ = fs::remove_file(staged(file));
        }
        return Err(e);
    }
    let aside = dir.join(BACKUP_DIR_NAME).join(format!("sostituito-{}", now.format("%Y-%m-%d_%H-%M-%S")));
    fs::create_dir_all(&aside)?;
    for file in
        [DB_FILE_NAME.to_string(), format!("{DB_FILE_NAME}-wal"), format!("{DB_FILE_NAME}-shm"), KEYS_FILE_NAME.into()]
    {
        let from = dir.join(&file);
        if from.exists() {
            fs::rename(&from, aside.join(&file))?;
        }
    }
    for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
        fs::rename(staged(file), dir.join(file))?;
    }
    sync_dir(dir);
    let mut signed = crate::accounts::sign_in(dir, name, passphrase, clock, ids)?;
    let day = DateTime::parse_from_rfc3339(&restored_from)
        .map(|d| crate::format::date(d.date_naive()))
        .unwrap_or_else(|_| restored_from.clone());
    crate::sync::mark_restored(
        &mut signed.store,
        &format!(
            "questa postazione è stata ripristinata dalla copia di sicurezza del {day}: collegala di nuovo alla \
             cartella condivisa (le modifiche pubblicate dopo quella data tornano dalla cartella)"
        ),
    )?;
    let actor = signed.actor;
    audit::record(&mut signed.store, &actor, AuditKind::Restore, None, &format!("copia del {restored_from}"))?;
    Ok(signed)
}
