//! Writing a backup: an encrypted copy of the database with the key file that opens them, rotated.
//! When backups are made (daily, before a migration, on request) and how one is checked and
//! restored is decided a floor above (the core's `backup` module); the store makes one itself
//! only before a migration changes its file.
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

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::files::sync_dir;
use crate::store::DB_FILE_NAME;
use crate::vault::{DbKey, KEYS_FILE_NAME};

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
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub made_at: String,
    pub reason: BackupReason,
    pub schema_version: i64,
    pub desk_id: String,
    /// SHA-256 of `quartiere.sqlite`, lower-case hex.
    pub sha256: String,
    pub bytes: u64,
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

pub fn root(data_dir: &Path, setting: Option<String>) -> PathBuf {
    match setting {
        Some(dir) if !dir.trim().is_empty() => PathBuf::from(dir),
        _ => data_dir.join(BACKUP_DIR_NAME),
    }
}

pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let bytes = fs::read(path)?;
    Ok((crate::crypto::sha256_hex(&bytes), bytes.len() as u64))
}

/// Writes a backup of the open connection `conn` (keyed with `key`) into `root`.
pub fn write_backup(
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

pub fn read_manifest(dir: &Path) -> Option<Manifest> {
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
